// The app can be installed to the home screen: Chromium finds nothing wrong with it, the app's
// own button opens the browser's prompt, and iPhones get the Share menu's steps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitForHydration, waitForOfflineCopy } from './helpers/browser.mjs';
import { withServerAndBrowser } from './helpers/server.mjs';

// A profile on disk: Chromium does not offer installs in incognito contexts.
test('Chromium reports no installability errors and the manifest is complete', () => withServerAndBrowser(async ({ server, browser: context }) => {
  const page = context.pages()[0] ?? (await context.newPage());
  const failed = [];
  page.on('requestfailed', (request) => failed.push(request.url()));
  page.on('response', (response) => response.status() >= 400 && failed.push(`${response.status()} ${response.url()}`));
  await page.goto(server.url + '/');
  await waitForOfflineCopy(page);

  const cdp = await context.newCDPSession(page);
  const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
  assert.deepEqual(installabilityErrors, []);
  const { errors } = await cdp.send('Page.getAppManifest');
  assert.deepEqual(errors, []);

  const manifest = await (await fetch(server.url + '/manifest.webmanifest')).json();
  for (const key of ['id', 'name', 'short_name', 'start_url', 'scope', 'theme_color', 'background_color']) {
    assert.ok(manifest[key], `manifest has ${key}`);
  }
  assert.equal(manifest.display, 'standalone');
  const sizes = manifest.icons.map((icon) => `${icon.sizes} ${icon.purpose}`);
  for (const wanted of ['192x192 any', '512x512 any', '512x512 maskable']) assert.ok(sizes.includes(wanted), wanted);
  for (const icon of manifest.icons) {
    const response = await fetch(server.url + icon.src);
    assert.equal(response.status, 200, icon.src);
    assert.equal(response.headers.get('content-type'), icon.type, icon.src);
  }
  // The richer install sheet: a description and narrow screenshots, served but not stored offline.
  // The description promises only what is true in every browser: kept until it can be sent.
  assert.ok(manifest.description.length > 40);
  assert.match(manifest.description, /keeps your report on the phone until it can be sent/);
  assert.doesNotMatch(manifest.description, /sent when|automatically|back online/);
  assert.ok(manifest.screenshots.length >= 1);
  for (const shot of manifest.screenshots) {
    assert.equal(shot.form_factor, 'narrow');
    assert.ok(shot.label, `${shot.src} has a label`);
    const response = await fetch(server.url + shot.src);
    assert.equal(response.status, 200, shot.src);
    assert.equal(response.headers.get('content-type'), 'image/png');
  }
  const precache = await (await fetch(server.url + '/sw.js')).text();
  assert.doesNotMatch(precache, /screenshots\//, 'screenshots are not part of the offline copy');
  assert.deepEqual(failed, []);
}, { profile: true }));

/** Offers the install prompt as Chromium does (`beforeinstallprompt`), answered with `outcome`. */
function offerInstall(page, outcome) {
  return page.evaluate((answer) => {
    const event = new Event('beforeinstallprompt', { cancelable: true });
    event.prompt = async () => {
      window.promptShown = true;
    };
    event.userChoice = Promise.resolve({ outcome: answer, platform: 'web' });
    dispatchEvent(event);
  }, outcome);
}

test("where the browser offers to install, the app's own button opens its prompt", () => withServerAndBrowser(async ({ server, browser }) => {
  const page = await browser.newPage();
  await page.goto(server.url + '/');
  await waitForHydration(page);
  const add = page.getByRole('button', { name: 'Add to home screen' });
  assert.equal(await add.isVisible(), false, 'no button before the browser offers');
  await offerInstall(page, 'accepted');
  // Chromium has Background Sync: the sheet promises sending with the app closed.
  await page.getByText('A report you write with no signal is sent by itself as soon as there is signal, even if you close the app.').waitFor();
  await add.click();
  await page.getByText('Added. You can open Lost Device from your home screen, even with no signal.').waitFor();
  assert.equal(await page.evaluate(() => window.promptShown), true);
  assert.equal(await add.isVisible(), false, 'the prompt is used once');
}));

test('on an iPhone the steps of the Share menu are shown; from the home screen nothing is', () => withServerAndBrowser(async ({ server, browser }) => {
  const iphone = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1';
  const safari = await browser.newContext({ userAgent: iphone });
  await safari.addInitScript(() => { delete window.SyncManager; });
  const page = await safari.newPage();
  await page.goto(server.url + '/');
  await waitForHydration(page);
  await page.getByText('Choose “Add to Home Screen”.').waitFor();
  // No Background Sync in Safari: the sheet says when a report really goes.
  await page.getByText('A report you write with no signal is sent the next time you open the app with signal.').waitFor();

  const homeScreen = await browser.newContext({ userAgent: iphone });
  await homeScreen.addInitScript(() => Object.defineProperty(navigator, 'standalone', { value: true }));
  const installed = await homeScreen.newPage();
  await installed.goto(server.url + '/');
  await waitForHydration(installed);
  assert.equal(await installed.getByRole('heading', { name: 'Keep this app on your phone' }).isVisible(), false);
}));
