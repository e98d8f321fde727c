// The app can be installed to the home screen: Chromium finds nothing wrong with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitForOfflineCopy } from './helpers/browser.mjs';
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
  assert.deepEqual(failed, []);
}, { profile: true }));
