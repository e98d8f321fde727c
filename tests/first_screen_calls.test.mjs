// The first ten seconds on a small phone: the service desk call is on the first screen of home,
// before anything else a person can press in the page, before and after the app's code has run;
// and every way into a report (the home screen's shortcuts, "Your reports", a bookmark) shows the
// call above the first question. A report on the phone that waits for signal, or was just sent,
// is named on home without moving the call off the first screen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitForHydration } from './helpers/browser.mjs';
import { REFERENCE, queueReportOffline } from './helpers/report.mjs';
import { withServerAndBrowser } from './helpers/server.mjs';

const CALL = 'a[href="tel:08009175148"]';
const SMALL_PHONES = [
  { width: 360, height: 640 },
  { width: 320, height: 568 },
];

/** The call's box, and every other control's top, in the page's main content. */
function layout(page) {
  return page.evaluate((call) => {
    const main = document.querySelector('main');
    const visible = (el) => {
      const box = el.getBoundingClientRect();
      return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== 'hidden';
    };
    const pressable = [...main.querySelectorAll('a[href], button, input, select, textarea, summary')].filter(visible);
    const link = main.querySelector(call);
    const box = link.getBoundingClientRect();
    // The status bar is fixed along the bottom: what it covers is not on screen.
    const status = [...document.querySelectorAll('.app-status__line')].filter((line) => !line.hidden);
    const covered = status.length ? document.querySelector('.app-status').getBoundingClientRect().top : innerHeight;
    return {
      call: { top: box.top, bottom: box.bottom, left: box.left, right: box.right },
      viewport: { width: innerWidth, height: Math.min(innerHeight, covered) },
      firstInOrder: pressable[0] === link,
      othersAbove: pressable.filter((el) => el !== link && el.getBoundingClientRect().top < box.top).map((el) => el.outerHTML.slice(0, 80)),
    };
  }, CALL);
}

function assertOnFirstScreen(found, what) {
  const { call, viewport } = found;
  assert.ok(call.top >= 0 && call.bottom <= viewport.height, `${what}: the call is on the first screen (${call.top}–${call.bottom} of ${viewport.height})`);
  assert.ok(call.left >= 0 && call.right <= viewport.width, `${what}: the call fits across`);
  assert.ok(found.firstInOrder, `${what}: nothing to press comes before the call`);
  assert.deepEqual(found.othersAbove, [], `${what}: nothing to press sits above the call`);
}

for (const size of SMALL_PHONES) {
  test(`home at ${size.width}×${size.height}: the call is on the first screen, first, before and after hydration`, () => withServerAndBrowser(async ({ server, browser }) => {
    const context = await browser.newContext({ viewport: size, isMobile: true, hasTouch: true });
    // Hold the WebAssembly back to see the page as it first paints.
    let release;
    const held = new Promise((resolve) => (release = resolve));
    await context.route('**/*.wasm', async (route) => {
      await held;
      await route.continue();
    });
    const page = await context.newPage();
    await page.goto(server.url + '/');
    await page.locator(CALL).waitFor();
    assertOnFirstScreen(await layout(page), 'before hydration');
    release();
    await waitForHydration(page);
    assertOnFirstScreen(await layout(page), 'after hydration');
    await context.close();
  }));
}

/** The report form's first page shows the call above its first question. */
async function expectCallAboveFirstQuestion(page) {
  await page.getByText('Have you phoned the IT Service Desk yet?').waitFor();
  const call = page.locator('.app-call-first').locator(CALL);
  assert.match(await call.innerText(), /0800 917 5148/);
  const question = page.getByRole('heading', { level: 1, name: 'What happened to the device?' });
  const [callBox, questionBox] = [await call.boundingBox(), await question.boundingBox()];
  assert.ok(callBox.y + callBox.height <= questionBox.y, 'the call is above the first question');
}

test('every way into a report shows the call above the first question', () => withServerAndBrowser(async ({ server, browser }) => {
  const context = await browser.newContext({ viewport: SMALL_PHONES[0], isMobile: true, hasTouch: true });
  const page = await context.newPage();
  const manifest = await (await fetch(server.url + '/manifest.webmanifest')).json();
  const ways = manifest.shortcuts.map((shortcut) => shortcut.url);
  assert.ok(ways.includes('/report'), 'the home screen has a shortcut to the report');
  for (const url of ways) {
    await page.goto(server.url + url);
    await waitForHydration(page);
    if (url !== '/report') await page.getByRole('button', { name: 'Start a new report' }).click();
    await expectCallAboveFirstQuestion(page);
  }
  // From home, and before the WebAssembly arrives (the server's HTML shows it too).
  await page.goto(server.url + '/');
  await page.getByRole('button', { name: 'Report what happened' }).click();
  await expectCallAboveFirstQuestion(page);
  await context.close();
}));

test('home at 320×568 names a report waiting on the phone, then its reference once sent, and the call stays on the first screen', () => withServerAndBrowser(async ({ server, browser }) => {
  const context = await browser.newContext({ viewport: SMALL_PHONES[1], isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await queueReportOffline(context, page, server.url);

  await page.goto(server.url + '/');
  const status = page.getByRole('status').getByRole('link', { name: 'A report is not sent yet' });
  await status.waitFor();
  assert.equal(await status.getAttribute('href'), '/reports');
  await page.locator('#app-status-waiting').getByText('Offline.').waitFor();
  assertOnFirstScreen(await layout(page), 'a report waiting');

  await context.setOffline(false);
  const sent = page.getByRole('status').getByRole('link', { name: /^Report sent: LD-\d{4}-\d{6}$/ });
  await sent.waitFor({ timeout: 30_000 });
  assert.match(await sent.innerText(), REFERENCE);
  assert.equal(await status.isVisible(), false, 'no longer said to be waiting');
  assertOnFirstScreen(await layout(page), 'a report just sent');

  // The report pages show the report themselves, so the line is not repeated there.
  await page.goto(server.url + '/reports');
  await page.getByText(REFERENCE).first().waitFor();
  assert.equal(await page.locator('#app-status-sent').isVisible(), false);
  await context.close();
}));
