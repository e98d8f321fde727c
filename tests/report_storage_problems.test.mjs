// What goes wrong on the phone itself: unreadable saved reports, full storage, two open tabs.
// Nothing typed is lost or sent twice, and the person is told in plain words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitForHydration, waitForOfflineCopy, waitUntil } from './helpers/browser.mjs';
import { REFERENCE, SAVED_MESSAGE, fillReport, queueReportOffline, sendReport, storedReports } from './helpers/report.mjs';
import { withServerAndBrowser } from './helpers/server.mjs';

test('unreadable saved reports are kept aside and shown; readable ones still work', async () => {
  await withServerAndBrowser(async ({ server, browser }) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await queueReportOffline(context, page, server.url);

    await page.evaluate(() => {
      const stored = JSON.parse(localStorage.getItem('lost-device.reports'));
      stored.reports.push({ id: 'broken', form: { name: 'Half a report' } });
      localStorage.setItem('lost-device.reports', JSON.stringify(stored));
    });
    await page.goto(server.url + '/reports');
    await page.getByRole('heading', { level: 2, name: 'Saved reports that could not be read' }).waitFor();
    assert.match(await page.getByLabel('What was saved').inputValue(), /Half a report/);
    await page.getByText(SAVED_MESSAGE).waitFor();

    // A whole record in a format this app does not know (say, from a newer version) is kept too.
    await page.evaluate(() => localStorage.setItem('lost-device.reports', '{"version":7,"reports":"?"}'));
    await page.reload();
    await page.getByText('Why: the saved reports were written by a newer version of the app.').waitFor();
    const kept = await page.getByLabel('What was saved').evaluateAll((areas) => areas.map((a) => a.value));
    assert.ok(kept.includes('{"version":7,"reports":"?"}'), 'the newer record is kept exactly');
    assert.ok(kept.some((text) => text.includes('Half a report')), 'the earlier one is still kept');

    // Records set aside that cannot themselves be read are kept whole among the new ones.
    await page.evaluate(() => localStorage.setItem('lost-device.reports-set-aside.v1', '[{"raw": 1'));
    await page.evaluate(() => {
      const stored = JSON.parse(localStorage.getItem('lost-device.reports'));
      stored.reports.push({ id: 'broken again' });
      localStorage.setItem('lost-device.reports', JSON.stringify(stored));
    });
    await page.reload();
    await page.getByText('Why: records set aside earlier could not be read.').waitFor();
    assert.ok((await page.getByLabel('What was saved').evaluateAll((areas) => areas.map((a) => a.value))).includes('[{"raw": 1'));

    // Each can be removed, after a confirmation; what is left stays.
    const before = await page.getByLabel('What was saved').count();
    await page.getByRole('button', { name: 'Remove from this phone' }).first().click();
    await page.getByRole('button', { name: 'Yes, remove it' }).first().click();
    await waitUntil(async () => (await page.getByLabel('What was saved').count()) === before - 1, 'one record is removed');
    while ((await page.getByLabel('What was saved').count()) > 0) {
      await page.getByRole('button', { name: 'Remove from this phone' }).first().click();
      await page.getByRole('button', { name: 'Yes, remove it' }).first().click();
    }
    await page.getByRole('heading', { level: 2, name: 'Saved reports that could not be read' }).waitFor({ state: 'hidden' });
    assert.equal(await page.evaluate(() => localStorage.getItem('lost-device.reports-set-aside.v1')), null);
  });
});

test('full storage: the person is told their answers are not saved, and saving resumes with space', async () => {
  await withServerAndBrowser(async ({ server, browser }) => {
    const page = await browser.newPage();
    await page.goto(server.url + '/report');
    await waitForHydration(page);
    await page.getByRole('radio', { name: 'It is lost' }).check();
    // Fill the origin's storage to the last byte: big pieces first, then ever smaller ones.
    await page.evaluate(() => {
      let i = 0;
      for (const size of [262144, 16384, 1024, 64, 1]) {
        const chunk = 'x'.repeat(size);
        for (;;) {
          try { localStorage.setItem(`filler-${i++}`, chunk); } catch { break; }
        }
      }
    });
    await page.getByRole('radio', { name: 'Something else' }).check();
    const words = page.getByLabel('What happened, in your words');
    await words.fill('My bag was taken from the luggage rack on the train.');
    await page.getByRole('alert').filter({ hasText: "This phone's storage for the app is full" }).waitFor();

    await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('filler-')).forEach((k) => localStorage.removeItem(k)));
    await words.fill('My bag was taken from the luggage rack on the train to York.');
    await page.getByRole('alert').filter({ hasText: 'storage' }).waitFor({ state: 'hidden' });
    const saved = await page.evaluate(() => JSON.parse(localStorage.getItem('lost-device.reports')).reports[0].form);
    assert.equal(saved.what_happened, 'something-else');
    assert.equal(saved.what_happened_other, 'My bag was taken from the luggage rack on the train to York.');
  });
});

test('two open tabs send a queued report once, and both show its reference', async () => {
  await withServerAndBrowser(async ({ server, browser, url, proxy }) => {
    const context = await browser.newContext();
    const first = await context.newPage();
    await first.goto(url + '/report');
    await waitForOfflineCopy(first);
    const second = await context.newPage();
    await second.goto(url + '/reports');
    await waitForHydration(second);

    await context.setOffline(true);
    await first.bringToFront();
    await fillReport(first);
    await sendReport(first);
    await first.getByText(SAVED_MESSAGE).waitFor();
    await second.getByText(SAVED_MESSAGE).waitFor();

    await context.setOffline(false);
    await first.getByRole('heading', { level: 1, name: 'Report sent' }).waitFor();
    const shown = await Promise.all([first, second].map((p) => p.getByText(REFERENCE).first().innerText()));
    assert.equal(shown[0], shown[1], 'both tabs show the same reference');
    assert.equal(proxy.submissions(), 1, 'one tab sent it, once');
    assert.equal(await storedReports(server.dataDir), 1);
  }, { faults: () => 'pass' });
});
