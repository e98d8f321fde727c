// The server fails, or its reply is lost after it stored the report: the phone keeps the report,
// tries again by itself, and the server ends up with exactly one copy, whose reference is shown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { waitForOfflineCopy, waitUntil } from './helpers/browser.mjs';
import { KEEPS_TRYING, fillReport, sendReport, shownReference, storedReports } from './helpers/report.mjs';
import { withServerAndBrowser } from './helpers/server.mjs';

/**
 * Fills in and sends a report through a proxy that follows `plan`, running `whilst(page, proxy)`
 * before the reference is shown; returns what happened. The page's clock is Playwright's, so a
 * test about waiting moves time on instead of waiting.
 */
async function sendThrough(plan, whilst = async () => {}) {
  return withServerAndBrowser(async ({ server, browser, url, proxy }) => {
    const page = await browser.newPage();
    await page.clock.install();
    await page.goto(url + '/report');
    await waitForOfflineCopy(page);
    await fillReport(page);
    await sendReport(page);
    await whilst(page, proxy);
    const reference = await shownReference(page);
    await page.getByRole('heading', { level: 1, name: 'Report sent' }).waitFor();
    const { stdout } = await promisify(execFile)('sqlite3', [
      '-readonly', path.join(server.dataDir, 'reports.sqlite3'), 'SELECT reference FROM reports',
    ]);
    return { reference, stored: stdout.trim(), rows: await storedReports(server.dataDir), submissions: proxy.submissions() };
  }, { faults: plan });
}

test('two server errors, then the report goes through by itself, once', async () => {
  const result = await sendThrough(
    (n) => (n <= 2 ? 'fail-500' : 'pass'),
    async (page) => {
      await page.getByText('The last try did not work. The server had a problem.').waitFor();
      await page.getByText('Next try', { exact: true }).waitFor();
      // Chromium has Background Sync: the phone keeps trying with the app closed too, for a while.
      await page.getByText(KEEPS_TRYING).waitFor();
    },
  );
  assert.equal(result.submissions, 3, 'two failures and one success');
  assert.equal(result.rows, 1);
  assert.equal(result.reference, result.stored, 'the reference shown is the stored one');
});

test('a reply lost after the server stored the report: the retry gets the same reference', async () => {
  const result = await sendThrough(
    (n) => (n === 1 ? 'commit-then-drop' : 'pass'),
    (page) => page.getByText('The last try did not work. There is no connection to the server.').waitFor(),
  );
  assert.equal(result.submissions, 2, 'sent again after the lost reply');
  assert.equal(result.rows, 1, 'still one report on the server');
  assert.equal(result.reference, result.stored);
});

test('a Wi-Fi sign-in page answering 200 is not a delivery: the report waits and goes later', async () => {
  const result = await sendThrough(
    (n) => (n === 1 ? 'wifi-sign-in' : 'pass'),
    (page) => page.getByText(/The last try did not work\. Something answered that is not the report server/).waitFor(),
  );
  assert.equal(result.submissions, 2);
  assert.equal(result.rows, 1);
});

test('a server that never answers: the send times out and is tried again', async () => {
  const result = await sendThrough(
    (n) => (n === 1 ? 'hang' : 'pass'),
    async (page, proxy) => {
      await waitUntil(async () => proxy.submissions() === 1, 'the report was sent');
      // The phone gives a send 15 seconds.
      await page.clock.fastForward('00:16');
      await page.getByText('The last try did not work. The server did not answer in time.').waitFor();
    },
  );
  assert.equal(result.submissions, 2);
  assert.equal(result.rows, 1);
});

test('the tab is closed mid-send after the server stored the report: reopened, it is sent once', async () => {
  const faults = (n) => (n === 1 ? 'commit-then-hang' : 'pass');
  await withServerAndBrowser(async ({ server, browser, url, proxy }) => {
    const context = await browser.newContext();
    let page = await context.newPage();
    await page.goto(url + '/report');
    await waitForOfflineCopy(page);
    await fillReport(page);
    await sendReport(page);
    await page.getByText('Sending', { exact: true }).waitFor();
    await waitUntil(async () => (await storedReports(server.dataDir)) === 1, 'the server stored it');
    await page.close();

    page = await context.newPage();
    await page.goto(url + '/reports');
    const reference = await shownReference(page);
    await page.getByText('Sent', { exact: true }).waitFor();
    assert.equal(proxy.submissions(), 2, 'sent again after the tab closed');
    assert.equal(await storedReports(server.dataDir), 1, 'still one report');
    assert.match(reference, /LD-\d{4}-000001/);
  }, { faults });
});

/** The phone's stored record of the one report: when it was last tried and is next due. */
function storedTimes(page) {
  return page.evaluate(() => {
    const [report] = JSON.parse(localStorage.getItem('lost-device.reports')).reports;
    return { last: report.last_attempt_at_ms, next: report.next_attempt_at_ms };
  });
}

test('a 429 and a 503 asking for 30 seconds: the phone waits as asked, then delivers once', async () => {
  const result = await sendThrough(
    (n) => ['busy-429', 'busy-503'][n - 1] ?? 'pass',
    async (page) => {
      for (const [n, words] of [[1, 'too many reports'], [2, 'busy or down for maintenance']]) {
        await page.getByText(new RegExp(`The last try did not work\\. The server is .*${words}`)).waitFor();
        const { last, next } = await storedTimes(page);
        assert.ok(next - last >= 29_500, `try ${n}: next try ${next - last} ms later, not sooner than asked`);
        // Longer than the phone's own first wait (5 s): nothing is sent before the 30 s are up.
        await page.clock.fastForward('00:06');
        assert.equal((await storedTimes(page)).last, last, `try ${n}: no try before the wait`);
        await page.getByRole('button', { name: 'Send now' }).click();
      }
    },
  );
  assert.equal(result.submissions, 3, 'two busy answers, then the report');
  assert.equal(result.rows, 1);
  assert.equal(result.reference, result.stored);
});

test('the server is down for a while (connection refused), then back: the report goes once', async () => {
  await withServerAndBrowser(async ({ server, browser }) => {
    const page = await browser.newPage();
    await page.goto(server.url + '/report');
    await waitForOfflineCopy(page);
    await server.stop();
    await fillReport(page);
    await sendReport(page);
    await page.getByText('The last try did not work. There is no connection to the server.').waitFor();
    await server.restart();
    await shownReference(page);
    assert.equal(await storedReports(server.dataDir), 1);
  });
});

test('a slow network (400 kbit/s, 400 ms latency) from the first visit to the reference', async () => {
  await withServerAndBrowser(async ({ server, browser }) => {
    const page = await browser.newPage();
    const cdp = await page.context().newCDPSession(page);
    const bytesPerSecond = (400 * 1000) / 8;
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false, latency: 400, downloadThroughput: bytesPerSecond, uploadThroughput: bytesPerSecond,
    });
    await page.goto(server.url + '/report', { timeout: 60_000 });
    await waitForOfflineCopy(page);
    await fillReport(page);
    await sendReport(page);
    await shownReference(page);
    await page.getByRole('heading', { level: 1, name: 'Report sent' }).waitFor();
    assert.equal(await storedReports(server.dataDir), 1);
  });
});
