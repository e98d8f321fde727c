// Prints how long a report queued offline takes to reach the server and show its reference once
// the phone is back online, beside a baseline measured in the same run: the same report POSTed
// straight from the page with `fetch` (the network and the server alone, no app). Then, with
// every page of the app closed, how long from the network coming back to the report's row in
// the server's database: the offline worker's Background Sync alone (CLOSED_RUNS, default 5).
// Run with ./scripts/bench-report.sh (it builds first). RUNS=n changes the number of reports.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launchBrowser, launchProfile, waitUntil } from '../helpers/browser.mjs';
import { queueReportOffline, storedReports, workerOutbox } from '../helpers/report.mjs';
import { startServer } from '../helpers/server.mjs';

const RUNS = Number(process.env.RUNS || 12);
const CLOSED_RUNS = Number(process.env.CLOSED_RUNS || 5);

const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const ms = (x) => `${x.toFixed(1)} ms`.padStart(10);

const server = await startServer();
const browser = await launchBrowser();
const app = [];
const baseline = [];
const closed = [];
try {
  for (let run = 0; run < RUNS; run++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await queueReportOffline(context, page, server.url);
    // Timed in the page: from the browser's `online` event to the reference on screen.
    await page.evaluate(() => {
      window.__online = new Promise((resolve) => window.addEventListener('online', () => resolve(performance.now()), { once: true }));
      window.__shown = new Promise((resolve) => {
        const seen = () => /LD-\d{4}-\d{6}/.test(document.body.innerText) && resolve(performance.now());
        new MutationObserver(seen).observe(document.body, { subtree: true, childList: true, characterData: true });
      });
    });
    await context.setOffline(false);
    app.push(await page.evaluate(async () => (await window.__shown) - (await window.__online)));

    // Baseline: the stored report, sent again by hand under a new id (a new row, same work).
    baseline.push(await page.evaluate(async () => {
      const stored = JSON.parse(localStorage.getItem('lost-device.reports')).reports[0];
      const id = crypto.randomUUID();
      const started = performance.now();
      const response = await fetch('/api/v1/reports', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': `"${id}"` },
        body: JSON.stringify({ id, form: stored.form }),
      });
      await response.json();
      return performance.now() - started;
    }));
    await context.close();
  }
  // Every page closed: only the worker can send it. A profile on disk, as on a phone (a private
  // window has no Background Sync).
  for (let run = 0; run < CLOSED_RUNS; run++) {
    const profile = await mkdtemp(path.join(tmpdir(), 'lost-device-bench-'));
    const context = await launchProfile(profile);
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      await queueReportOffline(context, page, server.url);
      await waitUntil(async () => (await workerOutbox(page)).waiting === 1, 'the worker holds the report');
      await page.close();
      const before = await storedReports(server.dataDir);
      const started = performance.now();
      await context.setOffline(false);
      await waitUntil(async () => (await storedReports(server.dataDir)) > before, 'the row is stored', 60_000);
      closed.push(performance.now() - started);
    } finally {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    }
  }
} finally {
  await browser.close();
  await server.stop();
}

console.log(`Back online to reference shown, ${RUNS} reports (median / min / max)`);
console.log(`  app (online event -> reference on screen) ${ms(median(app))} ${ms(Math.min(...app))} ${ms(Math.max(...app))}`);
console.log(`  baseline (one fetch POST, same report)    ${ms(median(baseline))} ${ms(Math.min(...baseline))} ${ms(Math.max(...baseline))}`);
console.log('  aim: app median under 1000 ms');
console.log(`With every page of the app closed, ${CLOSED_RUNS} reports (median / min / max; polled every 100 ms)`);
console.log(`  network back -> row stored (worker's sync) ${ms(median(closed))} ${ms(Math.min(...closed))} ${ms(Math.max(...closed))}`);
