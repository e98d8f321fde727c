// Everyone can use it: axe-core (WCAG 2.2 A and AA, and best practices) finds nothing on any page
// or in any state of the report; nothing scrolls sideways on a 320 px screen; and a 360×740
// screenshot of each main screen is saved under tests/screenshots/ for a person to look at.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expectNoViolations, screenshot } from './helpers/access.mjs';
import { waitForHydration, waitForOfflineCopy } from './helpers/browser.mjs';
import { pages } from './helpers/guidance.mjs';
import { queueReportOffline, sendReport, shownReference } from './helpers/report.mjs';
import { withServerAndBrowser } from './helpers/server.mjs';

const PHONE = { width: 360, height: 740 };

/** Fails if anything on the page is wider than the screen. */
async function expectNoSidewaysScroll(page, what) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `${what} scrolls sideways by ${overflow} px`);
}

/** Fails if a control a thumb must hit is under 44 px tall (links inside text are text). */
async function expectBigTapTargets(page, what) {
  const small = await page.evaluate(() => [...document.querySelectorAll(
    'button, .govuk-button, input, textarea, .govuk-service-navigation__link, .govuk-generic-header__homepage-link, .app-related a',
  )]
    .filter((element) => element.getClientRects().length > 0 && getComputedStyle(element).visibility !== 'hidden')
    .filter((element) => element.getBoundingClientRect().height < 44)
    .map((element) => `${element.tagName.toLowerCase()} "${(element.innerText || element.id).trim().slice(0, 40)}"`));
  assert.deepEqual(small, [], `${what}: controls under 44 px`);
}


/** A phone-sized page whose every check also runs at 320 px wide. */
async function check(page, what, shot) {
  await expectNoViolations(page, what);
  await expectNoSidewaysScroll(page, what);
  await expectBigTapTargets(page, what);
  if (shot) await screenshot(page, shot);
  await page.setViewportSize({ width: 320, height: 740 });
  await expectNoSidewaysScroll(page, `${what} at 320 px`);
  await page.setViewportSize(PHONE);
}

test('every guidance page, the 404 page and the offline page', () => withServerAndBrowser(async ({ server, browser }) => {
  const context = await browser.newContext({ viewport: PHONE });
  const page = await context.newPage();
  for (const entry of pages) {
    await page.goto(server.url + entry.path);
    // Only home has a checklist and an island ("Add to home screen") to wait for.
    if (entry.path === '/') await waitForHydration(page);
    const shot = { '/': 'home', '/guidance/shut-down': 'guidance-page' }[entry.path];
    await check(page, entry.path, shot);
  }
  // Home's first screen on the smallest phones, as a person sees it (not the whole page).
  for (const size of [{ width: 360, height: 640 }, { width: 320, height: 568 }]) {
    await page.setViewportSize(size);
    await page.goto(server.url + '/');
    await waitForHydration(page);
    await screenshot(page, `home-first-screen-${size.width}x${size.height}`, { fullPage: false });
  }
  await page.setViewportSize(PHONE);
  for (const extra of ['/your-data', '/no-such-page']) {
    await page.goto(server.url + extra);
    await check(page, extra);
  }
  await page.goto(server.url + '/');
  await waitForOfflineCopy(page);
  await context.setOffline(true);
  await page.goto(server.url + '/not-saved-anywhere');
  await page.getByRole('heading', { level: 1, name: 'You are offline' }).waitFor();
  await check(page, 'the offline page');
  await context.close();
}));

