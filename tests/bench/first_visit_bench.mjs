// What a person waits for on a first visit over a weak signal: 400 kbit/s shared by everything
// (the offline worker's fetches included), 400 ms round trip, the CPU slowed 4×, through
// `shaping_proxy.mjs`, shared fairly between connections and as one first-come queue. For this build, the same home HTML served static and compressed the same
// way, and BASELINE_BUILD (an earlier build's directory, if given) in the same run, in turn; the
// previous run's figures beside them. RUNS=n sets the number of first visits (default 3).
// Figures (medians, ms):
// - home first paint, and its ratio to the static page's;
// - guidance stored for offline use, after home's first paint (`data-offline-copy="guidance"`);
// - whole offline copy stored, after navigation (`data-offline-copy="whole"`);
// - /report first paint, and when its first question is usable: a choice is on the page and
//   enabled after the first paint (checked afterwards: choosing and pressing Continue leads on).
import { launchBrowser } from '../helpers/browser.mjs';
import { startServer } from '../helpers/server.mjs';
import { startShapingProxy } from './shaping_proxy.mjs';
import { baselineBuild, benchBuild, median, readFigures, sourceVersion, startStaticSite, writeFigures } from './static_site.mjs';

const RUNS = Number(process.env.RUNS || 3);
const LINK = { downKbit: 400, rttMs: 400 };
const CPU_SLOWDOWN = 4;

// Records, in the page's own clock, when the offline copy reaches each step and when a choice is
// first on the page and enabled. (Builds from before the two steps stored everything before
// their worker was ready: for them, `ready` is both.)
const RECORDER = () => {
  window.__bench = { copy: {}, usable: null, ready: null };
  navigator.serviceWorker?.ready.then(() => {
    window.__bench.ready = performance.now();
  });
  new MutationObserver(() => {
    const copy = document.documentElement?.dataset.offlineCopy;
    if (copy && !(copy in window.__bench.copy)) window.__bench.copy[copy] = performance.now();
    if (window.__bench.usable === null && document.querySelector('input[type=radio]:not([disabled])')) {
      window.__bench.usable = performance.now();
    }
  }).observe(document, { subtree: true, childList: true, attributes: true });
};

/**
 * One first visit to `url` in a fresh context; `whole` waits for the whole offline copy, `usable`
 * for the first question to be usable.
 */
async function firstVisit(browser, url, { whole = false, usable = false } = {}) {
  const context = await browser.newContext();
  await context.addInitScript(RECORDER);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
  await page.goto(url, { waitUntil: 'load', timeout: 120_000 });
  const fcp = () => page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null);
  await page.waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length > 0);
  if (whole) {
    await page.waitForFunction(
      () => 'whole' in window.__bench.copy || (window.__bench.ready !== null && !document.documentElement.dataset.offlineCopy),
      null,
      { timeout: 120_000 },
    );
  }
  if (usable) {
    await page.waitForFunction(() => window.__bench.usable !== null, null, { timeout: 120_000 });
  }
  const figures = { fcp: await fcp(), ...(await page.evaluate(() => window.__bench)) };
  return { figures, page, close: () => context.close() };
}

/** Home: first paint, guidance stored after it, whole copy stored after navigation. */
async function home(browser, base) {
  const visit = await firstVisit(browser, base + '/', { whole: true });
  const { fcp, copy, ready } = visit.figures;
  await visit.close();
  return { fcp, guidance: (copy.guidance ?? ready) - fcp, whole: copy.whole ?? ready };
}

/** /report: first paint, and when its first question can be answered. */
async function report(browser, base) {
  const visit = await firstVisit(browser, base + '/report', { usable: true });
  const { fcp, usable } = visit.figures;
  // It really works: a choice and Continue lead to the next question.
  await visit.page.getByRole('radio').first().check();
  await visit.page.getByRole('button', { name: 'Continue' }).click();
  await visit.page.getByRole('heading', { level: 1, name: 'What kind of device is it?' }).waitFor({ timeout: 60_000 });
  await visit.close();
  return { fcp, usable: Math.max(fcp, usable) };
}

async function staticHome(browser, base) {
  const visit = await firstVisit(browser, base + '/');
  await visit.close();
  return { fcp: visit.figures.fcp };
}

const s = (ms) => (ms === null || ms === undefined ? '      -' : `${(ms / 1000).toFixed(2).padStart(6)} s`);

