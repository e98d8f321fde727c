// A new release is deployed while phones hold the old one. The first visit after the deploy must
// work (a page is never hydrated by another build's code), the new release is what phones keep,
// and the old copy is deleted. A release arriving while a form is open shows a banner and never
// reloads it; a report queued under one release is sent by the next.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cacheNames, waitForHydration, waitForOfflineCopy, waitUntil } from './helpers/browser.mjs';
import { answers, queueReportOffline, shownReference, storedReports } from './helpers/report.mjs';
import { builds, withServerAndBrowser } from './helpers/server.mjs';

const NEW_TEXT = 'Rehearsal of the next release.';

/** The home checklist works (plain JavaScript, no WebAssembly): step `number` ticks and unticks. */
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

/**
 * The report form, an island hydrated by the WebAssembly, works: an answer moves it on. The
 * rehearsal build's markup inside the island differs, so another build's code would not.
 */
async function expectFormWorks(page, url) {
  await page.goto(url + '/report');
  await waitForHydration(page);
  await page.getByRole('radio', { name: 'It was stolen' }).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Asset tag or serial number').waitFor();
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
  await expectFormWorks(page, url);
  await page.goto(url + '/');
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
  await expectFormWorks(page, url);
  assert.deepEqual(errors, []);
  await context.close();
}, { server: { build: builds.current } }));

/** The build's own files that the page uses (hashed names: they change with every release). */
function buildFiles(page) {
  return page.evaluate(() => {
    const linked = [...document.querySelectorAll('link[href^="/pkg/"]')].map((link) => link.getAttribute('href'));
    const { js, wasm } = document.getElementById('app-hydration').dataset;
    return [...linked, js, wasm].sort();
  });
}

test('a new version arriving while the form is open: a banner, no reload, answers kept', () => withServerAndBrowser(async ({ server, browser }) => {
  const page = await browser.newPage();
  await page.goto(server.url + '/report');
  await waitForOfflineCopy(page);
  await waitForHydration(page);
  await page.getByRole('radio', { name: 'It was stolen' }).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  const tag = page.getByLabel('Asset tag or serial number');
  await tag.fill('MOJ-123456');
  const before = await buildFiles(page);

  await server.restart({ build: builds.next });
  // Browsers look for a new worker on their own; the test does not wait for them to.
  await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).update());
  await page.getByText('A new version of this app is ready.').waitFor();
  assert.equal(await tag.inputValue(), 'MOJ-123456', 'the page was not reloaded under the person');

  await page.getByRole('button', { name: 'Reload' }).click();
  await page.getByRole('heading', { level: 1, name: 'What kind of device is it?' }).waitFor();
  await waitForHydration(page);
  assert.notDeepEqual(await buildFiles(page), before, 'the new version');
  await page.waitForFunction(() => document.getElementById('asset-tag')?.value === 'MOJ-123456');
  assert.equal(await page.getByText('A new version of this app is ready.').isVisible(), false);
}, { server: { build: builds.current } }));

// The next release (the rehearsal) requires the asset tag, which this report left empty: it was
// written under the rules before, and the server takes it by those.
test('a report queued offline under one release is delivered once by the next, by the rules it was written under', () => withServerAndBrowser(async ({ server, browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await queueReportOffline(context, page, server.url, answers({ assetTag: '' }));
  const before = await buildFiles(page);
  await page.close();

  await server.restart({ build: builds.next });
  await context.setOffline(false);
  const again = await context.newPage();
  await again.goto(server.url + '/reports');
  await waitForHydration(again);
  assert.notDeepEqual(await buildFiles(again), before, 'the next release is the one sending');
  await shownReference(again);
  assert.equal(await storedReports(server.dataDir), 1, 'one report, once');
}, { server: { build: builds.current } }));
