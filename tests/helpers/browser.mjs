// Debian's Chromium, driven by playwright-core. Never a downloaded browser.
import { chromium } from 'playwright-core';

const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
// As root Chromium needs --no-sandbox; the rest stop it reaching for Google's servers, which
// this machine's closed network refuses.
const args = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A fresh browser; close it with `browser.close()`. */
export function launchBrowser() {
  return chromium.launch({ executablePath, args, headless: true });
}

/** A browser with a profile on disk, like a phone's browser that is closed and opened again. */
export function launchProfile(userDataDir, options = {}) {
  return chromium.launchPersistentContext(userDataDir, { executablePath, args, headless: true, ...options });
}

/** Resolves once the offline worker controls `page` and has stored the whole copy (both steps). */
export async function waitForOfflineCopy(page) {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
    }
  });
  // (A page that does not say how much is stored, such as an earlier build's or the benchmarks'
  // static page, has it all once its worker is in control.)
  await page.waitForFunction(() => [undefined, 'whole'].includes(document.documentElement.dataset.offlineCopy), null, { timeout: 60_000 });
}

/** Polls `check` (async, in Node) until it returns a truthy value, or fails after `timeout` ms. */
export async function waitUntil(check, what, timeout = 15_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The names of this origin's caches. */
export function cacheNames(page) {
  return page.evaluate(() => caches.keys());
}

/** Resolves once the page's WebAssembly has hydrated it (and the home checklist works). */
export async function waitForHydration(page) {
  await page.locator('html[data-hydrated="true"]').waitFor({ state: 'attached' });
  await waitForChecklist(page);
}

/** Resolves once the home page's checklist works (plain JavaScript: no WebAssembly needed). */
export async function waitForChecklist(page) {
  await page.waitForFunction(() => !document.querySelector('.app-step__toggle') || document.documentElement.dataset.checklist === 'ready');
}

/**
 * Holds the app's WebAssembly in `context` (for its pages and its offline worker alike) until the
 * returned function is called, as a slow link would.
 */
export async function holdWebAssembly(context) {
  let release;
  const arrived = new Promise((resolve) => { release = resolve; });
  await context.route('**/*.wasm', async (route) => {
    await arrived;
    await route.continue();
  });
  return release;
}

/** Refuses the app's WebAssembly in `context`; the returned function says how often it was asked for. */
export async function blockWebAssembly(context) {
  let asked = 0;
  await context.route('**/*.wasm', (route) => {
    asked += 1;
    return route.abort();
  });
  return () => asked;
}
