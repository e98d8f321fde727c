// One report open in two tabs of the same phone: what is typed in each is kept, and a tab whose
// report was sent from the other says so rather than dropping what is typed in it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitForHydration, waitUntil } from './helpers/browser.mjs';
import { answers, fillReport, sendReport } from './helpers/report.mjs';
import { withServerAndBrowser } from './helpers/server.mjs';

/** The address of the same report on page `slug`. */
function onPage(url, slug) {
  const address = new URL(url);
  address.searchParams.set('page', slug);
  return address.toString();
}

async function open(page, url) {
  await page.goto(url);
  await waitForHydration(page);
}

test('two tabs typing into one draft keep both answers', async () => {
  await withServerAndBrowser(async ({ server, browser }) => {
    const context = await browser.newContext();
    const first = await context.newPage();
    await open(first, server.url + '/report');
    await first.getByRole('radio', { name: 'It was stolen', exact: true }).check();
    await first.getByRole('button', { name: 'Continue' }).click();
    await first.getByRole('heading', { level: 1, name: 'What kind of device is it?' }).waitFor();
    const details = onPage(first.url(), 'your-details');

    const second = await context.newPage();
    await open(first, details);
    await open(second, details);
    await first.getByLabel('Your name').pressSequentially('Sam Example');
    await second.getByLabel('A phone number to reach you on now').pressSequentially('07700 900 982');
    await first.getByLabel('Your work email address').pressSequentially('sam.example@justice.gov.uk');
    // Each tab shows the other's answers as they are saved.
    await waitUntil(
      async () => (await second.getByLabel('Your work email address').inputValue()) === 'sam.example@justice.gov.uk',
      'the other tab shows the email as it is saved',
    );
    for (const page of [first, second]) {
      await page.reload();
      await waitForHydration(page);
      assert.equal(await page.getByLabel('Your name').inputValue(), 'Sam Example');
      assert.equal(await page.getByLabel('A phone number to reach you on now').inputValue(), '07700 900 982');
      assert.equal(await page.getByLabel('Your work email address').inputValue(), 'sam.example@justice.gov.uk');
    }
    await first.goto(onPage(details, 'what-happened'));
    await waitForHydration(first);
    assert.equal(await first.getByRole('radio', { name: 'It was stolen', exact: true }).isChecked(), true);
    await context.close();
  });
});

test('a tab whose report was sent from another tab says so', async () => {
  await withServerAndBrowser(async ({ server, browser }) => {
    const context = await browser.newContext();
    const first = await context.newPage();
    await open(first, server.url + '/report');
    await fillReport(first, answers());
    const second = await context.newPage();
    await open(second, onPage(first.url(), 'your-details'));
    await sendReport(first);
    await first.getByRole('heading', { level: 1, name: /Report sent|Report waiting to be sent/ }).waitFor();
    await second.getByText('This report was sent from another tab or window on this phone').waitFor();
    assert.equal(await second.getByLabel('Your name').count(), 0, 'the form is no longer offered');
    await context.close();
  });
});
