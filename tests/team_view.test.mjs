// The team that receives reports signs in with the organisation's identity provider (a real
// OpenID provider here), sees every report, opens one, acknowledges and closes it; every view and
// action is in the audit trail. Someone the server does not admit is refused, and so is a form
// without its CSRF token; a session that has ended signs in again before anything is done.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { expectNoViolations, screenshot } from './helpers/access.mjs';
import { PEOPLE, signInAtProvider } from './helpers/identity_provider.mjs';
import { EXAMPLE_FORM, mailedReports, postReport } from './helpers/report.mjs';
import { auditRows, sqlite, withTeam } from './helpers/team.mjs';
import { freePort } from './helpers/mail.mjs';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';

/** Posts the example report; resolves to its reference. */
async function sendExample(server) {
  const response = await postReport(server.url, randomUUID());
  assert.equal(response.status, 201);
  return (await response.json()).reference;
}

test('signing in from /team, the list, a report, acknowledge, close and sign out', () => withTeam(async ({ server, browser, provider }) => {
  const reference = await sendExample(server);
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}/team`);
  assert.equal(new URL(page.url()).origin, provider.issuer, 'no session: sent to sign in');
  await signInAtProvider(page, PEOPLE.handler, server.url);
  assert.equal(new URL(page.url()).pathname, '/team', 'back where they started');
  await page.getByRole('heading', { level: 1, name: 'Reports' }).waitFor();
  await page.getByText('Signed in as Sam Handler').waitFor();
  const row = page.getByRole('row', { name: new RegExp(reference) });
  await row.getByText('New').waitFor();
  // The walk of the whole audit trail, chained row to row, found nothing changed.
  await page.getByText(/The audit trail is intact: all \d+ entries were checked/).waitFor();
  await expectNoViolations(page, 'the team list');
  await screenshot(page, 'team-list');

  const listed = await context.request.get(`${server.url}/team`);
  assert.equal(listed.headers()['cache-control'], 'no-store');
  assert.match(listed.headers()['content-security-policy'], /script-src 'none'/);

  await page.getByRole('link', { name: reference }).click();
  await page.getByRole('heading', { level: 1, name: 'Stolen laptop' }).waitFor();
  for (const answer of [EXAMPLE_FORM.name, EXAMPLE_FORM.email, EXAMPLE_FORM.location]) {
    await page.getByText(answer, { exact: true }).waitFor();
  }
  await page.getByRole('row', { name: /The mail folder on this server/ }).getByText('Passed on').waitFor();
  await page.getByRole('row', { name: /Viewed the report/ }).first().waitFor();
  // The mailbox's copy links to this page, and the answers are shown as links to call or write.
  const [mailed] = await mailedReports(server.dataDir);
  assert.ok(mailed.includes(`In the team's view: ${page.url()}`), 'the forwarded copy links here');
  assert.equal(await page.getByRole('link', { name: EXAMPLE_FORM.email }).getAttribute('href'), `mailto:${EXAMPLE_FORM.email}`);
  await expectNoViolations(page, 'a new report');

  await page.getByRole('button', { name: 'Acknowledge' }).click();
  await page.getByText('You acknowledged this report.').waitFor();
  await page.getByRole('row', { name: /sam\.handler@example\.org Acknowledged/ }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Acknowledge' }).count(), 0);
  await expectNoViolations(page, 'an acknowledged report');

  // Closing without an outcome says what to do, and closes nothing.
  await page.getByRole('button', { name: 'Close report' }).click();
  await page.getByRole('link', { name: 'Select how the report ends' }).waitFor();
  assert.match(await page.title(), /^Error: /);
  await expectNoViolations(page, 'the close form with an error');
  await page.getByLabel('Device recovered').check();
  await page.getByLabel('Internal note (optional)').fill('Handed in at the Leeds station office.');
  await page.getByRole('button', { name: 'Close report' }).click();
  // Asked first, with what was chosen; going back closes nothing.
  await page.getByRole('heading', { level: 1, name: 'Close this report?' }).waitFor();
  await page.getByText('Device recovered', { exact: true }).waitFor();
  await expectNoViolations(page, 'closing, asked first');
  await page.getByRole('link', { name: 'No, go back to the report' }).click();
  await page.getByRole('button', { name: 'Close report' }).waitFor();
  assert.equal(await sqlite(server.dataDir, 'SELECT count(*) FROM reports WHERE closed_at IS NOT NULL'), '0');
  await page.getByLabel('Device recovered').check();
  await page.getByLabel('Internal note (optional)').fill('Handed in at the Leeds station office.');
  await page.getByRole('button', { name: 'Close report' }).click();
  await page.getByRole('button', { name: 'Yes, close this report' }).click();
  await page.getByText('You closed this report.').waitFor();
  await page.getByText('Handed in at the Leeds station office.').waitFor();
  await page.getByRole('row', { name: /Closed: Device recovered/ }).waitFor();
  await expectNoViolations(page, 'a closed report');
  await screenshot(page, 'team-report-closed');

  await page.goto(`${server.url}/team/reports/LD-2026-999999`);
  await page.getByRole('heading', { level: 1, name: 'There is no report with this reference' }).waitFor();
  await expectNoViolations(page, 'an unknown reference');

  await page.goto(`${server.url}/team?state=closed`);
  await page.getByRole('row', { name: new RegExp(reference) }).getByText('Closed').waitFor();
  await page.goto(`${server.url}/team?state=new`);
  await page.getByText('There are no reports here.').waitFor();
  // Filters combine: the reference searched for is not new, so nothing is found in New; the
  // link to all reports keeps the search.
  await page.getByLabel('Reference, name, email, asset tag or ticket').fill(reference.toLowerCase());
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.getByText('0 reports match.').waitFor();
  await page.getByRole('link', { name: 'All (1)' }).click();
  await page.getByRole('link', { name: reference }).waitFor();
  assert.equal(new URL(page.url()).searchParams.get('q'), reference.toLowerCase(), 'the filter is in the address');
  await expectNoViolations(page, 'the list, filtered');
  await page.goto(`${server.url}/team?from=2026-02-30`);
  await page.getByRole('link', { name: 'Received from must be a real date' }).waitFor();
  await expectNoViolations(page, 'the list, with a day that is not real');

  await page.goto(`${server.url}/team/counts`);
  await page.getByRole('heading', { level: 1, name: 'Counts' }).waitFor();
  await page.getByRole('table', { name: 'How long the team took, from receiving a report' }).waitFor();
  await expectNoViolations(page, 'the counts page');
  await screenshot(page, 'team-counts');

  // Working the case: taken, a note, reopened (the phone shows it as seen again).
  await page.goto(`${server.url}/team/reports/${reference}`);
  await page.getByRole('button', { name: 'Take this report' }).click();
  await page.getByText('You own this report').waitFor();
  await page.getByLabel('Add a note').fill('Called the reporter back: the laptop is with BTP.');
  await page.getByRole('button', { name: 'Add note' }).click();
  await page.getByText('Called the reporter back: the laptop is with BTP.').waitFor();
  await page.getByRole('button', { name: 'Reopen this report' }).click();
  await page.getByText('You reopened this report.').waitFor();
  await page.getByRole('heading', { name: 'Close this report' }).waitFor();
  await expectNoViolations(page, 'a reopened report with an owner and a note');
  await screenshot(page, 'team-report-worked');

  // Erasing asks for a reason and a ticked box, and says so beside each.
  await page.getByRole('button', { name: 'Erase personal details' }).click();
  await page.getByRole('link', { name: 'Enter why the details are erased' }).waitFor();
  await page.getByRole('link', { name: 'Select that you understand the details cannot be brought back' }).waitFor();
  await expectNoViolations(page, 'the erase form with its errors');
  // A download with a day that is not real is refused in words.
  const refusedDownload = await page.goto(`${server.url}/team/reports.csv?to=2026-13-01`);
  assert.equal(refusedDownload.status(), 400);
  await page.getByRole('heading', { level: 1, name: 'These reports cannot be downloaded' }).waitFor();
  await expectNoViolations(page, 'a refused download');

  // Signing out ends the session here and at the provider.
  await page.getByRole('button', { name: 'Sign out' }).click();
  if (new URL(page.url()).origin === provider.issuer) {
    await page.getByRole('button', { name: /yes/i }).click();
  }
  await page.getByRole('heading', { level: 1, name: 'You have signed out' }).waitFor();
  await expectNoViolations(page, 'signed out');
  // A sign-in link used twice, or from another browser, starts again.
  const stale = await page.goto(`${server.url}/team/signed-in?code=used&state=used`);
  assert.equal(stale.status(), 400);
  await page.getByRole('link', { name: 'Sign in again' }).waitFor();
  await expectNoViolations(page, 'a stale sign-in');
  await page.goto(`${server.url}/team`);
  assert.equal(new URL(page.url()).origin, provider.issuer, 'signed out: sent to sign in again');
  await page.locator('input[name="login"]').waitFor();

  const actions = (await auditRows(server)).map(({ who, action }) => `${who} ${action}`);
  assert.deepEqual(actions, [
    'sam.handler@example.org signed_in',
    'sam.handler@example.org viewed',
    'sam.handler@example.org acknowledged',
    'sam.handler@example.org viewed',
    // The close form with its error, then back from "Close this report?" (asking writes nothing).
    'sam.handler@example.org viewed',
    'sam.handler@example.org viewed',
    'sam.handler@example.org closed',
    'sam.handler@example.org viewed',
    // The case worked: taken, a note, reopened, each shown after.
    'sam.handler@example.org viewed',
    'sam.handler@example.org owner_changed',
    'sam.handler@example.org viewed',
    'sam.handler@example.org note_added',
    'sam.handler@example.org viewed',
    'sam.handler@example.org reopened',
    'sam.handler@example.org viewed',
    // The erase form shown again with its errors is a view of the report.
    'sam.handler@example.org viewed',
    'sam.handler@example.org signed_out',
    // The stale sign-in link: a refusal, by no one known.
    'unknown refused',
  ]);
}));

