// Two server instances share one PostgreSQL database behind the test's own round-robin: every
// report is stored once and emailed once between them, and when one dies in the middle of a
// delivery, the other takes the delivery over after the lease and sends it, once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitUntil } from './helpers/browser.mjs';
import { UNLIMITED, psql, smtpFlags, startPostgres, startSmtpSink } from './helpers/mail.mjs';
import { startServer } from './helpers/server.mjs';
import { postReport } from './helpers/report.mjs';

const LEASE_S = 3;

/** Sends report `id` to `url` as the phone does, again after a 409 (another instance has it). */
async function send(url, id) {
  for (;;) {
    const answer = await postReport(url, id);
    const body = await answer.json();
    if (answer.status !== 409) return { status: answer.status, reference: body.reference };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The report ids in the Message-IDs of `messages`. */
function messageIds(messages) {
  return messages.map((m) => m.match(/^Message-ID: <([0-9a-f-]+)@/m)[1]);
}

async function instances(count, database, sink) {
  const flags = ['--database', database, ...smtpFlags(sink), '--forward-lease', String(LEASE_S), ...UNLIMITED];
  return Promise.all(Array.from({ length: count }, () => startServer({ args: flags })));
}

test('200 submissions of 50 reports over two instances: 50 stored, 50 emails, one per report', async () => {
  const database = await startPostgres();
  const sink = await startSmtpSink();
  const servers = await instances(2, database, sink);
  try {
    const ids = Array.from({ length: 50 }, () => crypto.randomUUID());
    // Each report four times, all at once, alternating between the instances.
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, n) => send(servers[n % 2].url, ids[n % 50]).then((a) => ({ ...a, id: ids[n % 50] }))),
    );
    assert.ok(answers.every((a) => a.status === 201 || a.status === 200), 'every submission answered');
    assert.equal(answers.filter((a) => a.status === 201).length, 50, 'each report created once');
    for (const id of ids) {
      const references = new Set(answers.filter((a) => a.id === id).map((a) => a.reference));
      assert.equal(references.size, 1, `one reference for ${id}`);
    }
    assert.equal(await psql(database, 'SELECT count(*) FROM reports'), '50');

    const messages = await waitUntil(async () => {
      const stored = await sink.messages();
      return stored.length >= 50 && stored;
    }, 'every report is emailed', 30_000);
    // Nothing more arrives once every delivery is recorded.
    await waitUntil(async () => (await psql(database, "SELECT count(*) FROM deliveries WHERE state <> 'delivered'")) === '0', 'every delivery recorded');
    const sent = messageIds(await sink.messages());
    assert.equal(sent.length, 50, 'one email per report');
    assert.deepEqual([...new Set(sent)].sort(), [...ids].sort(), 'each Message-ID names its report');
    assert.equal(messages.length, 50);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await sink.stop();
  }
});

test('an instance killed while delivering: the other delivers its reports after the lease, once', async () => {
  const database = await startPostgres();
  const sink = await startSmtpSink();
  await sink.answer('hold');
  const [first] = await instances(1, database, sink);
  let second;
  try {
    const ids = Array.from({ length: 5 }, () => crypto.randomUUID());
    for (const id of ids) assert.equal((await send(first.url, id)).status, 201);
    await waitUntil(async () => (await sink.arrivals()).filter((line) => line.startsWith('held')).length >= 5, 'the first instance is delivering');

    first.kill('SIGKILL');
    await sink.answer('accept');
    const killedAt = Date.now();
    [second] = await instances(1, database, sink);
    const messages = await waitUntil(async () => {
      const stored = await sink.messages();
      return stored.length >= 5 && stored;
    }, 'the second instance delivers them', 30_000);
    assert.ok(Date.now() - killedAt >= (LEASE_S - 1) * 1000, 'only after the lease ran out');
    await waitUntil(async () => (await psql(database, "SELECT count(*) FROM deliveries WHERE state <> 'delivered'")) === '0', 'every delivery recorded');
    assert.deepEqual(messageIds(await sink.messages()).sort(), [...ids].sort(), 'each report once');
    assert.equal(messages.length, 5);
  } finally {
    await first.stop();
    await second?.stop();
    await sink.stop();
  }
});
