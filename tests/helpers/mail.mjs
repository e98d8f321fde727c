// A real SMTP server on loopback (forwarding/tests/smtp_sink.py on Debian's python3-aiosmtpd),
// and PostgreSQL for several server instances (scripts/postgres-for-tests.sh).
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { root } from './server.mjs';

/** A free loopback port. */
export async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  return port;
}

/**
 * Starts the SMTP sink. `answer(mode)` sets how it answers the next messages (`accept`, `451`,
 * `550`, `hold`); `messages()` reads what it stored; `arrivals()` the log of stored (`<ms> <id>`)
 * and held (`held <id>`) messages.
 */
export async function startSmtpSink() {
  const dir = await mkdtemp(path.join(tmpdir(), 'lost-device-smtp-'));
  const port = await freePort();
  const log = path.join(dir, 'arrivals.log');
  const mode = path.join(dir, 'mode');
  const child = spawn('/usr/bin/python3', [path.join(root, 'forwarding/tests/smtp_sink.py'), String(port), path.join(dir, 'mailbox'), mode], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, SINK_LOG: log },
  });
  await new Promise((resolve, reject) => {
    child.stdout.once('data', resolve);
    child.once('exit', (code) => reject(new Error(`the SMTP sink exited with ${code}`)));
  });
  const newDir = path.join(dir, 'mailbox', 'new');
  return {
    port,
    answer: (next) => writeFile(mode, next),
    messages: async () => {
      const names = await readdir(newDir).catch(() => []);
      return Promise.all(names.map((name) => readFile(path.join(newDir, name), 'utf8')));
    },
    arrivals: async () => (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean),
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        await once(child, 'exit');
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Rate limits far above what a load test sends from one address, so none is refused. */
export const UNLIMITED = ['--rate-limit-per-client', '1000000000', '--rate-limit-global', '1000000000'];

/** The flags that make a server forward to `sink` (plain SMTP on loopback). */
export function smtpFlags(sink) {
  return ['--smtp-host', '127.0.0.1', '--smtp-port', String(sink.port), '--smtp-tls', 'none'];
}

/**
 * Starts a throwaway PostgreSQL server (stopped and removed when this process ends) and returns
 * the URL of its `postgres` database.
 */
export async function startPostgres() {
  const { stdout } = await promisify(execFile)(path.join(root, 'scripts/postgres-for-tests.sh'), [String(process.pid)]);
  return `${stdout.trim()}/postgres`;
}

/** Runs `sql` on the database at `url` with Debian's psql; returns what it printed. */
export async function psql(url, sql) {
  const { stdout } = await promisify(execFile)('psql', ['-At', url, '-c', sql]);
  return stdout.trim();
}