const server = await startServer({ build: benchBuild });
const staticSite = await startStaticSite(server.url, benchBuild);
const baselineServer = baselineBuild && (await startServer({ build: baselineBuild }));
// The same weak signal shared two ways (see `shaping_proxy.mjs`): fairly between connections,
// and in one first-come queue with a cellular bottleneck's small buffer.
const MODES = [
  { mode: 'fair', name: 'fair between connections', kept: 'first-visit' },
  { mode: 'fifo', name: 'one queue, 32 KiB buffer', kept: 'first-visit-fifo' },
];
const links = {};
for (const { mode } of MODES) {
  const link = { ...LINK, mode };
  links[mode] = {
    app: await startShapingProxy(server.url, link),
    static: await startShapingProxy(staticSite.base, link),
    baseline: baselineServer && (await startShapingProxy(baselineServer.url, link)),
  };
}
const browser = await launchBrowser();
try {
  const runs = Object.fromEntries(MODES.map(({ mode }) => [mode, { app: [], report: [], static: [], baseline: [], baselineReport: [] }]));
  for (let i = 0; i < RUNS; i++) {
    // In turn, so that each sees the same machine noise.
    for (const { mode } of MODES) {
      const on = links[mode];
      runs[mode].app.push(await home(browser, on.app.url));
      runs[mode].report.push(await report(browser, on.app.url));
      runs[mode].static.push(await staticHome(browser, on.static.url));
      if (on.baseline) {
        runs[mode].baseline.push(await home(browser, on.baseline.url));
        runs[mode].baselineReport.push(await report(browser, on.baseline.url));
      }
    }
  }
  const summary = (homes, reports) => ({
    fcp: median(homes.map((r) => r.fcp)),
    guidance: median(homes.map((r) => r.guidance)),
    whole: median(homes.map((r) => r.whole)),
    reportFcp: median(reports.map((r) => r.fcp)),
    reportUsable: median(reports.map((r) => r.usable)),
  });
  for (const { mode, name, kept: key } of MODES) {
    const ran = runs[mode];
    const figures = { ...summary(ran.app, ran.report), staticFcp: median(ran.static.map((r) => r.fcp)) };
    const baseline = baselineServer && { ...summary(ran.baseline, ran.baselineReport), staticFcp: figures.staticFcp };
    const kept = await readFigures(key);
    const previous = kept?.figures ?? null;

    const columns = [['this build', figures], ...(baseline ? [['baseline', baseline]] : []), ...(previous ? [[`previous (${kept.when})`, previous]] : [])];
    console.log(`\nFirst visit over ${LINK.downKbit} kbit/s shared (${name}), ${LINK.rttMs} ms round trip, CPU ${CPU_SLOWDOWN}x, median of ${RUNS}`);
    console.log(`  ${''.padEnd(46)}${columns.map(([column]) => column.padStart(26)).join('')}   target`);
    const row = (label, pick, target) =>
      console.log(`  ${label.padEnd(46)}${columns.map(([, f]) => s(pick(f)).padStart(26)).join('')}   ${target}`);
    row('home first paint', (f) => f.fcp, `static page ${s(figures.staticFcp).trim()}`);
    console.log(`  ${'home first paint / static'.padEnd(46)}${columns.map(([, f]) => (f.fcp / f.staticFcp).toFixed(2).padStart(26)).join('')}   <= 1.1`);
    row('guidance stored, after home\'s first paint', (f) => f.guidance, '<= 3 s');
    row('whole offline copy stored, after navigation', (f) => f.whole, '<= 8 s');
    row('/report first paint', (f) => f.reportFcp, '');
    row('/report first question usable', (f) => f.reportUsable, '<= its first paint + 0.2 s');
    console.log(`  all home first paints (s): ${ran.app.map((r) => (r.fcp / 1000).toFixed(2)).join(' ')}`);
    console.log(`  all guidance stored (s): ${ran.app.map((r) => (r.guidance / 1000).toFixed(2)).join(' ')}`);
    console.log(`  all /report usable (s): ${ran.report.map((r) => (r.usable / 1000).toFixed(2)).join(' ')}`);
    await writeFigures(key, { when: new Date().toISOString().slice(0, 16), build: sourceVersion(), figures });
  }
} finally {
  await browser.close();
  for (const on of Object.values(links)) for (const link of Object.values(on)) await link?.stop();
  await baselineServer?.stop();
  await staticSite.stop();
  await server.stop();
}
