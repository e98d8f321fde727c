// The service desk's tools get each report by webhook, signed as the Standard Webhooks
// specification says: a receiver checks it with the specification's own library in a few lines,
// and gets one delivery per report, whose webhook-id drops any repeat.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { waitUntil } from './helpers/browser.mjs';
import { deliveriesLeft, postReport } from './helpers/report.mjs';
import { startServer } from './helpers/server.mjs';

/** A receiver on a loopback port that checks every delivery with `secret`, as a real one would. */
async function startReceiver(secret) {
  const verifier = new Webhook(secret);
  const seen = { verified: [], refused: 0 };
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      try {
        verifier.verify(body, request.headers);
      } catch {
        seen.refused += 1;
        response.writeHead(401).end();
        return;
      }
      seen.verified.push({ id: request.headers['webhook-id'], report: JSON.parse(body) });
      response.writeHead(204).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/hook`, seen, stop: () => new Promise((resolve) => server.close(resolve)) };
}

test('a report reaches the webhook once, and the Standard Webhooks library accepts its signature', async () => {
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const dir = await mkdtemp(path.join(tmpdir(), 'lost-device-webhook-'));
  const secretFile = path.join(dir, 'secret');
  await writeFile(secretFile, `${secret}\n`, { mode: 0o600 });
  const receiver = await startReceiver(secret);
  const server = await startServer({ args: ['--webhook-url', receiver.url, '--webhook-secret-file', secretFile] });
  try {
    const id = randomUUID();
    const stored = await postReport(server.url, id);
    assert.equal(stored.status, 201);
    const { reference } = await stored.json();
    await waitUntil(() => receiver.seen.verified.length === 1, 'the webhook has the report');
    const [delivery] = receiver.seen.verified;
    assert.equal(delivery.id, id, 'webhook-id is the report id');
    assert.equal(delivery.report.reference, reference);
    assert.equal(receiver.seen.refused, 0);

    // The phone sends it again: the same reference, and nothing more to post (no delivery is
    // waiting or in progress, so none can come later).
    assert.equal((await postReport(server.url, id)).status, 200);
    assert.deepEqual(await deliveriesLeft(server.url), { undelivered: 0, parked: 0 });
    assert.equal(receiver.seen.verified.length, 1);
  } finally {
    await server.stop();
    await receiver.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a secret that is not a Standard Webhooks secret stops the server at start, in plain words', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'lost-device-webhook-'));
  const secretFile = path.join(dir, 'secret');
  await writeFile(secretFile, 'hunter2\n', { mode: 0o600 });
  try {
    await assert.rejects(
      startServer({ args: ['--webhook-url', 'http://127.0.0.1:9/hook', '--webhook-secret-file', secretFile] }),
      (error) => /whsec_/.test(error.message) && !/hunter2/.test(error.message),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
