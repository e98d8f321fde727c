// A new release is deployed while phones hold the old one. The first visit after the deploy must
// work (a page is never hydrated by another build's code), the new release is what phones keep,
// and the old copy is deleted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cacheNames, waitForHydration, waitForOfflineCopy, waitUntil } from './helpers/browser.mjs';
import { builds, withServerAndBrowser } from './helpers/server.mjs';

const NEW_TEXT = 'Rehearsal of the next release.';

async function expectStepToggleWorks(page, number) {
  const toggle = page.getByRole('button', { name: `Mark step ${number} as done` });
  await toggle.click();
  assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
  const step = page.locator('ol.app-steps > li').nth(number - 1);
  await step.getByText('Done', { exact: true }).waitFor();
  const pressed = await page.locator('.app-step__toggle[aria-pressed="true"]').count();
  assert.equal(pressed, 1, 'exactly the clicked step is ticked');
  await toggle.click();
}

test('the next online visit after a deploy gets the new release, working, and old caches go', () => withServerAndBrowser(async ({ server, browser }) => {
  const { url } = server;
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url + '/');
  await waitForOfflineCopy(page);
  const oldCaches = await cacheNames(page);
  assert.equal(oldCaches.length, 1);
  assert.equal(await page.getByText(NEW_TEXT).count(), 0);

  await server.restart({ build: builds.next });

  // The first visit after the deploy: new page, new code, every control works.
  await page.goto(url + '/');
  await page.getByText(NEW_TEXT).waitFor();
  await waitForHydration(page);
  await expectStepToggleWorks(page, 2);
  await page.getByRole('link', { name: 'All contacts' }).click();
  await page.getByRole('heading', { level: 1, name: 'Who to contact' }).waitFor();

  // The new worker takes over and removes the old release's cache.
  await waitUntil(async () => {
    const names = await cacheNames(page);
    return names.length === 1 && names[0] !== oldCaches[0];
  }, 'only the new release is cached');

  // Offline, the phone's copy is now the new release, and it works too.
  await context.setOffline(true);
  await page.goto(url + '/');
  await page.getByText(NEW_TEXT).waitFor();
  await waitForHydration(page);
  await expectStepToggleWorks(page, 3);
  assert.deepEqual(errors, []);
  await context.close();
}, { server: { build: builds.current } }));
