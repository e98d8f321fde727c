// "Check your answers" sends the person to one question and back again; the browser's own Back
// button walks back through the questions without losing anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitForHydration, waitUntil } from './helpers/browser.mjs';
import { answers, fillReport } from './helpers/report.mjs';
import { withServerAndBrowser } from './helpers/server.mjs';

const CHECK = 'Check your answers before sending your report';

test('change one answer from Check your answers, and go back with the browser', async () => {
  await withServerAndBrowser(async ({ server, browser }) => {
    const page = await browser.newPage();
    await page.goto(server.url + '/report');
    await waitForHydration(page);
    await fillReport(page);

    await page.getByRole('button', { name: 'Change Your name' }).click();
    const name = page.getByLabel('Your name');
    await showsAnswer(name, answers().name);
    await name.fill('Sam Q. Example');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { level: 1, name: CHECK }).waitFor();
    await page.getByText('Sam Q. Example').waitFor();

    await page.goBack();
    await page.getByRole('heading', { level: 1, name: 'How can the people handling your report reach you?' }).waitFor();
    assert.equal(await page.getByLabel('Your name').inputValue(), 'Sam Q. Example');
    await page.goBack();
    await page.getByRole('heading', { level: 1, name: CHECK }).waitFor();

    // An empty answer is caught on its own page, with the summary linking to the question.
    await page.getByRole('button', { name: 'Change Where did it happen, or where did you last have it?' }).click();
    const where = page.getByLabel('Where did it happen, or where did you last have it?');
    await showsAnswer(where, answers().where);
    await where.fill('');
    await page.getByRole('button', { name: 'Continue' }).click();
    const message = 'Enter where it happened or where you last had the device';
    await page.getByRole('link', { name: message }).waitFor();
    assert.match(await page.title(), /^Error: /);
    await page.getByRole('link', { name: message }).click();
    // The link focuses the question.
    await page.waitForFunction(() => document.activeElement?.id === 'location');
  });
});

/**
 * Waits until the field shows the answer already given. A question page just opened from "Check
 * your answers" gets its answer a moment after its field appears: emptying the field before then
 * changes nothing (no input event), and the old answer would then be kept.
 */
function showsAnswer(field, answer) {
  return waitUntil(async () => (await field.inputValue()) === answer, `the field shows "${answer}"`);
}
