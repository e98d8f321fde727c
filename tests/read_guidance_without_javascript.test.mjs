// Security-minded staff turn JavaScript or WebAssembly off (iOS Lockdown Mode): the guidance is
// complete in the HTML itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OFFLINE_STATUS, SAVED_STATUS, expectPageContent, pages } from './helpers/guidance.mjs';
import { withServerAndBrowser } from './helpers/server.mjs';

test('with JavaScript off, every page shows its full content', () => withServerAndBrowser(async ({ server, browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  for (const entry of pages) {
    await page.goto(server.url + entry.path);
    await expectPageContent(page, entry);
  }
  // Toggles that need the app's code are not offered when it cannot run.
  await page.goto(server.url + '/');
  assert.equal(await page.getByRole('button', { name: /Mark step/ }).count(), 0);
  // Without JavaScript nothing is saved on the phone, so nothing says it is.
  assert.equal(await page.getByText(SAVED_STATUS).isVisible(), false);
  assert.equal(await page.getByText(OFFLINE_STATUS).isVisible(), false);
  await context.close();
}));

test('an unknown address gets a 404 page with a way home and the service desk number', () => withServerAndBrowser(async ({ server, browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const response = await page.goto(server.url + '/no-such-page');
  assert.equal(response.status(), 404);
  await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
  assert.equal(await page.getByRole('button', { name: /0800 917 5148/ }).getAttribute('href'), 'tel:08009175148');
  await context.close();
}));

test('without the app\'s code, the report pages say what still works and who to phone', () => withServerAndBrowser(async ({ server, browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  for (const [path, says] of [
    ['/report', /You can still fill in this form and send it while you have signal/],
    ['/reports', /this page cannot show the reports kept on this phone/],
  ]) {
    await page.goto(server.url + path);
    await page.getByText(/This browser is not running the app's code/).waitFor({ state: 'visible' });
    await page.getByText(says).waitFor({ state: 'visible' });
    const note = page.locator('.app-needs-wasm');
    assert.equal(await note.getByRole('button', { name: /0800 917 5148/ }).getAttribute('href'), 'tel:08009175148');
  }
  await context.close();
}));
