// A delivery the service desk's webhook refused for good (400) waits, held back, until the team
// retries it from the report's page once the receiver is fixed: then it is delivered once, and
// the audit trail says who retried it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expectNoViolations } from './helpers/access.mjs';
import { waitUntil } from './helpers/browser.mjs';
import { PEOPLE, signInAtProvider } from './helpers/identity_provider.mjs';
import { deliveriesLeft, fillReport, sendReport, shownReference } from './helpers/report.mjs';
import { auditRows, sqlite, withTeam } from './helpers/team.mjs';

/** What the phone says of a report whose delivery is held back. */
const HELD_BACK = 'Not yet passed on to the security team this service sends to: it could not be delivered, so it is held back. The people who run this service can see that it is waiting, and send it on once the problem is fixed.';

/** A webhook receiver that answers `status.code` (400 until fixed) and counts what it took. */
async function startReceiver() {
  const state = { code: 400, taken: [] };
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      if (state.code < 300) state.taken.push(request.headers['webhook-id']);
      response.writeHead(state.code).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { state, url: `http://127.0.0.1:${server.address().port}/hook`, stop: () => new Promise((resolve) => server.close(resolve)) };
}

test('a held-back delivery retried from the team view is delivered once, with an audit row', async () => {
  const receiver = await startReceiver();
  const dir = await mkdtemp(path.join(tmpdir(), 'lost-device-retry-'));
  const secretFile = path.join(dir, 'secret');
  await writeFile(secretFile, `whsec_${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  try {
    await withTeam(async ({ server, browser }) => {
      // Sent from a phone, which is then told the delivery is held back, not that it is still
      // being tried.
      const phone = await browser.newContext();
      const reporter = await phone.newPage();
      await reporter.goto(server.url + '/report');
      await fillReport(reporter);
      await sendReport(reporter);
      const reference = await shownReference(reporter);
      const id = new URL(reporter.url()).searchParams.get('id');
      await waitUntil(async () => (await sqlite(server.dataDir, 'SELECT state FROM deliveries')) === 'parked', 'the delivery is held back');
      await reporter.goto(server.url + '/reports');
      await reporter.getByText(HELD_BACK).waitFor();
      assert.equal(await reporter.getByText(/The service keeps trying/).count(), 0, 'not said to be still trying');
      await phone.close();

      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${server.url}/team/reports/${reference}`);
      await signInAtProvider(page, PEOPLE.handler, server.url);
      const row = page.getByRole('row', { name: /webhook/ });
      await row.getByText('Held back').waitFor();
      await row.getByText(/Last failure: .*400/).waitFor();
      await expectNoViolations(page, 'a report with a held-back delivery');

      receiver.state.code = 204;
      await page.getByRole('button', { name: 'Retry delivery' }).click();
      await page.getByText('Delivery will be tried again now.').waitFor();
      await waitUntil(() => receiver.state.taken.length === 1, 'the receiver has the report');
      assert.deepEqual(receiver.state.taken, [id]);
      await page.reload();
      await page.getByRole('row', { name: /webhook/ }).getByText('Passed on').waitFor();
      assert.equal(await page.getByRole('button', { name: 'Retry delivery' }).count(), 0);
      // Nothing waiting or in progress, so no second copy can follow.
      assert.deepEqual(await deliveriesLeft(server.url), { undelivered: 0, parked: 0 });
      assert.equal(receiver.state.taken.length, 1, 'delivered once');
      const retried = (await auditRows(server)).filter(({ action }) => action === 'retried_delivery');
      assert.deepEqual(retried, [{ who: PEOPLE.handler.email, action: 'retried_delivery', address: '127.0.0.1', detail: 'webhook' }]);
    }, { args: ['--webhook-url', receiver.url, '--webhook-secret-file', secretFile] });
  } finally {
    await receiver.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
