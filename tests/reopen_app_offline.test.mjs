// Days later: the browser was closed, the phone has no signal, and the server is not reachable at
// all. The app still opens from the phone's own copy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launchProfile, waitForOfflineCopy } from './helpers/browser.mjs';
import { expectPageContent, pages } from './helpers/guidance.mjs';
import { startServer } from './helpers/server.mjs';

test('a closed and reopened browser shows every page offline, with the server gone', async () => {
  const profile = await mkdtemp(path.join(tmpdir(), 'lost-device-profile-'));
  const server = await startServer();
  try {
    let context = await launchProfile(profile);
    const page = await context.pages()[0] ?? (await context.newPage());
    await page.goto(server.url + '/');
    await waitForOfflineCopy(page);
    await context.close();
    await server.stop();

    context = await launchProfile(profile, { offline: true });
    const again = context.pages()[0] ?? (await context.newPage());
    for (const entry of pages) {
      const response = await again.goto(server.url + entry.path);
      assert.ok(response.fromServiceWorker(), `${entry.path} comes from the offline copy`);
      await expectPageContent(again, entry);
    }
    await context.close();
  } finally {
    await server.stop();
    await rm(profile, { recursive: true, force: true });
  }
});
