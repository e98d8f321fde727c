// Who receives the reports is the deployment's to say (--recipient-name), and every page that
// says where a report goes says that, the same way, from the server's HTML to the hydrated form.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitForHydration } from './helpers/browser.mjs';
import { answers, fillReport, sendReport, shownReference } from './helpers/report.mjs';
import { withServerAndBrowser } from './helpers/server.mjs';

const RECIPIENT = 'the Example Agency cyber team';

test('the recipient a deployment names is the one every page names', () => withServerAndBrowser(async ({ server, browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(server.url + '/');
  await page.getByText(`It goes to ${RECIPIENT}.`).waitFor();
  await page.goto(server.url + '/your-data');
  await page.getByText(`which passes it to ${RECIPIENT}`).waitFor();
  await page.getByText('until 7 days after it has passed the report').waitFor();
  // The copy the recipient was given is theirs: the server's clean-up does not claim to reach it.
  await page.getByText(`The copy passed to ${RECIPIENT} is theirs, kept as they keep their other records.`).waitFor();

  await page.goto(server.url + '/report');
  await waitForHydration(page);
  await fillReport(page, answers());
  await sendReport(page);
  await shownReference(page);
  await page.getByText(/^Received by the service, reference LD-/).first().waitFor();
  // Then what the phone is told of it, once it has asked: on its way, or passed on.
  await page.getByText(new RegExp(`^(Not yet passed on to|Passed on to) ${RECIPIENT}`)).first().waitFor();
  const text = await page.locator('main').innerText();
  assert.doesNotMatch(text, /the security team this service sends to/, 'no other name for the recipient');
  await context.close();
}, { server: { args: ['--recipient-name', RECIPIENT, '--keep-delivered-days', '7'] } }));

test('with no name set, the pages say what is true of every deployment', () => withServerAndBrowser(async ({ server, browser }) => {
  const page = await browser.newPage();
  await page.goto(server.url + '/');
  await page.getByText('It goes to the security team this service sends to.').waitFor();
  // True with the app closed, offline, and without Background Sync alike.
  await page.getByText('You can fill it in without signal: it is kept on this phone until it can be sent.').waitFor();
  assert.doesNotMatch(await page.locator('main').innerText(), /This report is how you do that/);
  await page.close();
}));
