// The promise the app exists to keep: a report finished with no signal is sent when signal
// returns, even with every page of the app closed, where the browser offers Background Sync
// (Chromium here, as Chrome on Android); and where it does not, the phone says what will really
// happen instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitForOfflineCopy, waitUntil } from './helpers/browser.mjs';
import {
  HELPER_COPY, NOT_SENT_TAG, SAVED_MESSAGE, SENDS_WHEN_OPEN, WAITS_FOR_THE_APP, answers, fillReport, mailedReports, queueReportOffline, sendReport,
  shownReference, storedReports, workerOutbox,
} from './helpers/report.mjs';
import { withServerAndBrowser } from './helpers/server.mjs';

/** Counts the page's own posts of reports, to show it never sends one the worker already sent. */
function countReportPosts(page) {
  const posts = { count: 0 };
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/v1/reports') posts.count += 1;
  });
  return posts;
}

/** Writes `answer` into the worker's outbox, as the worker does when it is answered. */
function putWorkerAnswer(page, answer) {
  return page.evaluate(
    (row) =>
      new Promise((resolve, reject) => {
        const opening = indexedDB.open('lost-device-outbox');
        opening.onerror = () => reject(opening.error);
        opening.onsuccess = () => {
          const transaction = opening.result.transaction('answers', 'readwrite');
          transaction.objectStore('answers').put(row);
          transaction.oncomplete = () => { opening.result.close(); resolve(); };
          transaction.onerror = () => reject(transaction.error);
        };
      }),
    answer,
  );
}

test('a report finished offline is sent once when signal returns with every page of the app closed, and the app shows it sent', async () => {
  await withServerAndBrowser(async ({ server, browser: context }) => {
    const page = context.pages()[0] ?? (await context.newPage());
    await queueReportOffline(context, page, server.url, answers({ lineManager: 'No', toldPolice: 'Not yet' }));
    const id = new URL(page.url()).searchParams.get('id');
    await page.getByText(SAVED_MESSAGE).waitFor();
    // What happens next, and the steps the person said they had not done, in the guidance's order.
    await page.getByRole('heading', { level: 2, name: 'What happens next' }).waitFor();
    const stillToDo = page.locator('.app-still-to-do > li');
    assert.deepEqual(
      (await stillToDo.allInnerTexts()).map((text) => text.split('\n')[0]),
      ['Tell your line manager', 'If it was lost or stolen, tell the police'],
    );
    await waitUntil(async () => (await workerOutbox(page)).waiting === 1, 'the worker holds the report');
    await page.close();
    assert.equal(context.pages().length, 0, 'no page of the app is open');

    // Chromium fires the registered sync by itself when emulated offline ends: no DevTools call.
    const backAt = Date.now();
    await context.setOffline(false);
    await waitUntil(async () => (await storedReports(server.dataDir)) === 1, 'the server stored the report', 60_000);
    const tookMs = Date.now() - backAt;
    const mailed = await waitUntil(async () => {
      const messages = await mailedReports(server.dataDir);
      return messages.length > 0 && messages;
    }, 'the report is in the mailbox');
    assert.equal(mailed.length, 1, 'one forwarded message');
    assert.match(mailed[0], new RegExp(`^Message-ID: <${id}@localhost>`, 'm'));
    console.log(`# network back to stored row, app closed: ${tookMs} ms`);

    // Opened again: listed as sent with the server's reference, and never sent a second time.
    const again = await context.newPage();
    const posts = countReportPosts(again);
    await again.goto(server.url + '/reports');
    const reference = await shownReference(again);
    await again.getByText('Sent', { exact: true }).waitFor();
    assert.match(mailed[0], new RegExp(`^Subject: \\[${reference}\\]`, 'm'), 'the reference the mailbox has');
    await waitUntil(async () => {
      const held = await workerOutbox(again);
      return held.waiting === 0 && held.answers === 0;
    }, 'the page took the answer and the worker forgot it');
    // "Your data" says of that second copy what was just shown.
    await again.goto(server.url + '/your-data');
    await again.getByText(HELPER_COPY).waitFor();
    await again.goto(server.url + '/reports');
    assert.equal(await shownReference(again), reference);
    assert.equal(posts.count, 0, 'the page sent nothing');

    // An answer the worker still keeps (as when the page closed before telling it to forget one)
    // is forgotten as soon as a report is removed, with nothing else opening or sending.
    await putWorkerAnswer(again, { id: crypto.randomUUID(), sent: '{"name":"left behind"}', at: Date.now(), status: 201 });
    assert.equal((await workerOutbox(again)).answers, 1);
    await again.getByRole('button', { name: 'Remove from this phone' }).click();
    await again.getByRole('button', { name: 'Yes, remove it' }).click();
    await waitUntil(async () => (await workerOutbox(again)).answers === 0, 'the worker forgot what it kept');
    assert.equal(await storedReports(server.dataDir), 1, 'still one row');
    assert.equal((await mailedReports(server.dataDir)).length, 1, 'still one message');
  }, { profile: true });
});

test('an open page and the worker both woken by signal returning store the report once', async () => {
  await withServerAndBrowser(async ({ server, browser: context }) => {
    const page = context.pages()[0] ?? (await context.newPage());
    await queueReportOffline(context, page, server.url);
    await waitUntil(async () => (await workerOutbox(page)).waiting === 1, 'the worker holds the report');

    // The page's sender (the `online` event) and the worker's sync start at the same moment.
    await context.setOffline(false);
    await shownReference(page);
    await page.getByText('Sent', { exact: true }).waitFor();
    await waitUntil(async () => {
      const held = await workerOutbox(page);
      return held.waiting === 0 && held.answers === 0;
    }, 'nothing left with the worker');
    await waitUntil(async () => (await mailedReports(server.dataDir)).length === 1, 'one message forwarded');
    assert.equal(await storedReports(server.dataDir), 1, 'one row');
  }, { profile: true });
});

test('where the browser has no Background Sync, the phone says the report goes the next time the app is open with signal', async () => {
  await withServerAndBrowser(async ({ server, browser: context }) => {
    // As in Safari on iPhone and in Firefox.
    await context.addInitScript(() => { delete window.SyncManager; });
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(server.url + '/report');
    await waitForOfflineCopy(page);
    await context.setOffline(true);
    await page.reload();
    await fillReport(page, answers({ serviceDesk: 'No' }));
    await page.getByText(SENDS_WHEN_OPEN).waitFor();
    await sendReport(page);
    await page.getByText(WAITS_FOR_THE_APP).waitFor();
    // Step 1 not done: listed with its call.
    const stillToDo = page.locator('.app-still-to-do > li');
    await stillToDo.first().getByText('Contact the IT Service Desk').waitFor();
    assert.equal(await stillToDo.first().locator('a[href="tel:08009175148"]').count(), 1, 'with the call');
    assert.equal(await page.getByText(SAVED_MESSAGE).count(), 0, 'no promise of sending with the app closed');
    await page.goto(server.url + '/reports');
    await page.getByText(NOT_SENT_TAG, { exact: true }).waitFor();
    await page.getByText(WAITS_FOR_THE_APP).waitFor();

    // Open with signal: sent, as promised.
    await context.setOffline(false);
    await shownReference(page);
    assert.equal(await storedReports(server.dataDir), 1);
  }, { profile: true });
});
