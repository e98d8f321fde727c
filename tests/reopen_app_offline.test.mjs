// Days later: the browser was closed, the phone has no signal, and the server is not reachable at
// all. The app still opens from the phone's own copy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitForOfflineCopy } from './helpers/browser.mjs';
import { expectPageContent, pages } from './helpers/guidance.mjs';
import { withServerAndBrowser } from './helpers/server.mjs';

test('a closed and reopened browser shows every page offline, with the server gone', async () => {
  await withServerAndBrowser(async ({ server, browser: context, reopen }) => {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(server.url + '/');
    await waitForOfflineCopy(page);
    await server.stop();

    const reopened = await reopen({ offline: true });
    const again = reopened.pages()[0] ?? (await reopened.newPage());
    for (const entry of pages) {
      const response = await again.goto(server.url + entry.path);
      assert.ok(response.fromServiceWorker(), `${entry.path} comes from the offline copy`);
      await expectPageContent(again, entry);
    }
  }, { profile: true });
});
