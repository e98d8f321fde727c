// Every keystroke is kept: a reload, or starting again from the home page, finds the answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitForHydration } from './helpers/browser.mjs';
import { withServerAndBrowser } from './helpers/server.mjs';

test('a draft survives a reload and is offered again when a new report is started', async () => {
  await withServerAndBrowser(async ({ server, browser }) => {
    const page = await browser.newPage();
    await page.goto(server.url + '/');
    await page.getByRole('button', { name: 'Report what happened' }).click();
    await page.getByRole('radio', { name: 'Something else' }).check();
    await page.getByLabel('What happened, in your words').pressSequentially('Laptop bag left in a ta');
    await page.reload();
    await waitForHydration(page);
    assert.equal(await page.getByRole('radio', { name: 'Something else' }).isChecked(), true);
    assert.equal(await page.getByLabel('What happened, in your words').inputValue(), 'Laptop bag left in a ta');

    await page.goto(server.url + '/');
    await page.getByRole('button', { name: 'Report what happened' }).click();
    await page.getByText('You have started another report and not sent it yet.').waitFor();
    await page.getByRole('link', { name: 'Continue that report' }).click();
    await page.getByRole('heading', { level: 1, name: 'Check your answers before sending your report' }).waitFor();
    await page.getByText('Laptop bag left in a ta').waitFor();
  });
});
