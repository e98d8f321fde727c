// The team's view with its identity provider: servers that know the provider, a browser, and
// the rows of the audit trail as the database holds them.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { launchBrowser } from './browser.mjs';
import { startIdentityProvider } from './identity_provider.mjs';
import { freePort, psql } from './mail.mjs';
import { startServer } from './server.mjs';

/**
 * Runs `use({ servers, browser, provider })` with `instances` servers (each with `args`) that
 * sign the team in with a real OpenID provider, and a fresh browser; always stops them all.
 */
export async function withTeam(use, { instances = 1, args = [] } = {}) {
  const ports = await Promise.all(Array.from({ length: instances }, () => freePort()));
  const provider = await startIdentityProvider(ports);
  const servers = [];
  let browser;
  try {
    for (const port of ports) {
      servers.push(await startServer({ port, args: [...provider.serverArgs(port), ...args], env: provider.serverEnv }));
    }
    browser = await launchBrowser();
    return await use({ servers, server: servers[0], browser, provider });
  } finally {
    await browser?.close();
    for (const server of servers) await server.stop();
    await provider.stop();
  }
}

/** Runs `sql` on the server's SQLite database (Debian's sqlite3); returns its rows as text. */
export async function sqlite(dataDir, sql) {
  const { stdout } = await promisify(execFile)('sqlite3', [path.join(dataDir, 'reports.sqlite3'), sql]);
  return stdout.trim();
}

/** The audit trail (when, who, what, from where, which report, detail), oldest first. */
export async function auditRows(server, { database } = {}) {
  const sql = "SELECT who, action, address, coalesce(detail, '') FROM audit ORDER BY seq";
  const text = database ? await psql(database, sql) : await sqlite(server.dataDir, sql);
  return text.split('\n').filter(Boolean).map((line) => {
    const [who, action, address, detail] = line.split('|');
    return { who, action, address, detail };
  });
}
