// A person opens the app once with signal, then loses it: every page still opens, by reload and
// by typing its address, with the exact numbers to call.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitForOfflineCopy, waitForHydration } from './helpers/browser.mjs';
import { OFFLINE_STATUS, SAVED_STATUS, expectPageContent, pages } from './helpers/guidance.mjs';
import { withServerAndBrowser } from './helpers/server.mjs';

describe('offline after one visit', () => {
  const withServer = withServerAndBrowser;

  /** Visits home once online, then reloads it with no network and waits until it is interactive. */
  async function openHomeOffline(browser, url) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(url + '/');
    await waitForOfflineCopy(page);
    await context.setOffline(true);
    await page.reload();
    await waitForHydration(page);
    return { context, page };
  }

  test('after one online visit, every page works with no network', () => withServer(async ({ server, browser }) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.url + '/');
    await waitForOfflineCopy(page);
    await page.getByText(SAVED_STATUS).waitFor();

    await context.setOffline(true);
    await page.getByText(OFFLINE_STATUS).waitFor();
    await page.reload();
    await expectPageContent(page, pages[0]);
    await page.getByText(OFFLINE_STATUS).waitFor();
    assert.equal(await page.getByText(SAVED_STATUS).isVisible(), false);
    await waitForHydration(page);

    for (const entry of pages) {
      const response = await page.goto(server.url + entry.path);
      assert.ok(response.fromServiceWorker(), `${entry.path} comes from the offline copy`);
      await expectPageContent(page, entry);
    }
    await context.close();
  }));

  test('offline, links between pages work after hydration', () => withServer(async ({ server, browser }) => {
    const { context, page } = await openHomeOffline(browser, server.url);

    await page.getByRole('link', { name: 'All contacts' }).click();
    await expectPageContent(page, pages.find((p) => p.path === '/contacts'));
    await page.getByRole('link', { name: 'Lost Device' }).click();
    await expectPageContent(page, pages[0]);
    await context.close();
  }));

  test('the home checklist remembers ticked steps across a reload offline', () => withServer(async ({ server, browser }) => {
    const { context, page } = await openHomeOffline(browser, server.url);

    const toggle = page.getByRole('button', { name: 'Mark step 1 as done' });
    assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
    await toggle.click();
    assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
    await page.locator('ol.app-steps > li').first().getByText('Done', { exact: true }).waitFor();

    await page.reload();
    await waitForHydration(page);
    const again = page.getByRole('button', { name: 'Mark step 1 as done' });
    await page.waitForFunction(() => document.querySelector('.app-step__toggle[aria-pressed="true"]'));
    assert.equal(await again.getAttribute('aria-pressed'), 'true');
    assert.equal(await page.getByRole('button', { name: 'Mark step 2 as done' }).getAttribute('aria-pressed'), 'false');
    await context.close();
  }));
});
