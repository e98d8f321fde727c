// The home page leads with the source's first step: calling the IT Service Desk is the first
// thing a person can press, the keyboard walks the steps in order, and the report comes after.
// The form repeats the same advice where an answer shows a step was missed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitForHydration } from './helpers/browser.mjs';
import { withServerAndBrowser } from './helpers/server.mjs';

/** What the focused element is, as a person would name it: its role and accessible text. */
function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    return { tag: el.tagName.toLowerCase(), text: el.textContent.replace(/\s+/g, ' ').trim(), href: el.getAttribute('href') };
  });
}

test('on home the first thing to press is the service desk call, and Tab follows the steps', async () => {
  await withServerAndBrowser(async ({ server, browser }) => {
    const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
    await page.goto(server.url + '/');
    await waitForHydration(page);

    const first = await page.evaluate(() => {
      const focusable = 'a[href], button:not([disabled]), input:not([disabled]), select, textarea, [tabindex]:not([tabindex="-1"])';
      const visible = [...document.querySelector('main').querySelectorAll(focusable)].filter((el) => el.offsetParent !== null);
      return visible[0]?.getAttribute('href');
    });
    assert.equal(first, 'tel:08009175148', 'the first focusable element in main calls the service desk');

    // From the main landmark, Tab goes through step 1's call and portal, the three "done"
    // toggles in step order, "Clear my ticks", and only then to the report.
    await page.locator('main').focus();
    const order = [];
    for (let i = 0; i < 7; i += 1) {
      await page.keyboard.press('Tab');
      order.push(await focused(page));
    }
    assert.equal(order[0].href, 'tel:08009175148');
    assert.equal(order[1].href, 'https://mojprod.service-now.com/moj_sp');
    assert.deepEqual(order.slice(2, 5).map((f) => f.text), ['Mark step 1 as done', 'Mark step 2 as done', 'Mark step 3 as done']);
    assert.equal(order[5].text, 'Clear my ticks');
    assert.deepEqual([order[6].text, order[6].href], ['Report what happened', '/report']);

    const main = await page.locator('main').innerText();
    assert.match(main, /or not sure\?/);
    assert.match(main, /For all MoJ staff and contractors\./);
    assert.ok(main.indexOf('Call the IT Service Desk first') < main.indexOf('Report what happened'));
    assert.ok(main.indexOf('If it was lost or stolen, tell the police') < main.indexOf('Report what happened'), 'the report comes after the steps');
  });
});

test('answers that show a step was missed bring the step to the page', async () => {
  await withServerAndBrowser(async ({ server, browser }) => {
    const page = await browser.newPage();
    await page.goto(server.url + '/report');
    await waitForHydration(page);

    // Hacked or compromised asks what made the person think so.
    await page.getByRole('radio', { name: 'It was hacked or compromised' }).check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('link', { name: 'Enter what made you think it was hacked or compromised' }).waitFor();
    await page.getByLabel('What made you think it was hacked or compromised?').fill('Emails I did not send');
    await page.getByRole('radio', { name: 'It was stolen' }).check();
    await page.getByRole('button', { name: 'Continue' }).click();

    const id = new URL(page.url()).searchParams.get('id');
    const open = async (slug, heading) => {
      await page.goto(`${server.url}/report?id=${id}&page=${slug}`);
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      await waitForHydration(page);
    };

    await open('service-desk', 'Have you contacted the IT Service Desk?');
    const call = page.getByRole('button', { name: /Call the IT Service Desk 0800 917 5148/ });
    assert.equal(await call.isVisible(), false, 'no advice before an answer');
    for (const answer of ['No', "I'm not sure"]) {
      await page.getByRole('radio', { name: answer, exact: true }).check();
      await call.waitFor();
      assert.equal(await call.getAttribute('href'), 'tel:08009175148');
      assert.ok(await page.getByRole('button', { name: /MoJ Service Portal/ }).isVisible());
    }
    await page.getByRole('radio', { name: 'Yes', exact: true }).check();
    await call.waitFor({ state: 'hidden' });

    await open('line-manager', 'Have you told your line manager?');
    await page.getByRole('radio', { name: 'No', exact: true }).check();
    await page.getByText('Tell your line manager as soon as possible.').waitFor();

    await open('police', 'Have you told the police?');
    const police = page.getByText('make sure they give you an incident reference number');
    for (const answer of ['Not yet', 'No']) {
      await page.getByRole('radio', { name: answer, exact: true }).check();
      await police.waitFor();
    }
    await page.getByRole('radio', { name: 'Yes', exact: true }).check();
    await police.waitFor({ state: 'hidden' });
    await page.getByLabel('Police incident reference number').fill('CAD 77');

    await open('information', 'Was MoJ information on it, or could it be reached from it?');
    await page.getByText('it should always be reported as a data incident too').waitFor();
  });
});
