// The offline copy is stored in two steps, so that the guidance is safe first: a phone that loses
// signal while the app's code is still downloading can read every guidance page; the report
// form says it is still being saved, and works offline once it is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OFFLINE_STATUS, SAVED_STATUS, expectPageContent, pages } from './helpers/guidance.mjs';
import { holdWebAssembly, waitForOfflineCopy } from './helpers/browser.mjs';
import { withServerAndBrowser } from './helpers/server.mjs';

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