test('someone the server does not admit is refused, and the refusal is in the audit trail', async () => {
  const metricsPort = await freePort();
  await withTeam(async ({ server, browser }) => {
    await sendExample(server);
    const context = await browser.newContext();
    const page = await context.newPage();
    const refused = page.waitForResponse((response) => response.url().startsWith(`${server.url}/team/signed-in`));
    await page.goto(`${server.url}/team`);
    await signInAtProvider(page, PEOPLE.other, server.url);
    assert.equal((await refused).status(), 403);
    await page.getByRole('heading', { level: 1, name: 'You cannot use the team\'s view' }).waitFor();
    await page.getByText('You signed in as pat.other@example.org.').waitFor();
    await page.getByText('If you should be one of them, ask the IT Security team at itsecurity@example.org to add you.').waitFor();
    await expectNoViolations(page, 'refused');
    assert.equal((await context.request.get(`${server.url}/team`, { maxRedirects: 0 })).status(), 303, 'no session was made');
    assert.deepEqual(await auditRows(server), [{
      who: 'pat.other@example.org', action: 'refused', address: '127.0.0.1', detail: 'may not use the team\'s view (provider subject pat.other)',
    }]);

    // Signed out at the provider, they can sign in as someone who may enter.
    await page.getByRole('link', { name: 'Sign out, to sign in as someone else' }).click();
    await page.getByRole('button', { name: /yes/i }).click();
    await page.getByRole('heading', { level: 1, name: 'You have signed out' }).waitFor();
    await page.goto(`${server.url}/team`);
    await signInAtProvider(page, PEOPLE.handler, server.url);
    await page.getByRole('heading', { level: 1, name: 'Reports' }).waitFor();

    // The people who run the service see one sign-in refused and one that entered, nothing else.
    const scraped = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    assert.equal(scraped.status, 200);
    const families = parsePrometheusTextFormat(await scraped.text());
    const signIns = families.find((family) => family.name === 'lost_device_sign_ins_total');
    assert.deepEqual(
      Object.fromEntries(signIns.metrics.map((metric) => [metric.labels.outcome, Number(metric.value)])),
      { refused: 1, signed_in: 1 },
    );
    const received = families.find((family) => family.name === 'lost_device_reports_received_total');
    assert.deepEqual(received.metrics.map((metric) => [metric.labels.outcome, metric.value]), [['stored', '1']]);
    assert.equal((await fetch(`${server.url}/metrics`)).status, 404, 'not on the public listener');
  }, {
    args: [
      '--team-contact', 'the IT Security team at itsecurity@example.org',
      '--metrics-listen', `127.0.0.1:${metricsPort}`,
    ],
  });
});

