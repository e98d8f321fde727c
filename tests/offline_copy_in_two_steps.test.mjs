// The offline copy is stored in two steps, so that the guidance is safe first: a phone that loses
// signal while the app's code is still downloading can read every guidance page; the report
// form says it is still being saved, and works offline once it is. A file the browser already
// holds is taken as it is only when it is this build's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OFFLINE_STATUS, SAVED_STATUS, expectPageContent, pages } from './helpers/guidance.mjs';
import { appendFile, cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { holdWebAssembly, launchBrowser, waitForOfflineCopy, waitUntil } from './helpers/browser.mjs';
import { builds, startServer, withServerAndBrowser } from './helpers/server.mjs';

test('the guidance works offline before the app\'s code is stored, and the form once it is', () => withServerAndBrowser(async ({ server, browser }) => {
  const context = await browser.newContext();
  // The app's code arrives only when released, for the page and for the worker alike.
  const release = await holdWebAssembly(context);
  const page = await context.newPage();
  await page.goto(server.url + '/report');
  await page.locator('html[data-offline-copy="guidance"]').waitFor({ state: 'attached' });
  await page.getByText('Saving this form for use offline.').waitFor();
  assert.equal(await page.getByText(SAVED_STATUS).isVisible(), false, 'the form is not claimed as saved');

  await context.setOffline(true);
  await page.goto(server.url + '/');
  await expectPageContent(page, pages[0]);
  await page.getByText(OFFLINE_STATUS).waitFor();
  // The form is not stored yet: the offline page says what to do.
  await page.goto(server.url + '/report');
  await page.getByRole('heading', { level: 1, name: 'You are offline' }).waitFor();

  await context.setOffline(false);
  release();
  await page.goto(server.url + '/report');
  await waitForOfflineCopy(page);
  await page.getByText(SAVED_STATUS).waitFor();
  await context.setOffline(true);
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'What happened to the device?' }).waitFor();
  await page.locator('html[data-hydrated="true"]').waitFor({ state: 'attached' });
  await context.close();
}));

test('a file the browser holds from an older build is fetched again, never stored for the new one', async () => {
  // A copy of the built site, so that one file can change between two "deploys".
  const site = await mkdtemp(path.join(tmpdir(), 'lost-device-site-'));
  await cp(builds.current.site, site, { recursive: true });
  const server = await startServer({ build: { binary: builds.current.binary, site } });
  const browser = await launchBrowser();
  try {
    const page = await (await browser.newContext()).newPage();
    await page.goto(server.url + '/');
    // The page loaded checklist.js, so the browser's HTTP cache holds this build's copy.
    await waitForOfflineCopy(page);

    const marker = '// changed by the next build';
    await appendFile(path.join(site, 'checklist.js'), `\n${marker}\n`);
    for (const twin of ['checklist.js.br', 'checklist.js.gz']) await rm(path.join(site, twin), { force: true });
    await server.restart();
    // The next navigation finds the new worker; it takes files from the HTTP cache under their
    // integrity hash, so the old checklist.js fails the check and must be asked for again.
    await page.goto(server.url + '/');
    const storedTheNewOne = () => page.evaluate(async (marker) => {
      const names = await caches.keys();
      const copies = await Promise.all(names.map(async (name) => (await (await caches.open(name)).match('/checklist.js'))?.text()));
      return copies.some((copy) => copy?.includes(marker));
    }, marker);
    await waitUntil(storedTheNewOne, 'the new build storing its own checklist.js', 30_000);
    await page.locator('html[data-offline-copy="whole"]').waitFor({ state: 'attached' });
  } finally {
    await browser.close();
    await server.stop();
    await rm(site, { recursive: true, force: true });
  }
});
