// On a first visit the page paints from its HTML and stylesheet alone, and then stays put: no
// hint sends the app's code ahead of the page on a weak signal, and nothing the person is reading
// moves when the code arrives, when the offline copy is saved, or when the signal goes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OFFLINE_STATUS, SAVED_STATUS } from './helpers/guidance.mjs';
import { withServerAndBrowser } from './helpers/server.mjs';

const PAGES = ['/', '/guidance/shut-down', '/contacts', '/report?page=device', '/reports', '/your-data'];

test('pages name their own build’s code on the hydration script, and hint nothing ahead of the page', () =>
  withServerAndBrowser(async ({ url }) => {
    for (const path of PAGES) {
      const html = await (await fetch(url + path)).text();
      assert.doesNotMatch(html, /<link[^>]+rel="(modulepreload|preload|prefetch)"/, `${path} has a resource hint`);
      const [script, tag] = html.match(/(<script[^>]* id="app-hydration"[^>]*>)[^<]*<\/script>/) ?? [];
      assert.ok(script, `${path} has the hydration script`);
      // A classic script, which runs as soon as the stylesheet is there (a module would wait
      // for the whole page to be read).
      assert.doesNotMatch(tag, /type="module"/, path);
      // Inline, so it runs only with this response's nonce (the policy has no 'unsafe-inline').
      assert.match(tag, /nonce="[^"]+"/, path);
      assert.match(script, /import\('\/hydrate\.js'\)/, path);
      assert.match(tag, /data-js="\/pkg\/lost-device\.[A-Za-z0-9_-]{8,}\.js"/, path);
      assert.match(tag, /data-wasm="\/pkg\/lost-device\.[A-Za-z0-9_-]{8,}\.wasm"/, path);
    }
  }));

test('nothing moves when the code arrives, the copy is saved, or the signal goes', () =>
  withServerAndBrowser(async ({ browser, url }) => {
    for (const width of [360, 320]) {
      for (const path of PAGES) {
        // A new context each time: a first visit, with no worker and nothing stored yet.
        const context = await browser.newContext({ viewport: { width, height: 740 } });
        const page = await context.newPage();
        await page.addInitScript(() => {
          window.layoutShifts = [];
          new PerformanceObserver((list) => {
            for (const shift of list.getEntries()) {
              const moved = shift.sources.map((s) => s.node?.id || s.node?.className || s.node?.nodeName || '?');
              window.layoutShifts.push(`${shift.value.toFixed(4)} at ${Math.round(shift.startTime)} ms: ${moved.join(', ')}`);
            }
          }).observe({ type: 'layout-shift', buffered: true });
        });
        await page.goto(url + path);
        await page.waitForFunction(() => performance.getEntriesByName('islands-hydrated').length > 0);
        await page.getByText(SAVED_STATUS).waitFor();
        await context.setOffline(true);
        await page.getByText(OFFLINE_STATUS).waitFor();
        assert.deepEqual(await page.evaluate(() => window.layoutShifts), [], `${path} at ${width} px`);
        await context.close();
      }
    }
  }));
