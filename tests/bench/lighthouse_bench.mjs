// Prints Lighthouse's figures (mobile profile: simulated slow 4G, 4x CPU) for the app's home, a
// question page and "Your reports", beside the same home HTML served as a static page without
// scripts, in the same run: performance, accessibility and best-practices scores, first and
// largest contentful paint, total blocking time. Medians of RUNS runs (default 5).
// Run with ./scripts/bench.sh (it builds and installs Lighthouse 12.2.3 into bench/lighthouse).
import { createRequire } from 'node:module';
import { startServer } from '../helpers/server.mjs';
import { benchBuild, startStaticSite } from './static_site.mjs';

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
    };
  } finally {
    await chrome.kill();
  }
}

const server = await startServer({ build: benchBuild });
const staticSite = await startStaticSite(server.url, benchBuild);
try {
  const pages = [
    ['static page (home, no scripts)', staticSite.base + '/'],
    ['home', server.url + '/'],
    ['a question page (/report)', server.url + '/report?page=device'],
    ['Your reports (/reports)', server.url + '/reports'],
  ];
  const results = Object.fromEntries(pages.map(([name]) => [name, []]));
  for (let run = 0; run < RUNS; run++) {
    // Alternate, so all see the same machine noise.
    for (const [name, url] of pages) results[name].push(await audit(url));
  }
  const staticLcp = median(results[pages[0][0]].map((r) => r.lcp));
  console.log(`\nLighthouse 12.2.3, mobile profile (slow 4G, 4x CPU), median of ${RUNS}`);
  console.log('  page                             perf  a11y  best   FCP ms   LCP ms  LCP/static  TBT ms');
  for (const [name] of pages) {
    const m = (key) => median(results[name].map((r) => r[key]));
    console.log(
      `  ${name.padEnd(32)} ${String(m('performance')).padStart(4)}  ${String(m('accessibility')).padStart(4)}  ${String(m('bestPractices')).padStart(4)}` +
        `  ${m('fcp').toFixed(0).padStart(7)}  ${m('lcp').toFixed(0).padStart(7)}  ${(m('lcp') / staticLcp).toFixed(2).padStart(10)}  ${m('tbt').toFixed(0).padStart(6)}`,
    );
  }
} finally {
  await staticSite.stop();
  await server.stop();
}
