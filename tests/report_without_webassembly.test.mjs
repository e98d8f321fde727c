// The report form works from its first paint: as plain HTML while the app's WebAssembly has not
// arrived, or where it never does (turned off, as by iOS Lockdown Mode). Each page posts to the
// server, which answers with the next page, or the same page with what to fix; "Send report"
// stores it once and shows the reference. When the WebAssembly does arrive mid-journey, it takes
// over with every answer given so far.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blockWebAssembly, holdWebAssembly, waitForHydration, waitForOfflineCopy, waitUntil } from './helpers/browser.mjs';
import { SAVED_MESSAGE, SENT_STRAIGHT_AWAY, WHILE_WRITING, fillReport, mailedReports, sendReport, shownReference, storedReports } from './helpers/report.mjs';
import { withServerAndBrowser } from './helpers/server.mjs';

/** The reports the phone keeps, as stored. */
function phoneReports(page) {
  return page.evaluate(() => JSON.parse(localStorage.getItem('lost-device.reports') ?? '{"reports":[]}').reports);
}

test('with its WebAssembly blocked, a report goes from the first question to its reference as plain HTML', () => withServerAndBrowser(async ({ server, browser }) => {
  const context = await browser.newContext();
  const wasmAsked = await blockWebAssembly(context);
  const page = await context.newPage();
  await page.goto(server.url + '/report');

  // Continue with nothing chosen: the server answers with GOV.UK's error summary.
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { level: 2, name: 'There is a problem' }).waitFor();
  assert.match(await page.title(), /^Error: /);
  await page.getByRole('link', { name: 'Select what happened to the device' }).waitFor();

  await fillReport(page, undefined, { to: 'where' });
  // GOV.UK's character count, without its code: the limit, stated.
  await page.getByText('You can enter up to 1200 characters').waitFor();
  await fillReport(page, undefined, { from: 'where' });
  // The answers travel with the form, never in the address.
  assert.equal(new URL(page.url()).search, '');
  // What "Send report" does is said as it is in this mode: straight to the server, with signal.
  await page.getByText(SENT_STRAIGHT_AWAY).waitFor();
  assert.equal(await page.getByText(/kept on this phone first/).count(), 0, 'no claim that the phone keeps it');
  await sendReport(page);
  await page.getByRole('heading', { level: 1, name: 'Report sent' }).waitFor();
  const reference = await shownReference(page);
  assert.ok(wasmAsked() > 0, 'the page asked for its WebAssembly and worked without it');

  assert.equal(await storedReports(server.dataDir), 1);
  await waitUntil(async () => (await mailedReports(server.dataDir)).length === 1, 'one message forwarded');
  const [message] = await mailedReports(server.dataDir);
  assert.ok(message.includes(reference), 'the message carries the reference shown');
  // "Your data" says what this mode sends, page by page.
  await page.goto(server.url + '/your-data');
  await page.getByText(WHILE_WRITING).waitFor();
  await context.close();
}));

test('pages answered before the WebAssembly arrives become the phone\'s draft, and the report goes once', () => withServerAndBrowser(async ({ server, browser }) => {
  const context = await browser.newContext();
  // The WebAssembly (for the page and for the offline copy) arrives only when released.
  const release = await holdWebAssembly(context);
  const page = await context.newPage();
  await page.goto(server.url + '/report');
  await fillReport(page, undefined, { to: 'when' });
  assert.equal(await page.locator('html[data-hydrated="true"]').count(), 0, 'not hydrated yet');

  release();
  await waitForHydration(page);
  const [draft] = await phoneReports(page);
  assert.equal(draft.form.what_happened, 'stolen');
  assert.equal(draft.form.device, 'laptop');
  assert.equal(draft.form.asset_tag, 'MOJ-123456');
  assert.match(page.url(), new RegExp(`id=${draft.id}&page=when`));

  await waitForOfflineCopy(page);
  await context.setOffline(true);
  await fillReport(page, undefined, { from: 'when', to: 'where' });
  // With the app's code, the count follows what is typed (trimmed, as the limit is checked).
  const where = page.getByLabel('Where did it happen, or where did you last have it?');
  await where.fill('  On the train  ');
  await page.getByText('You have 1188 characters remaining').waitFor();
  await where.fill('x'.repeat(1201));
  await page.getByText('You have 1 character too many').waitFor();
  await fillReport(page, undefined, { from: 'where' });
  await sendReport(page);
  await page.getByText(SAVED_MESSAGE).waitFor();
  await context.setOffline(false);
  await shownReference(page);
  assert.equal(await storedReports(server.dataDir), 1);
  await waitUntil(async () => (await mailedReports(server.dataDir)).length === 1, 'one message forwarded');
  await context.close();
}));

test('with JavaScript off, every follow-up question is shown and the report still reaches its reference', () => withServerAndBrowser(async ({ server, browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(server.url + '/report');
  // Follow-ups of choices not made are on the page too: the server keeps only those asked.
  await page.getByLabel('What happened, in your words').waitFor({ state: 'visible' });
  await fillReport(page);
  await sendReport(page);
  await page.getByRole('heading', { level: 1, name: 'Report sent' }).waitFor();
  await shownReference(page);
  assert.equal(await storedReports(server.dataDir), 1);
  await context.close();
}));

test('with WebAssembly off and no signal, sending a page shows what to do instead of the browser\'s error', () => withServerAndBrowser(async ({ server, browser }) => {
  const context = await browser.newContext();
  // As in iOS Lockdown Mode: the page has no WebAssembly at all (the offline worker needs none).
  await context.addInitScript(() => Object.defineProperty(globalThis, 'WebAssembly', { value: undefined }));
  const page = await context.newPage();
  await page.goto(server.url + '/report');
  await waitForOfflineCopy(page);
  await page.getByRole('radio', { name: 'It was stolen', exact: true }).check();
  await context.setOffline(true);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { level: 1, name: 'You are offline' }).waitFor();
  const call = page.getByRole('button', { name: /Call the IT Service Desk 0800 917 5148/ });
  assert.equal(await call.getAttribute('href'), 'tel:08009175148');
  await context.close();
}));

test('a report the plain form sent is listed in "Your reports" with its reference once the app\'s code runs', () => withServerAndBrowser(async ({ server, browser }) => {
  const context = await browser.newContext();
  const release = await holdWebAssembly(context);
  const page = await context.newPage();
  await page.goto(server.url + '/report');
  await fillReport(page);
  await sendReport(page);
  await page.getByRole('heading', { level: 1, name: 'Report sent' }).waitFor();
  const reference = await shownReference(page);

  release();
  await waitForHydration(page);
  const [sent] = await phoneReports(page);
  assert.deepEqual(sent.delivery, { delivered: { reference } });
  await page.goto(server.url + '/reports');
  await page.getByText(reference).first().waitFor();
  await page.getByText('Sent', { exact: true }).first().waitFor();
  // The phone does not send it again.
  assert.equal(await storedReports(server.dataDir), 1);
  await context.close();
}));
