// The server refuses a queued report (here: one saved by an older app whose checks were looser).
// The report stays on the phone, the person sees why, fixes it and sends it again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SENDS_WHEN_OPEN, WAITS_FOR_THE_APP, queueReportOffline, sendReport, shownReference, storedReports } from './helpers/report.mjs';
import { withServerAndBrowser } from './helpers/server.mjs';

test('a refused report shows the reason, is fixed, resent and delivered once', async () => {
  await withServerAndBrowser(async ({ server, browser }) => {
    const context = await browser.newContext();
    // An older app had no worker to hand reports to: only the page sends this one.
    await context.addInitScript(() => { delete window.SyncManager; });
    const page = await context.newPage();
    await queueReportOffline(context, page, server.url, undefined, { message: WAITS_FOR_THE_APP, sending: SENDS_WHEN_OPEN });

    // An older app let this address through; the server's checks do not.
    await page.evaluate(() => {
      const stored = JSON.parse(localStorage.getItem('lost-device.reports'));
      stored.reports[0].form.email = 'sam at justice';
      localStorage.setItem('lost-device.reports', JSON.stringify(stored));
    });
    await page.goto(server.url + '/reports');
    await context.setOffline(false);

    await page.getByText('Needs attention', { exact: true }).waitFor();
    const reason = 'Enter an email address in the correct format, like name@justice.gov.uk';
    await page.getByText(reason).waitFor();
    assert.equal(await storedReports(server.dataDir), 0, 'nothing stored for a refused report');

    await page.getByRole('link', { name: 'Change your answers' }).click();
    await page.getByRole('heading', { level: 1, name: 'Check your answers before sending your report' }).waitFor();
    await page.getByRole('link', { name: reason }).click();
    const email = page.getByLabel('Your work email address');
    assert.equal(await email.inputValue(), 'sam at justice', 'the refused answer is kept for fixing');
    await email.fill('sam.example@justice.gov.uk');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { level: 1, name: 'Check your answers before sending your report' }).waitFor();
    await sendReport(page);

    await shownReference(page);
    await page.getByRole('heading', { level: 1, name: 'Report sent' }).waitFor();
    assert.equal(await storedReports(server.dataDir), 1);
  });
});
