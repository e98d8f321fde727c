// Filling in and following an incident report as a person would: by label, role and visible text.
import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { promisify } from 'node:util';
import path from 'node:path';
import { waitForOfflineCopy } from './browser.mjs';

/** The sentence shown while a report waits on the phone, where the browser sends it with the app closed (Chromium). */
export const SAVED_MESSAGE = 'Kept on this phone until it is sent. It will be sent by itself as soon as there is signal, even if you close the app.';
/** The same, where only an open app sends it (no Background Sync: Safari, Firefox). */
/** "Your data" on the worker's copy, made true by the test that sends with the app closed. */
export const HELPER_COPY = "While a report waits for signal, the app's offline helper in this browser keeps a second copy of it, so that the report can be sent even with the app closed. That copy is removed once the report has been sent and the app has been opened again.";
export const WAITS_FOR_THE_APP = 'Kept on this phone until it is sent. It will be sent the next time this app is open with signal, so open it again once you have signal.';
/** What "Send report" does while the form works as plain HTML. */
export const SENT_STRAIGHT_AWAY = 'Pressing “Send report” sends it to this service straight away, so you need signal. Without signal, phone the IT Service Desk instead.';
/** What "Your data" says leaves the phone before "Send report", in both modes. */
export const WHILE_WRITING = 'While the app runs on your phone, nothing you write leaves it until you press “Send report”. If the app cannot run (for example while it is still loading on a weak signal, or if this browser blocks its code), the form works as a plain web page instead: each “Continue” sends the answers so far to this service\'s server, which uses them only to show the next page and keeps none of them until you press “Send report”.';
/** The same after a failed try with a connection, where the browser keeps trying with the app closed. */
export const KEEPS_TRYING = 'Kept on this phone until it is sent. This phone tries again by itself for a while, even if you close the app, and each time you open the app.';
/** What "Check your answers" says "Send report" does, with the app's code, where the browser has Background Sync. */
export const SENDS_WITH_APP_CLOSED = 'Your report is kept on this phone first, then sent. With no signal, it is sent by itself as soon as there is signal, even if you close the app.';
/** The same where it has not. */
export const SENDS_WHEN_OPEN = 'Your report is kept on this phone first, then sent. With no signal, it is sent the next time this app is open with signal.';
/** The heading of the confirmation while a report waits to be sent. */
export const WAITING_HEADING = 'Report waiting to be sent';
/** The tag of a report not sent yet. */
export const NOT_SENT_TAG = 'Not sent yet';
/** What a server reference looks like. */
export const REFERENCE = /LD-\d{4}-\d{6}/;

/** A complete, valid report as the phone sends it (the JSON form), for tests that post to the API. */
export const EXAMPLE_FORM = {
  what_happened: 'stolen', device: 'laptop', date_day: '2', date_month: '11', date_year: '2026',
  location: 'Train from Leeds to London', shut_down: 'locked-or-asleep', moj_information: 'no',
  contacted_service_desk: 'yes', told_line_manager: 'no', told_police: 'yes',
  name: 'Sam Example', email: 'sam.example@justice.gov.uk', phone: '07700 900 982',
};

