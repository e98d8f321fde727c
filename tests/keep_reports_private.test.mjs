// On the server's disk, reports are private to the server's user, and a backup taken while it
// runs is a private, complete copy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { builds, root, startServer } from './helpers/server.mjs';
import { postReport } from './helpers/report.mjs';


const mode = async (file) => ((await stat(file)).mode & 0o777).toString(8);

test('the data directory and database are private, and a backup taken while running is complete', async () => {
  const server = await startServer();
  try {
    const id = crypto.randomUUID();
    const answer = await postReport(server.url, id);
    assert.equal(answer.status, 201);
    assert.equal(await mode(server.dataDir), '700');
    for (const name of ['reports.sqlite3', 'reports.sqlite3-wal', 'reports.sqlite3-shm']) {
      assert.equal(await mode(path.join(server.dataDir, name)), '600', name);
    }

    const copy = path.join(server.dataDir, 'backup.sqlite3');
    const { stdout } = await promisify(execFile)(builds.current.binary, ['--data-dir', server.dataDir, 'backup', copy], { cwd: root });
    assert.match(stdout, /copied to/);
    assert.equal(await mode(copy), '600');
    const { stdout: count } = await promisify(execFile)('sqlite3', ['-readonly', copy, 'SELECT count(*) FROM reports']);
    assert.equal(count.trim(), '1');
  } finally {
    await server.stop();
  }
});
