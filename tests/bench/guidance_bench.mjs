// Prints the figures for the offline guidance app, side by side with a plain static page of the
// same home content, measured in the same run:
// - bytes a first visit transfers (compressed), by kind;
// - offline cold start with Chromium's CPU slowed 4x: first contentful paint, when the home
//   checklist answers a tap, and when every island is hydrated;
// - how long an offline navigation takes to get its page from a worker that is not running yet.
// The previous run's figures (target/bench/guidance.json) are printed beside this run's.
// BASELINE_BUILD=dir (a build directory like BENCH_BUILD's) also measures that build in the same
// run, its cold starts taken in turn with this build's.
// Run with ./scripts/bench.sh (it builds first). RUNS=n changes the number of cold starts.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launchProfile, waitForOfflineCopy } from '../helpers/browser.mjs';
import { startServer } from '../helpers/server.mjs';
import { baselineBuild, benchBuild, median, readFigures, sourceVersion, startStaticSite, transferred, writeFigures } from './static_site.mjs';

const RUNS = Number(process.env.RUNS || 10);
// A question page, never opened online: the worker stored it on the first visit.
const REPORT_PAGE = '/report?page=device';
const CPU_SLOWDOWN = 4;

function kind(url, type) {
  if (type.startsWith('text/html')) return 'html';
  if (url.endsWith('.wasm')) return 'wasm';
  if (url.endsWith('.js')) return 'js';
  if (url.endsWith('.css')) return 'css';
  return 'other';
}

/** Every byte the app's first visit downloads: the page, its files, and what the worker stores. */
async function appBytes(base) {
  const script = await (await fetch(base + '/sw.js')).text();
  const precache = JSON.parse(script.match(/^const PRECACHE = (.*);$/m)[1]);
  const urls = ['/sw.js', ...precache.pages, ...precache.assets.map((a) => a.url)];
  const totals = { html: 0, js: 0, wasm: 0, css: 0, other: 0 };
  for (const url of new Set(urls)) {
    const { bytes, type } = await transferred(base + url);
    totals[kind(url, type)] += bytes;
  }
  return totals;
}

/** Visits `base` once online so its worker stores the page, in a new profile. */
async function prepareProfile(base) {
  const dir = await mkdtemp(path.join(tmpdir(), 'lost-device-bench-'));
  const context = await launchProfile(dir);
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(base + '/');
  await waitForOfflineCopy(page);
  await context.close();
  return dir;
}

/**
 * In the page, once each exists: first contentful paint, when the home checklist answers a tap,
 * and when every island is hydrated (ms from navigation start). Run through the DevTools
 * protocol rather than Playwright's locators, whose own script (about 90 ms to evaluate at 4x
 * CPU) would otherwise run in the page in the middle of the start-up being measured.
 */
const pageTimes = (hydrates) => `new Promise((resolve) => {
  const found = {};
  // Builds before the app's own hydration script only mark their first island; builds before
  // checklist.js made the checklist work with its islands.
  const islands = document.getElementById('app-hydration') ? 'islands-hydrated' : 'hydrated';
  const checklist = document.querySelector('script[src="/checklist.js"]') ? 'checklist-ready' : islands;
  const wanted = ${hydrates} ? { fcp: 'first-contentful-paint', hydrated: islands, checklist } : { fcp: 'first-contentful-paint' };
  const take = (list) => {
    for (const entry of list.getEntries()) {
      for (const [key, name] of Object.entries(wanted)) if (entry.name === name) found[key] = entry.startTime;
    }
    if (Object.keys(wanted).every((key) => key in found)) resolve(found);
  };
  new PerformanceObserver(take).observe({ type: 'paint', buffered: true });
  new PerformanceObserver(take).observe({ type: 'mark', buffered: true });
})`;

/** One cold start offline: a new browser process, worker not running, CPU slowed. */
async function coldStart(profile, base, hydrates, path = '/') {
  const context = await launchProfile(profile, { offline: true });
  const page = context.pages()[0] ?? (await context.newPage());
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
  await page.goto(base + path, { waitUntil: 'domcontentloaded' });
  const expression = pageTimes(hydrates);
  const { result } = await cdp.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
  await context.close();
  const { fcp, hydrated = null, checklist = null } = result.value;
  return { fcp, hydrated, checklist };
}

/** One offline navigation with a cold worker: ms from navigation start to the page's last byte. */
async function coldNavigation(profile, base) {
  const context = await launchProfile(profile, { offline: true });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(base + '/');
  const timing = await page.evaluate(() => performance.getEntriesByType('navigation')[0].toJSON());
  await context.close();
  return timing.responseEnd;
}

const kib = (bytes) => (bytes / 1024).toFixed(1).padStart(8) + ' KiB';
const ms = (value) => (value === null ? '       -' : value.toFixed(1).padStart(7) + ' ms');

