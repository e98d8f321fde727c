// Offline, an address the app has no copy of gets a helpful page, not the browser's error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitForOfflineCopy } from './helpers/browser.mjs';
import { withServerAndBrowser } from './helpers/server.mjs';

test('an unknown address offline shows the offline page with links home and to the service desk', async () => {
  await withServerAndBrowser(async ({ server, browser }) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(server.url + '/');
    await waitForOfflineCopy(page);
    await context.setOffline(true);

    const response = await page.goto(server.url + '/guidance/not-saved-anywhere?x=1');
    assert.ok(response.fromServiceWorker());
    await page.getByRole('heading', { level: 1, name: 'You are offline' }).waitFor();
    await page.getByRole('link', { name: /lost or stolen/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Lost device or security incident' }).waitFor();

    await page.goBack();
    const call = page.getByRole('button', { name: /Call the IT Service Desk 0800 917 5148/ });
    assert.equal(await call.getAttribute('href'), 'tel:08009175148');
    assert.deepEqual(errors, []);
  });
});
