// The whole report, from the home page to the reference, with the keyboard only: Tab, Shift+Tab,
// Enter and Space (and typing the answers). Focus goes to the error summary when something is
// wrong, to the heading of each new page, and the title says "Error: " while there is an error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitForHydration } from './helpers/browser.mjs';
import { REFERENCE, yesterday } from './helpers/report.mjs';
import { withServerAndBrowser } from './helpers/server.mjs';

/** What has focus: its tag, id, type and the text a person would read on it. */
function focused(page) {
  return page.evaluate(() => {
    const element = document.activeElement;
    const label = element.labels?.[0]?.innerText ?? '';
    return {
      tag: element.tagName.toLowerCase(),
      id: element.id,
      type: element.getAttribute('type') ?? '',
      text: (label || element.innerText || '').trim(),
    };
  });
}

/** Presses `key` until `wanted(focused)` holds; fails after 40 presses. */
async function pressUntil(page, key, wanted, what) {
  for (let presses = 0; presses < 40; presses += 1) {
    await page.keyboard.press(key);
    const now = await focused(page);
    if (wanted(now)) return now;
  }
  throw new Error(`${key} never reached ${what}; focus is on ${JSON.stringify(await focused(page))}`);
}

const tabTo = (page, wanted, what) => pressUntil(page, 'Tab', wanted, what);
const named = (text) => (f) => f.text === text;

/** Waits for a new page of the journey: its heading has focus and names it. */
async function expectHeadingFocused(page, heading) {
  await page.waitForFunction(
    (text) => document.activeElement?.id === 'journey-heading' && document.activeElement.innerText.includes(text),
    heading,
  );
  assert.doesNotMatch(await page.title(), /^Error: /);
}

/** Tabs to the first choice of the question on this page and chooses it with Space. */
async function chooseFirst(page, label) {
  await tabTo(page, (f) => f.type === 'radio', `the first choice (${label})`);
  assert.equal((await focused(page)).text, label);
  await page.keyboard.press('Space');
}

/** Tabs to the input labelled `label` and types `text`. */
async function typeInto(page, label, text) {
  await tabTo(page, named(label), label);
  await page.keyboard.type(text);
}

async function continueWithEnter(page) {
  await tabTo(page, named('Continue'), 'Continue');
  await page.keyboard.press('Enter');
}

test('a report from home to its reference with Tab, Shift+Tab, Enter and Space only', () => withServerAndBrowser(async ({ server, browser }) => {
  const page = await browser.newPage();
  await page.goto(server.url + '/');
  await waitForHydration(page);

  await tabTo(page, named('Report what happened'), 'the start button');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'What happened to the device?' }).waitFor();
  await waitForHydration(page);

  // Nothing chosen: the error summary takes focus, the title says so, its link leads to the question.
  await continueWithEnter(page);
  await page.waitForFunction(() => document.activeElement?.id === 'error-summary');
  assert.match(await page.title(), /^Error: What happened to the device\?/);
  await tabTo(page, named('Select what happened to the device'), 'the error link');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement?.type === 'radio'); // the first choice
  await page.keyboard.press('Space');
  await continueWithEnter(page);

  await expectHeadingFocused(page, 'What kind of device is it?');
  await chooseFirst(page, 'Laptop');
  await typeInto(page, 'Asset tag or serial number (optional)', 'MOJ-123456');
  // Shift+Tab goes back the way it came: to the chosen radio.
  await pressUntil(page, 'Shift+Tab', (f) => f.type === 'radio', 'the choice, backwards');
  assert.equal((await focused(page)).text, 'Laptop');
  await continueWithEnter(page);

  await expectHeadingFocused(page, 'When did it happen, or when did you notice?');
  const date = yesterday();
  await typeInto(page, 'Day', date.day);
  await typeInto(page, 'Month', date.month);
  await typeInto(page, 'Year', date.year);
  await continueWithEnter(page);

  await expectHeadingFocused(page, 'Where did it happen, or where did you last have it?');
  await page.keyboard.press('Tab');
  await page.keyboard.type('On the train from Leeds to London');
  await continueWithEnter(page);

  // Pages answered by their first choice, some with a follow-up to type: [heading, choice, follow-up].
  const choicePages = [
    ['Was the device shut down?', 'Yes, it was shut down'],
    ['Was MoJ information on it, or could it be reached from it?', 'Yes', ['Roughly what information', 'Case notes']],
    ['Have you contacted the IT Service Desk?', 'Yes'],
    ['Have you told your line manager?', 'Yes'],
    ['Have you told the police?', 'Yes', ['Police incident reference number (optional)', 'CAD 1234']],
  ];
  for (const [heading, choice, followUp] of choicePages) {
    await expectHeadingFocused(page, heading);
    await chooseFirst(page, choice);
    if (followUp) await typeInto(page, ...followUp);
    await continueWithEnter(page);
  }

  await expectHeadingFocused(page, 'How can the people handling your report reach you?');
  await typeInto(page, 'Your name', 'Sam Example');
  await typeInto(page, 'Your work email address', 'sam.example@justice.gov.uk');
  await typeInto(page, 'A phone number to reach you on now', '07700 900 982');
  await continueWithEnter(page);

  await expectHeadingFocused(page, 'Check your answers before sending your report');
  await tabTo(page, named('Send report'), 'Send report');
  await page.keyboard.press('Enter');
  await expectHeadingFocused(page, 'Report');
  await page.getByText(REFERENCE).first().waitFor({ timeout: 20_000 });
  await page.getByRole('heading', { level: 1, name: 'Report sent' }).waitFor();
}));