const server = await startServer({ build: benchBuild });
const staticSite = await startStaticSite(server.url, benchBuild);
const baselineServer = baselineBuild && (await startServer({ build: baselineBuild }));
try {
  const app = await appBytes(server.url);
  const appProfile = await prepareProfile(server.url);
  const staticProfile = await prepareProfile(staticSite.base);
  const baselineProfile = baselineServer && (await prepareProfile(baselineServer.url));
  const runs = { app: [], report: [], static: [], worker: [], baselineWorker: [], baseline: [], baselineReport: [] };
  for (let i = 0; i < RUNS; i++) {
    // Alternate, so all see the same machine noise.
    runs.app.push(await coldStart(appProfile, server.url, true));
    runs.report.push(await coldStart(appProfile, server.url, true, REPORT_PAGE));
    runs.static.push(await coldStart(staticProfile, staticSite.base, false));
    if (baselineServer) {
      runs.baseline.push(await coldStart(baselineProfile, baselineServer.url, true));
      runs.baselineReport.push(await coldStart(baselineProfile, baselineServer.url, true, REPORT_PAGE));
      runs.baselineWorker.push(await coldNavigation(baselineProfile, baselineServer.url));
    }
    runs.worker.push(await coldNavigation(appProfile, server.url));
  }
  for (const profile of [appProfile, staticProfile, baselineProfile].filter(Boolean)) {
    await rm(profile, { recursive: true, force: true });
  }

  const total = (bytes) => Object.values(bytes).reduce((a, b) => a + b, 0);
  const cold = (home, report) => ({
    fcp: median(home.map((r) => r.fcp)),
    checklist: median(home.map((r) => r.checklist)),
    homeHydrated: median(home.map((r) => r.hydrated)),
    reportFcp: median(report.map((r) => r.fcp)),
    report: median(report.map((r) => r.hydrated)),
  });
  const figures = {
    bytes: { ...app, total: total(app) },
    staticBytes: { ...staticSite.bytes, total: total(staticSite.bytes) },
    staticFcp: median(runs.static.map((r) => r.fcp)),
    ...cold(runs.app, runs.report),
  };
  const baseline = baselineServer && {
    bytes: await appBytes(baselineServer.url).then((bytes) => ({ ...bytes, total: total(bytes) })),
    staticFcp: figures.staticFcp,
    ...cold(runs.baseline, runs.baselineReport),
  };
  // The previous run's figures (same machine, earlier build), when kept: the last column.
  const kept = await readFigures('guidance');
  const previous = kept?.figures?.bytes ? kept.figures : null;
  // Beside this run's: the baseline measured in this run, then the previous run's figures.
  const was = (pick, format) =>
    (baseline ? `   ${format(pick(baseline) ?? null)}` : '') + (previous ? `   ${format(pick(previous) ?? null)}` : '');
  const heading = (baseline ? '   baseline (this run)' : '') + (previous ? `   previous (${kept.when})` : '');

  console.log('\nFirst visit: bytes transferred, compressed (body bytes; headers not counted)');
  console.log(`                          app         static page${heading}`);
  for (const key of ['html', 'js', 'wasm', 'css', 'other', 'total']) {
    const target = key === 'total' ? '   (target: app < 150 KiB)' : '';
    console.log(`  ${key.padEnd(10)} ${kib(figures.bytes[key])}   ${kib(figures.staticBytes[key])}${was((f) => f.bytes[key], kib)}${target}`);
  }

  const ratio = (f) => `app/static = ${(f.fcp / f.staticFcp).toFixed(2)}`;
  console.log(`\nOffline cold start, CPU slowed ${CPU_SLOWDOWN}x, median of ${RUNS}`);
  console.log(`                               app        static page${heading}`);
  console.log(`  first contentful paint   ${ms(figures.fcp)}     ${ms(figures.staticFcp)}${was((f) => f.fcp, ms)}   (${ratio(figures)}${baseline ? `, baseline ${ratio(baseline)}` : ''}${previous ? `, previous ${ratio(previous)}` : ''}; target <= 1.1)`);
  console.log(`  checklist interactive    ${ms(figures.checklist)}     ${ms(null)}${was((f) => f.checklist, ms)}   (target < 400 ms)`);
  console.log(`  home islands hydrated    ${ms(figures.homeHydrated)}     ${ms(null)}${was((f) => f.homeHydrated, ms)}`);
  console.log(`  /report first paint      ${ms(figures.reportFcp)}     ${ms(null)}${was((f) => f.reportFcp, ms)}`);
  console.log(`  /report interactive      ${ms(figures.report)}     ${ms(null)}${was((f) => f.report, ms)}   (target < 500 ms)`);
  console.log(`  all app FCPs (ms): ${runs.app.map((r) => r.fcp.toFixed(0)).join(' ')}`);
  console.log(`  all static FCPs (ms): ${runs.static.map((r) => r.fcp.toFixed(0)).join(' ')}`);
  if (baseline) console.log(`  all baseline FCPs (ms): ${runs.baseline.map((r) => r.fcp.toFixed(0)).join(' ')}`);
  await writeFigures('guidance', { when: new Date().toISOString().slice(0, 16), build: sourceVersion(), figures });

  console.log(`\nOffline navigation with a cold worker (page from the worker, CPU not slowed), median of ${RUNS}`);
  console.log(`  this build             ${ms(median(runs.worker))}`);
  if (baselineServer) console.log(`  baseline (this run)    ${ms(median(runs.baselineWorker))}`);
  console.log(`  all (ms): ${runs.worker.map((v) => v.toFixed(1)).join(' ')}`);
} finally {
  await baselineServer?.stop();
  await staticSite.stop();
  await server.stop();
}