/** Posts report `id` with `form` to the server at `url` as a phone does; resolves to the response. */
export function postReport(url, id, form = EXAMPLE_FORM) {
  return fetch(`${url}/api/v1/reports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': `"${id}"` },
    body: JSON.stringify({ id, form }),
  });
}

/** Yesterday's date parts, as typed into the form. */
export function yesterday() {
  const date = new Date(Date.now() - 24 * 3600 * 1000);
  return { day: String(date.getDate()), month: String(date.getMonth() + 1), year: String(date.getFullYear()) };
}

/** A complete set of answers; `overrides` replaces some. */
export function answers(overrides = {}) {
  return {
    whatHappened: 'It was stolen',
    device: 'Laptop',
    assetTag: 'MOJ-123456',
    date: yesterday(),
    time: 'about 6pm',
    where: 'On the train from Leeds to London',
    shutDown: 'No, it was only locked or asleep',
    information: 'Yes',
    informationDetails: 'Case notes in my documents folder',
    serviceDesk: 'Yes',
    ticket: 'INC0012345',
    lineManager: 'Yes',
    toldPolice: 'Yes',
    police: 'CAD 1234 27/11',
    name: 'Sam Example',
    email: 'sam.example@justice.gov.uk',
    phone: '07700 900 982',
    ...overrides,
  };
}

async function choose(page, question, label) {
  await page.getByRole('heading', { level: 1, name: question }).waitFor();
  await page.getByRole('radio', { name: label, exact: true }).check();
}

async function next(page) {
  await page.getByRole('button', { name: 'Continue' }).click();
}

/** The pages of the form, in order, as `fillReport` names them. */
export const PAGES = ['what-happened', 'device', 'when', 'where', 'shut-down', 'information', 'service-desk', 'line-manager', 'police', 'your-details'];

/**
 * Goes from the first question (or the page `from`, one of `PAGES`) to "Check your answers" (or
 * up to the page `to`), answering every page.
 */
export async function fillReport(page, a = answers(), { from = PAGES[0], to } = {}) {
  const steps = {
    'what-happened': async () => {
      await choose(page, 'What happened to the device?', a.whatHappened);
    },
    device: async () => {
      await choose(page, 'What kind of device is it?', a.device);
      await page.getByLabel('Asset tag or serial number').fill(a.assetTag);
    },
    when: async () => {
      await page.getByRole('heading', { level: 1, name: 'When did it happen, or when did you notice?' }).waitFor();
      await page.getByLabel('Day').fill(a.date.day);
      await page.getByLabel('Month').fill(a.date.month);
      await page.getByLabel('Year').fill(a.date.year);
      await page.getByLabel('Roughly what time').fill(a.time);
    },
    where: async () => {
      await page.getByLabel('Where did it happen, or where did you last have it?').fill(a.where);
    },
    'shut-down': async () => {
      await choose(page, 'Was the device shut down?', a.shutDown);
    },
    information: async () => {
      await choose(page, 'Was MoJ information on it, or could it be reached from it?', a.information);
      await page.getByLabel('Roughly what information').fill(a.informationDetails);
    },
    'service-desk': async () => {
      await choose(page, 'Have you contacted the IT Service Desk?', a.serviceDesk);
      if (a.serviceDesk === 'Yes') await page.getByLabel('Service desk ticket reference').fill(a.ticket);
    },
    'line-manager': async () => {
      await choose(page, 'Have you told your line manager?', a.lineManager);
    },
    police: async () => {
      await choose(page, 'Have you told the police?', a.toldPolice);
      if (a.toldPolice === 'Yes') await page.getByLabel('Police incident reference number').fill(a.police);
    },
    'your-details': async () => {
      await page.getByRole('heading', { level: 1, name: 'How can the people handling your report reach you?' }).waitFor();
      await page.getByLabel('Your name').fill(a.name);
      await page.getByLabel('Your work email address').fill(a.email);
      await page.getByLabel('A phone number to reach you on now').fill(a.phone);
    },
  };
  for (const name of PAGES.slice(PAGES.indexOf(from), to ? PAGES.indexOf(to) : undefined)) {
    await steps[name]();
    await next(page);
  }
  if (!to) await page.getByRole('heading', { level: 1, name: 'Check your answers before sending your report' }).waitFor();
}

/** Presses "Send report" on "Check your answers". */
export async function sendReport(page) {
  await page.getByRole('button', { name: 'Send report' }).click();
}

/**
 * With no signal, fills in and sends a report from `base` + `/report` (once the app is saved on
 * the phone): afterwards it waits in the phone's queue. "Check your answers" says `sending` and
 * the confirmation `message` (by default, where the browser has Background Sync: that it goes
 * even with the app closed). `context` is `page`'s browser context.
 */
export async function queueReportOffline(context, page, base, a = answers(), { message = SAVED_MESSAGE, sending = SENDS_WITH_APP_CLOSED } = {}) {
  await page.goto(base + '/report');
  await waitForOfflineCopy(page);
  await context.setOffline(true);
  await fillReport(page, a);
  await page.getByText(sending).waitFor();
  await sendReport(page);
  await page.getByRole('heading', { level: 1, name: WAITING_HEADING }).waitFor();
  await page.getByText(message).waitFor();
}

/**
 * The server's deliveries not yet done, as its public readiness check counts them: waiting or in
 * progress (`undelivered`, which includes those held back) and held back (`parked`).
 */
export async function deliveriesLeft(base) {
  const { undelivered, parked } = await (await fetch(base + '/readyz')).json();
  return { undelivered, parked };
}

/** What the offline worker holds for sending (`waiting`) and answers not yet taken by a page. */
export function workerOutbox(page) {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const opening = indexedDB.open('lost-device-outbox');
        opening.onerror = () => reject(opening.error);
        opening.onsuccess = () => {
          const db = opening.result;
          if (!db.objectStoreNames.contains('waiting')) return resolve({ waiting: 0, answers: 0 });
          const transaction = db.transaction(['waiting', 'answers']);
          const counts = {};
          for (const name of ['waiting', 'answers']) {
            const counting = transaction.objectStore(name).count();
            counting.onsuccess = () => { counts[name] = counting.result; };
          }
          transaction.oncomplete = () => { db.close(); resolve(counts); };
        };
      }),
  );
}

/** How many reports the server's database holds (read with Debian's sqlite3). */
export async function storedReports(dataDir) {
  const { stdout } = await promisify(execFile)('sqlite3', [
    '-readonly',
    path.join(dataDir, 'reports.sqlite3'),
    'SELECT count(*) FROM reports',
  ]);
  return Number(stdout.trim());
}

/**
 * The messages the server forwarded to its default destination, the Maildir `DATA_DIR/mail`
 * (only whole messages: they arrive in `new/` by rename).
 */
export async function mailedReports(dataDir) {
  const dir = path.join(dataDir, 'mail', 'new');
  const names = await readdir(dir).catch(() => []);
  return Promise.all(names.map((name) => readFile(path.join(dir, name), 'utf8')));
}

/** The server reference shown on the page, once there is one. */
export async function shownReference(page) {
  const reference = page.getByText(REFERENCE).first();
  await reference.waitFor({ timeout: 20_000 });
  return (await reference.innerText()).match(REFERENCE)[0];
}
