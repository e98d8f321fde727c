// Starts the real release server on a free loopback port, with a fresh data directory.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from './browser.mjs';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The release build, and the rehearsal of the next release built beside it by scripts/test.sh. */
export const builds = {
  current: { binary: path.join(root, 'target/release/lost-device'), site: path.join(root, 'target/site') },
  next: { binary: path.join(root, 'target/rehearsal/lost-device'), site: path.join(root, 'target/rehearsal/site') },
};

/**
 * Starts `build` on 127.0.0.1 (`port` 0 picks a free one) with the offline worker written in
 * `worker` ('js', the server's default, or 'rust') and any further flags `args`, and resolves once
 * it is listening. Returns `{ url, port, dataDir, stop, kill }`.
 */
export async function startServer({ build = builds.current, port = 0, worker = 'js', args = [] } = {}) {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'lost-device-data-'));
  const child = spawn(
    build.binary,
    ['--bind', '127.0.0.1', '--port', String(port), '--data-dir', dataDir, '--site-root', build.site, '--worker', worker, ...args],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: 'warn' } },
  );
  let log = '';
  child.stderr.on('data', (chunk) => (log += chunk));
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start within 20 s:\n${log}`)), 20_000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = out.match(/running at (http:\/\/127\.0\.0\.1:\d+)\//);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${log}`));
    });
  });
  const stop = async () => {
    // A process killed by a signal has a signalCode and no exitCode.
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGINT');
      await exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  };
  return { url, port: Number(new URL(url).port), dataDir, stop, kill: (signal) => child.kill(signal), log: () => log };
}

/** Runs `use({ server, browser })` with a fresh server and a fresh browser, and always stops both. */
export async function withServerAndBrowser(use) {
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    return await use({ server, browser });
  } finally {
    await browser.close();
    await server.stop();
  }
}