test('each question page, its error state, Check your answers and the confirmation', () => withServerAndBrowser(async ({ server, browser }) => {
  const context = await browser.newContext({ viewport: PHONE });
  const page = await context.newPage();
  await page.goto(server.url + '/report');
  await waitForHydration(page);

  // Every question page, first with its errors (Continue with nothing answered), then answered.
  let pageCount = 0;
  for (;;) {
    const heading = await page.getByRole('heading', { level: 1 }).innerText();
    if (heading.startsWith('Check your answers')) break;
    await page.getByRole('button', { name: 'Continue' }).click();
    // Every page asks at least one question that must be answered, so every page has an
    // error state to check.
    await page.getByRole('heading', { level: 2, name: 'There is a problem' }).waitFor();
    assert.match(await page.title(), /^Error: /, `${heading}: the title says there is an error`);
    await check(page, `${heading} (errors)`, pageCount === 0 ? 'question-with-errors' : undefined);
    await answerThisPage(page);
    await check(page, heading);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForFunction((before) => document.querySelector('h1')?.innerText !== before, heading);
    pageCount += 1;
  }
  assert.ok(pageCount >= 8, `${pageCount} question pages`);
  await check(page, 'Check your answers', 'check-your-answers');

  await sendReport(page);
  await shownReference(page);
  await page.getByRole('heading', { level: 1, name: 'Report sent' }).waitFor();
  await check(page, 'the confirmation', 'confirmation');
  await context.close();
}));

test('"Your reports" with a report in each state, and its confirmations', () => withServerAndBrowser(async ({ server, browser }) => {
  const context = await browser.newContext({ viewport: PHONE });
  // Counts the app's requests to keep its storage (the browser's answer is its own).
  await context.addInitScript(() => {
    const persist = navigator.storage.persist.bind(navigator.storage);
    window.persistAsked = 0;
    navigator.storage.persist = () => {
      window.persistAsked += 1;
      return persist();
    };
  });
  const page = await context.newPage();
  // A draft, a report waiting offline, then one delivered once back online.
  await page.goto(server.url + '/report');
  await waitForHydration(page);
  await page.getByRole('radio', { name: 'It is lost' }).check();
  await page.waitForFunction(() => window.persistAsked > 0);
  await queueReportOffline(context, page, server.url);
  await page.goto(server.url + '/reports');
  await page.getByText('Not sent: still being written').waitFor();
  // While a report waits in a browser tab, the person is told how to keep it safe, and whether
  // the browser promised to keep it.
  await page.getByText('A report is waiting on this phone. Add this app to your home screen to keep it safe until it is sent.').waitFor();
  const kept = page.getByText('This browser will keep the reports on this phone until you remove them.');
  const mayClear = page.getByText(/This browser may clear what is saved on this phone/);
  await page.waitForFunction(() => [...document.querySelectorAll('main p')].some((p) => !p.hidden && /This browser (will keep|may clear)/.test(p.innerText)));
  assert.equal(Number(await kept.isVisible()) + Number(await mayClear.isVisible()), 1, 'one honest answer');
  await check(page, '"Your reports" with a draft and a waiting report');

  await context.setOffline(false);
  await shownReference(page);
  await check(page, '"Your reports" with a sent report', 'your-reports');

  // Removing asks first, and says when it is done.
  await page.getByRole('button', { name: 'Delete this draft' }).click();
  await page.getByRole('button', { name: 'Yes, delete this draft' }).waitFor();
  await page.waitForFunction(() => document.activeElement?.innerText.trim() === 'Yes, delete this draft');
  await check(page, 'the confirmation before deleting a draft');
  await page.getByRole('button', { name: 'Yes, delete this draft' }).click();
  await page.getByText('The report was removed from this phone.').waitFor();
  assert.equal(await page.getByText('Not sent: still being written').count(), 0);
  await context.close();
}));

/** Answers whatever the current question page asks, as a person would, by label. */
async function answerThisPage(page) {
  const radios = page.getByRole('radio');
  if ((await radios.count()) > 0) {
    // The first choice of each question; follow-ups it reveals are answered below.
    for (const group of await page.locator('.govuk-radios').all()) {
      await group.getByRole('radio').first().check();
    }
  }
  for (const field of await page.locator('input[type="text"]:visible, input[type="email"]:visible, input[type="tel"]:visible, textarea:visible').all()) {
    if (await field.inputValue()) continue;
    const id = await field.getAttribute('id');
    const value = {
      'date-day': '2', 'date-month': '11', 'date-year': '2026', email: 'sam@justice.gov.uk', phone: '07700 900 982',
    }[id] ?? 'Some words';
    await field.fill(value);
  }
}

