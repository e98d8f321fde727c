// Prints Lighthouse's figures (mobile profile: simulated slow 4G, 4x CPU) for the app's home, two
// guidance pages, a question page and "Your reports", beside the same home HTML served as a static
// page without scripts, in the same run: performance, accessibility and best-practices scores,
// first and largest contentful paint, total blocking time, speed index, layout shift. Medians of
// RUNS runs (default 5); under each row, the same page of BASELINE_BUILD audited in turn with it
// in the same run (when given), then the previous run's figures (target/bench/lighthouse.json).
// Run with ./scripts/bench.sh (it builds and installs Lighthouse 12.2.3 into bench/lighthouse).
import { createRequire } from 'node:module';
import { startServer } from '../helpers/server.mjs';
import { baselineBuild, benchBuild, readFigures, startStaticSite, writeFigures } from './static_site.mjs';

const require = createRequire(new URL('./lighthouse/', import.meta.url));
const { default: lighthouse } = await import(require.resolve('lighthouse'));
const chromeLauncher = await import(require.resolve('chrome-launcher'));

const RUNS = Number(process.env.RUNS || 5);
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** One Lighthouse run of `url` in a fresh Chromium (Debian's), mobile profile. */
async function audit(url) {
  const chrome = await chromeLauncher.launch({
    chromePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const { lhr } = await lighthouse(url, {
      port: chrome.port,
      output: 'json',
      logLevel: 'error',
      onlyCategories: ['performance', 'accessibility', 'best-practices'],
    });
    const audits = lhr.audits;
    return {
      performance: lhr.categories.performance.score * 100,
      accessibility: lhr.categories.accessibility.score * 100,
      bestPractices: lhr.categories['best-practices'].score * 100,
      fcp: audits['first-contentful-paint'].numericValue,
      lcp: audits['largest-contentful-paint'].numericValue,
      tbt: audits['total-blocking-time'].numericValue,
      si: audits['speed-index'].numericValue,
      cls: audits['cumulative-layout-shift'].numericValue,
      lcpElement: audits['largest-contentful-paint-element']?.details?.items?.[0]?.items?.[0]?.node?.snippet ?? '',
    };
  } finally {
    await chrome.kill();
  }
}

const server = await startServer({ build: benchBuild });
const staticSite = await startStaticSite(server.url, benchBuild);
const baselineServer = baselineBuild && (await startServer({ build: baselineBuild }));
try {
  const appPages = [
    ['home', '/'],
    ['a guidance page (shut-down)', '/guidance/shut-down'],
    ['Who to contact (/contacts)', '/contacts'],
    ['a question page (/report)', '/report?page=device'],
    ['Your reports (/reports)', '/reports'],
  ];
  // Each page with its address in this build and, when given, in the baseline build.
  const pages = [
    ['static page (home, no scripts)', staticSite.base + '/', null],
    ...appPages.map(([name, at]) => [name, server.url + at, baselineServer ? baselineServer.url + at : null]),
  ];
  const results = Object.fromEntries(pages.map(([name]) => [name, { app: [], baseline: [] }]));
  for (let run = 0; run < RUNS; run++) {
    // Alternate, so all see the same machine noise; the baseline's page right after this build's,
    // or right before it every other run.
    for (const [name, url, baselineUrl] of pages) {
      const audits = [[results[name].app, url], ...(baselineUrl ? [[results[name].baseline, baselineUrl]] : [])];
      if (run % 2) audits.reverse();
      for (const [into, at] of audits) into.push(await audit(at));
    }
  }
  const medians = (runs) => {
    const m = (key) => median(runs.map((r) => r[key]));
    return { performance: m('performance'), accessibility: m('accessibility'), bestPractices: m('bestPractices'),
      fcp: m('fcp'), lcp: m('lcp'), tbt: m('tbt'), si: m('si'), cls: m('cls') };
  };
  const figures = Object.fromEntries(pages.map(([name]) => [name, medians(results[name].app)]));
  const baselineFigures = Object.fromEntries(
    pages.filter(([, , baselineUrl]) => baselineUrl).map(([name]) => [name, medians(results[name].baseline)]),
  );
  const previous = await readFigures('lighthouse');
  const staticLcp = figures[pages[0][0]].lcp;
  console.log(`\nLighthouse 12.2.3, mobile profile (slow 4G, 4x CPU), median of ${RUNS}`);
  console.log('targets: LCP/static <= 1.1; perf >= 98 (guidance), >= 95 (report pages); TBT < 100 ms');
  console.log('  page                             perf  a11y  best   FCP ms   LCP ms  LCP/static  TBT ms   SI ms    CLS');
  const row = (name, f, lcpBase) =>
    `  ${name.padEnd(32)} ${String(f.performance).padStart(4)}  ${String(f.accessibility).padStart(4)}  ${String(f.bestPractices).padStart(4)}` +
    `  ${f.fcp.toFixed(0).padStart(7)}  ${f.lcp.toFixed(0).padStart(7)}  ${(f.lcp / lcpBase).toFixed(2).padStart(10)}  ${f.tbt.toFixed(0).padStart(6)}` +
    `  ${f.si.toFixed(0).padStart(6)}  ${f.cls.toFixed(3).padStart(5)}`;
  for (const [name] of pages) {
    console.log(row(name, figures[name], staticLcp));
    if (baselineFigures[name]) console.log(row('  baseline (this run)', baselineFigures[name], staticLcp));
    // The previous run's figures for the same page (same machine, earlier build), when kept.
    const before = previous?.figures?.[name];
    if (before?.si !== undefined) console.log(row(`  previous (${previous.when})`.slice(0, 32), before, previous.figures[pages[0][0]].lcp));
  }
  await writeFigures('lighthouse', { when: new Date().toISOString().slice(0, 16), figures });
} finally {
  await baselineServer?.stop();
  await staticSite.stop();
  await server.stop();
}
