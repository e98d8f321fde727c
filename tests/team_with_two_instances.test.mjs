// Two server instances on one PostgreSQL database: a session begun through one is honoured by
// the other (sessions live in the database), and two people acknowledging one report at the same
// moment, through different instances, give one acknowledgement and two audit rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { PEOPLE, signInAtProvider } from './helpers/identity_provider.mjs';
import { psql, startPostgres } from './helpers/mail.mjs';
import { postReport } from './helpers/report.mjs';
import { auditRows, withTeam } from './helpers/team.mjs';

test('a session works on every instance, and two acknowledgements at once make one', async () => {
  const database = await startPostgres();
  await withTeam(async ({ servers: [one, two], browser }) => {
    const { reference } = await (await postReport(one.url, randomUUID())).json();

    // Signed in through the first instance…
    const sam = await browser.newContext();
    const samPage = await sam.newPage();
    await samPage.goto(`${one.url}/team`);
    await signInAtProvider(samPage, PEOPLE.handler, one.url);
    await samPage.getByRole('heading', { level: 1, name: 'Reports' }).waitFor();
    // …the second knows them (cookies are per host, and both instances read one database).
    await samPage.goto(`${two.url}/team/reports/${reference}`);
    assert.equal(new URL(samPage.url()).origin, two.url, 'not sent to sign in again');
    await samPage.getByText('Signed in as Sam Handler').waitFor();

    const kim = await browser.newContext();
    const kimPage = await kim.newPage();
    await kimPage.goto(`${one.url}/team/reports/${reference}`);
    await signInAtProvider(kimPage, PEOPLE.second, one.url);
    await kimPage.getByRole('button', { name: 'Acknowledge' }).waitFor();

    await Promise.all([
      samPage.getByRole('button', { name: 'Acknowledge' }).click(),
      kimPage.getByRole('button', { name: 'Acknowledge' }).click(),
    ]);
    const said = await Promise.all([samPage, kimPage].map(async (page) => {
      await page.locator('.govuk-notification-banner__heading').waitFor();
      return page.locator('.govuk-notification-banner__heading').innerText();
    }));
    assert.deepEqual(said.sort(), [
      'Someone else acknowledged this report first. Nothing was changed.',
      'You acknowledged this report.',
    ]);
    assert.equal(await psql(database, 'SELECT count(*) FROM reports WHERE acknowledged_at IS NOT NULL'), '1');
    const rows = (await auditRows(one, { database })).filter(({ action }) => action.includes('acknowledged'));
    assert.deepEqual(rows.map(({ action }) => action).sort(), ['acknowledged', 'already_acknowledged']);
    assert.deepEqual(rows.map(({ who }) => who).sort(), [PEOPLE.second.email, PEOPLE.handler.email].sort());
  }, { instances: 2, args: ['--database', database] });
});
