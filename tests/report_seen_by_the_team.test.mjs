// The report's life after "Send", end to end: made with no signal on a phone, sent when the
// signal returns, passed on, acknowledged and closed by the team in its view; the phone's "Your
// reports" says each stage after its next check, and stops asking once the report is closed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { screenshot } from './helpers/access.mjs';
import { PEOPLE, signInAtProvider } from './helpers/identity_provider.mjs';
import { queueReportOffline, shownReference } from './helpers/report.mjs';
import { auditRows, withTeam } from './helpers/team.mjs';

const RECIPIENT = 'the Example Agency cyber team';
const PHONE = { viewport: { width: 360, height: 740 } };

test('the phone hears that its report was passed on, seen and closed, then stops asking', () => withTeam(async ({ server, browser }) => {
  const phone = await browser.newContext(PHONE);
  const page = await phone.newPage();
  const asked = [];
  page.on('request', (request) => {
    if (request.url().endsWith('/status')) asked.push(request.url());
  });
  await queueReportOffline(phone, page, server.url);
  await phone.setOffline(false);
  const reference = await shownReference(page);
  await page.getByText(`Received by the service, reference ${reference}`).first().waitFor();
  await screenshot(page, 'phone-1-received');

  // The next check (opening "Your reports") finds it passed on to the recipient.
  await page.goto(`${server.url}/reports`);
  await page.getByText(`Passed on to ${RECIPIENT}`).waitFor();
  assert.equal(await page.getByText(/^Seen by/).count(), 0, 'nothing the team has not done');
  await screenshot(page, 'phone-2-passed-on');

  const team = await browser.newContext();
  const desk = await team.newPage();
  await desk.goto(`${server.url}/team/reports/${reference}`);
  await signInAtProvider(desk, PEOPLE.handler, server.url);
  // The team is told what the reporter's phone will say, and it does.
  await desk.getByText(`Where the app runs on the reporter's phone, it will then say “Seen by ${RECIPIENT}”, with the date and time.`).waitFor();
  await desk.getByRole('button', { name: 'Acknowledge' }).click();
  await desk.getByText('You acknowledged this report.').waitFor();
  await screenshot(desk, 'team-report-acknowledged');

  // From here the phone's clock is the test's, so "every minute" needs no real minute.
  await page.clock.install();
  await page.reload();
  await page.getByText(new RegExp(`^Seen by ${RECIPIENT} on `)).waitFor();
  assert.doesNotMatch(await page.locator('main').innerText(), /Sam Handler|sam\.handler/, 'never who in the team');
  await screenshot(page, 'phone-3-seen');

  await desk.getByLabel('Not recovered, accounts secured').check();
  await desk.getByText(`Where the app runs on the reporter's phone, it will then say that ${RECIPIENT} has finished with this report, with the date. It does not show the outcome or the note.`).waitFor();
  await desk.getByRole('button', { name: 'Close report' }).click();
  await desk.getByRole('button', { name: 'Yes, close this report' }).click();
  await desk.getByText('You closed this report.').waitFor();

  // No reload: the open page's next minutely check finds it closed.
  await page.clock.fastForward('01:05');
  await page.getByText(new RegExp(`^Closed on .*: ${RECIPIENT} has finished with this report\\.`)).waitFor();
  assert.doesNotMatch(await page.locator('main').innerText(), /accounts secured/i, 'the outcome is the team\'s');
  await screenshot(page, 'phone-4-closed');
  // Closed: the phone asks no more, on reload or as the minutes pass. (A question would go at
  // once on either; the second only lets one already sent be seen.)
  const before = asked.length;
  await page.reload();
  await page.getByText(/^Closed on /).waitFor();
  await page.clock.fastForward('03:00');
  await page.waitForTimeout(1000);
  assert.equal(asked.length, before, 'no more questions once closed');

  const rows = await auditRows(server);
  if (process.env.SHOW_AUDIT) console.log(rows);
  assert.deepEqual(rows.map(({ action }) => action), ['signed_in', 'viewed', 'acknowledged', 'viewed', 'closed', 'viewed']);
  assert.ok(rows.every(({ who, address }) => who === PEOPLE.handler.email && address === '127.0.0.1'));
}, { args: ['--recipient-name', RECIPIENT] }));
