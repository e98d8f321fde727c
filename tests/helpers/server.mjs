// Starts the real release server on a free loopback port, with a fresh data directory.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, launchProfile } from './browser.mjs';
import { startFaultProxy } from './fault_proxy.mjs';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The release build, and the rehearsal of the next release built beside it by scripts/test.sh. */
export const builds = {
  current: { binary: path.join(root, 'target/release/lost-device'), site: path.join(root, 'target/site') },
  next: { binary: path.join(root, 'target/rehearsal/lost-device'), site: path.join(root, 'target/rehearsal/site') },
};

/**
 * Starts `build` on 127.0.0.1 (`port` 0 picks a free one) with any further flags `args` and
 * environment `env`, and resolves once
 * it is listening. Returns `{ url, port, dataDir, stop, restart, kill, log }`; `restart(options)`
 * stops it (if running) and starts it again on the same port, with a fresh data directory and
 * these options instead (another `build`, say), keeping the same handle.
 */
export async function startServer(options = {}) {
  const handle = {};
  let running = await spawnServer(options);
  const stop = async () => {
    const { child, dataDir } = running;
    // A process killed by a signal has a signalCode and no exitCode.
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGINT');
      await exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  };
  const show = () => Object.assign(handle, { url: running.url, port: Number(new URL(running.url).port), dataDir: running.dataDir });
  Object.assign(handle, {
    stop,
    restart: async (changes = {}) => {
      await stop();
      running = await spawnServer({ ...options, ...changes, port: handle.port });
      show();
    },
    kill: (signal) => running.child.kill(signal),
    log: () => running.log(),
  });
  show();
  return handle;
}

async function spawnServer({ build = builds.current, port = 0, args = [], env = {} } = {}) {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'lost-device-data-'));
  const child = spawn(
    build.binary,
    ['--bind', '127.0.0.1', '--port', String(port), '--data-dir', dataDir, '--site-root', build.site, ...args],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: 'warn', ...env } },
  );
  // The server logs to standard output; a panic goes to standard error.
  let log = '';
  child.stderr.on('data', (chunk) => (log += chunk));
  child.stdout.on('data', (chunk) => (log += chunk));
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
  return { child, url, dataDir, log: () => log };
}

/**
 * Runs `use({ server, browser, url, proxy, reopen })` with a fresh server and a fresh browser, and
 * always stops them. Options:
 * - `server`: options for `startServer` (`port`, `build`, `args`, `env`);
 * - `faults`: a plan for a fault proxy in front of the server (see `fault_proxy.mjs`); `url` is
 *   then the proxy's, else the server's;
 * - `profile`: a browser with a profile on disk (`browser` is then its one context), which
 *   `reopen(launchOptions)` closes and opens again, like a phone's browser, and returns.
 */
export async function withServerAndBrowser(use, { server: serverOptions = {}, faults, profile = false } = {}) {
  const server = await startServer(serverOptions);
  const proxy = faults ? await startFaultProxy(server.url, faults) : undefined;
  const profileDir = profile ? await mkdtemp(path.join(tmpdir(), 'lost-device-profile-')) : undefined;
  let browser;
  try {
    browser = profileDir ? await launchProfile(profileDir) : await launchBrowser();
    const reopen = async (launchOptions = {}) => {
      await browser.close();
      browser = await launchProfile(profileDir, launchOptions);
      return browser;
    };
    return await use({ server, browser, url: proxy?.url ?? server.url, proxy, reopen });
  } finally {
    await browser?.close();
    await proxy?.stop();
    await server.stop();
    if (profileDir) await rm(profileDir, { recursive: true, force: true });
  }
}
