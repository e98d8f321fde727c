// No signal: the report is filled in and sent on the phone, survives a reload and a closed
// browser, and reaches the server once, by itself, when the connection comes back with the app
// open. The browser here has no Background Sync (as Safari and Firefox): the page alone sends it.
// (Where it has, `send_with_the_app_closed.test.mjs`; a reopened Chromium would fire the sync
// before the test's emulated offline applies.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitForOfflineCopy, waitUntil } from './helpers/browser.mjs';
import { NOT_SENT_TAG, WAITS_FOR_THE_APP as SAVED_MESSAGE, WAITING_HEADING, fillReport, mailedReports, sendReport, shownReference, storedReports } from './helpers/report.mjs';
import { withServerAndBrowser } from './helpers/server.mjs';

test('a report sent offline is kept, shown as saved, and delivered once when back online', async () => {
  await withServerAndBrowser(async ({ server, browser, reopen }) => {
    let context = browser;
    const withoutBackgroundSync = () => context.addInitScript(() => { delete window.SyncManager; });
    await withoutBackgroundSync();
    let page = context.pages()[0] ?? (await context.newPage());
    await page.goto(server.url + '/');
    await waitForOfflineCopy(page);

    await context.setOffline(true);
    await page.getByRole('button', { name: 'Report what happened' }).click();
    await fillReport(page);
    assert.equal(await page.getByText(/This form cannot work/).isVisible(), false, 'no fallback once working');
    await sendReport(page);
    await page.getByRole('heading', { level: 1, name: WAITING_HEADING }).waitFor();
    await page.getByText(SAVED_MESSAGE).waitFor();

    // Another way to send it, should the signal stay away: an email to the security team.
    const email = await page.getByRole('button', { name: 'Email this report' }).getAttribute('href');
    assert.match(email, /^mailto:security@justice\.gov\.uk\?subject=/);
    const id = new URL(page.url()).searchParams.get('id');
    assert.ok(decodeURIComponent(email).includes(`Report id: ${id}`), 'the email carries the report and its id');
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    await page.getByRole('button', { name: 'Copy this report' }).click();
    await page.getByText('Copied. You can paste it into an email or message.').waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.ok(copied.includes(`Report id: ${id}`) && copied.includes('It was stolen'), 'the copy is the report');

    await page.reload();
    await page.getByText(SAVED_MESSAGE).waitFor();

    context = await reopen({ offline: true });
    await withoutBackgroundSync();
    page = context.pages()[0] ?? (await context.newPage());
    await page.goto(server.url + '/reports');
    await page.getByRole('heading', { level: 2, name: 'Stolen laptop' }).waitFor();
    await page.getByText(NOT_SENT_TAG, { exact: true }).waitFor();
    await page.getByText(SAVED_MESSAGE).waitFor();
    assert.equal(await storedReports(server.dataDir), 0, 'nothing reached the server while offline');

    await context.setOffline(false);
    const reference = await shownReference(page);
    await page.getByText('Sent', { exact: true }).waitFor();
    assert.equal(await storedReports(server.dataDir), 1, 'exactly one report stored');
    // The security team has it: forwarded once to the incident mailbox (the default Maildir).
    const mailed = await waitUntil(async () => {
      const messages = await mailedReports(server.dataDir);
      return messages.length > 0 && messages;
    }, 'the report is in the mailbox');
    assert.equal(mailed.length, 1, 'one message');
    assert.match(mailed[0], new RegExp(`^Subject: \\[${reference}\\] Stolen laptop, reported `, 'm'));
    assert.match(mailed[0], new RegExp(`^Message-ID: <${id}@localhost>`, 'm'));
    await page.reload();
    assert.equal(await shownReference(page), reference, 'the same reference after a reload');
  }, { profile: true });
});