test('without WebAssembly, the same report with the keyboard only, each page answered by the server', () => withServerAndBrowser(async ({ server, browser }) => {
  const context = await browser.newContext();
  // As in iOS Lockdown Mode: no WebAssembly, so the form is plain HTML posted page by page.
  await context.addInitScript(() => Object.defineProperty(globalThis, 'WebAssembly', { value: undefined }));
  const page = await context.newPage();
  await page.goto(server.url + '/report');
  const heading = (name) => page.getByRole('heading', { level: 1, name }).waitFor();

  // Nothing chosen: the server's answer has the error summary and "Error: " in its title; its
  // link leads to the question.
  await heading('What happened to the device?');
  await continueWithEnter(page);
  await page.getByRole('heading', { level: 2, name: 'There is a problem' }).waitFor();
  assert.match(await page.title(), /^Error: What happened to the device\?/);
  await tabTo(page, named('Select what happened to the device'), 'the error link');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement?.type === 'radio');
  await page.keyboard.press('Space');
  // Enter in an answer presses Continue, the form's first button (Back is a form of its own).
  await page.keyboard.press('Enter');

  await heading('What kind of device is it?');
  await chooseFirst(page, 'Laptop');
  await typeInto(page, 'Asset tag or serial number (optional)', 'MOJ-123456');
  await page.keyboard.press('Enter');

  await heading('When did it happen, or when did you notice?');
  const date = yesterday();
  await typeInto(page, 'Day', date.day);
  await typeInto(page, 'Month', date.month);
  await typeInto(page, 'Year', date.year);
  await continueWithEnter(page);

  await heading('Where did it happen, or where did you last have it?');
  await typeInto(page, 'Where did it happen, or where did you last have it?', 'On the train from Leeds to London');
  await continueWithEnter(page);

  for (const [name, choice, followUp] of [
    ['Was the device shut down?', 'Yes, it was shut down'],
    ['Was MoJ information on it, or could it be reached from it?', 'Yes', ['Roughly what information', 'Case notes']],
    ['Have you contacted the IT Service Desk?', 'Yes'],
    ['Have you told your line manager?', 'Yes'],
    ['Have you told the police?', 'Yes', ['Police incident reference number (optional)', 'CAD 1234']],
  ]) {
    await heading(name);
    await chooseFirst(page, choice);
    if (followUp) await typeInto(page, ...followUp);
    await continueWithEnter(page);
  }

  await heading('How can the people handling your report reach you?');
  await typeInto(page, 'Your name', 'Sam Example');
  await typeInto(page, 'Your work email address', 'sam.example@justice.gov.uk');
  await typeInto(page, 'A phone number to reach you on now', '07700 900 982');
  await continueWithEnter(page);

  await heading('Check your answers before sending your report');
  await tabTo(page, named('Send report'), 'Send report');
  await page.keyboard.press('Enter');
  await heading('Report sent');
  await page.getByText(REFERENCE).first().waitFor();
  await context.close();
}));