test('a form without its CSRF token does nothing; an ended session signs in again first', () => withTeam(async ({ server, browser }) => {
  const reference = await sendExample(server);
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}/team/reports/${reference}`);
  await signInAtProvider(page, PEOPLE.handler, server.url);
  await page.getByRole('heading', { level: 1, name: 'Stolen laptop' }).waitFor();

  // The page's own form, its token changed: refused, and the answer says what to do.
  await page.locator('form[action$="/acknowledge"] input[name="csrf"]').evaluate((input) => { input.value = 'changed'; });
  await page.getByRole('button', { name: 'Acknowledge' }).click();
  await page.getByRole('heading', { level: 1, name: 'This form could not be used' }).waitFor();
  await expectNoViolations(page, 'a refused form');
  await page.getByRole('link', { name: 'Go back to the report' }).click();

  // Another site's form would carry the cookie (SameSite=Lax lets a top-level POST through in
  // some browsers) but never the token.
  const forged = await context.request.post(`${server.url}/team/reports/${reference}/acknowledge`, { form: { csrf: 'guess' }, maxRedirects: 0 });
  assert.equal(forged.status(), 403);
  assert.match(await forged.text(), /This form could not be used/);
  const bare = await context.request.post(`${server.url}/team/reports/${reference}/acknowledge`, { form: {}, maxRedirects: 0 });
  assert.equal(bare.status(), 403);
  assert.equal(await sqlite(server.dataDir, 'SELECT count(*) FROM reports WHERE acknowledged_at IS NOT NULL'), '0');

  // The session ends with the page still open: its cookie gone, which the server answers as it
  // answers a session past its limits (those limits, 30 minutes idle and 8 hours in all, are
  // proved on a test clock in server/tests/team_session.rs).
  await context.clearCookies({ name: '__Host-lost-device-team' });
  await page.getByRole('button', { name: 'Acknowledge' }).click();
  // Signed in again (the provider remembers them), back on the report, nothing done yet.
  await page.waitForURL(`${server.url}/team/reports/${reference}`);
  await page.getByRole('button', { name: 'Acknowledge' }).waitFor();
  assert.equal(await sqlite(server.dataDir, 'SELECT count(*) FROM reports WHERE acknowledged_at IS NOT NULL'), '0');
  await page.getByRole('button', { name: 'Acknowledge' }).click();
  await page.getByText('You acknowledged this report.').waitFor();
  const actions = (await auditRows(server)).map(({ action }) => action);
  // Each form without its token (the changed one, the guess, the bare post) is a refusal.
  assert.deepEqual(actions, ['signed_in', 'viewed', 'refused', 'viewed', 'refused', 'refused', 'signed_in', 'viewed', 'acknowledged', 'viewed']);
}));

test('starting sign-ins is rate-limited per address, in plain words', () => withTeam(async ({ server, browser }) => {
  const context = await browser.newContext();
  for (let n = 0; n < 3; n += 1) {
    assert.equal((await context.request.get(`${server.url}/team`, { maxRedirects: 0 })).status(), 303);
  }
  const refused = await context.request.get(`${server.url}/team`, { maxRedirects: 0 });
  assert.equal(refused.status(), 429);
  assert.ok(Number(refused.headers()['retry-after']) > 0);
  assert.match(await refused.text(), /Too many sign-ins were started from this network just now/);
  assert.equal(await sqlite(server.dataDir, 'SELECT count(*) FROM sign_ins'), '3', 'a refused start keeps nothing');
}, { args: ['--rate-limit-per-client', '3'] }));

test('a person over their allowance is told in plain words, and can still sign out', () => withTeam(async ({ server, browser, provider }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}/team`);
  await signInAtProvider(page, PEOPLE.handler, server.url);
  await page.getByRole('heading', { level: 1, name: 'Reports' }).waitFor();
  // 120 pages a minute: the list once more than that.
  let status = 200;
  for (let n = 0; n < 125 && status !== 429; n += 1) {
    status = (await context.request.get(`${server.url}/team`, { maxRedirects: 0 })).status();
  }
  assert.equal(status, 429);
  // The allowance refills as time passes (two a second): spend what came back while the loop
  // ran, then open the page at once, so it is refused however slow this machine is.
  await Promise.all(Array.from({ length: 20 }, () => context.request.get(`${server.url}/team`, { maxRedirects: 0 })));
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'Too many requests' }).waitFor();
  await page.getByText('You opened or changed a lot of pages in the last minute.').waitFor();
  await page.getByRole('button', { name: 'Sign out' }).click();
  // Ended here, then at the provider, which asks first.
  await page.waitForURL((url) => url.origin === provider.issuer || url.pathname === '/team/signed-out');
  if (new URL(page.url()).origin === provider.issuer) {
    await page.getByRole('button', { name: /yes/i }).click();
  }
  await page.getByRole('heading', { level: 1, name: 'You have signed out' }).waitFor();
  assert.equal(await sqlite(server.dataDir, 'SELECT count(*) FROM sessions'), '0');
  const actions = (await auditRows(server)).map(({ action }) => action);
  assert.deepEqual(actions, ['signed_in', 'signed_out']);
}));

test('the provider rotates its signing key: the next sign-in follows it, with no restart here', () => withTeam(async ({ server, browser, provider }) => {
  const signIn = async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/team`);
    await signInAtProvider(page, PEOPLE.handler, server.url);
    await page.getByRole('heading', { level: 1, name: 'Reports' }).waitFor();
    await context.close();
  };
  await signIn();
  // A restart with a new key first: its ID tokens carry a key id this server has not seen.
  await provider.rotateKeys();
  await signIn();
  const rows = (await auditRows(server)).map(({ action }) => action);
  assert.deepEqual(rows, ['signed_in', 'signed_in']);
}));

test('an address the provider does not say is verified is refused, and the refusal is audited', () => withTeam(async ({ server, browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}/team`);
  await signInAtProvider(page, PEOPLE.unverified, server.url);
  await page.getByRole('heading', { level: 1, name: 'Signing in did not work' }).waitFor();
  assert.equal((await context.request.get(`${server.url}/team`, { maxRedirects: 0 })).status(), 303, 'no session was made');
  assert.deepEqual(await auditRows(server), [{ who: 'unknown', action: 'refused', address: '127.0.0.1', detail: 'the email address is not verified' }]);
}));
