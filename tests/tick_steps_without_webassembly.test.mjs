// The home checklist is plain JavaScript: on a weak signal a tap works as soon as the steps are
// on screen, long before the app's WebAssembly arrives, and where WebAssembly is off (iOS
// Lockdown Mode) it works all the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blockWebAssembly, waitForChecklist } from './helpers/browser.mjs';
import { withServerAndBrowser } from './helpers/server.mjs';

const DONE_STEPS_KEY = 'lost-device.done-steps.v2';

test('with no WebAssembly, the home checklist ticks, remembers and says when it cannot save', () => withServerAndBrowser(async ({ server, browser }) => {
  // No worker and no WebAssembly file: the app's code never runs, only the page's JavaScript.
  const context = await browser.newContext({ serviceWorkers: 'block' });
  const wasmAsked = await blockWebAssembly(context);
  const page = await context.newPage();
  await page.goto(server.url + '/');
  await waitForChecklist(page);

  const toggle = page.getByRole('button', { name: 'Mark step 2 as done' });
  assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
  const step = page.locator('ol.app-steps > li').nth(1);
  assert.ok(await step.getByText('To do', { exact: true }).isVisible());
  await toggle.click();
  assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
  await step.getByText('Done', { exact: true }).waitFor();
  assert.equal(await step.getByText('To do', { exact: true }).isVisible(), false);
  const kept = JSON.parse(await page.evaluate((key) => localStorage.getItem(key), DONE_STEPS_KEY));
  assert.deepEqual(kept.ticks, [false, true, false]);

  await page.reload();
  await waitForChecklist(page);
  assert.equal(await page.getByRole('button', { name: 'Mark step 2 as done' }).getAttribute('aria-pressed'), 'true');
  assert.equal(await page.getByRole('button', { name: 'Mark step 1 as done' }).getAttribute('aria-pressed'), 'false');
  assert.ok(wasmAsked() > 0, 'the page did ask for its WebAssembly, and went on without it');
  assert.equal(await page.locator('html[data-hydrated]').count(), 0, 'nothing was hydrated');

  // A damaged record counts as nothing ticked; a refused write is said in plain words.
  await page.evaluate((key) => localStorage.setItem(key, '{not json'), DONE_STEPS_KEY);
  await page.reload();
  await waitForChecklist(page);
  assert.equal(await page.locator('.app-step__toggle[aria-pressed="true"]').count(), 0);
  await page.evaluate(() => {
    Storage.prototype.setItem = () => {
      throw new DOMException('full', 'QuotaExceededError');
    };
  });
  await page.getByRole('button', { name: 'Mark step 1 as done' }).click();
  await page.getByRole('alert').filter({ hasText: 'Your tick could not be saved on this phone. The steps still work.' }).waitFor();
  await context.close();
}));

test('a step ticked in one tab shows as ticked in another', () => withServerAndBrowser(async ({ server, browser }) => {
  const context = await browser.newContext();
  const [first, second] = [await context.newPage(), await context.newPage()];
  for (const page of [first, second]) {
    await page.goto(server.url + '/');
    await waitForChecklist(page);
  }
  await first.getByRole('button', { name: 'Mark step 3 as done' }).click();
  await second.locator('ol.app-steps > li').nth(2).getByText('Done', { exact: true }).waitFor();
  assert.equal(await second.getByRole('button', { name: 'Mark step 3 as done' }).getAttribute('aria-pressed'), 'true');
  await context.close();
}));

test('ticks belong to one incident: kept over a reload, cleared a day after the last change, or at once', () => withServerAndBrowser(async ({ server, browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.clock.install();
  await page.goto(server.url + '/');
  await waitForChecklist(page);
  await page.getByText('Your ticks are kept on this phone for 24 hours after your last change').waitFor();
  const ticked = () => page.locator('.app-step__toggle[aria-pressed="true"]').count();
  await page.getByRole('button', { name: 'Mark step 1 as done' }).click();
  await page.getByRole('button', { name: 'Mark step 2 as done' }).click();

  await page.clock.fastForward('23:00:00');
  await page.reload();
  await waitForChecklist(page);
  assert.equal(await ticked(), 2, 'kept within the day');

  // The day counts from the last change.
  await page.getByRole('button', { name: 'Mark step 3 as done' }).click();
  await page.clock.fastForward('23:00:00');
  await page.reload();
  await waitForChecklist(page);
  assert.equal(await ticked(), 3);
  await page.clock.fastForward('02:00:00');
  await page.reload();
  await waitForChecklist(page);
  assert.equal(await ticked(), 0, 'cleared a day after the last change');
  assert.equal(await page.evaluate((key) => localStorage.getItem(key), DONE_STEPS_KEY), null);

  await page.getByRole('button', { name: 'Mark step 2 as done' }).click();
  await page.getByRole('button', { name: 'Clear my ticks' }).click();
  assert.equal(await ticked(), 0);
  await page.reload();
  await waitForChecklist(page);
  assert.equal(await ticked(), 0, 'cleared for good');

  // Ticks of an earlier release carry no time: they may be from another incident.
  await page.evaluate(() => localStorage.setItem('lost-device.done-steps.v1', '[true,true,true]'));
  await page.reload();
  await waitForChecklist(page);
  assert.equal(await ticked(), 0);
  await context.close();
}));
