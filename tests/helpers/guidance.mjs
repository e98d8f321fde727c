// What a person should find on each guidance page: the facts, checked as they appear.
import assert from 'node:assert/strict';

/** The status lines: the phone has its own copy; there is no connection. */
export const SAVED_STATUS = 'Works offline on this phone.';
export const OFFLINE_STATUS = 'Offline: using the saved copy.';

/** Every guidance page, with its heading. */
export const pages = [
  { path: '/', heading: 'Lost device or security incident' },
  { path: '/guidance/shut-down', heading: 'Shut your laptop down, do not just lock it' },
  { path: '/guidance/saving-data', heading: 'Where to save your work' },
  { path: '/guidance/drive-failure', heading: 'What a hard drive failure can cost' },
  { path: '/guidance/password-reset', heading: 'Reset your password' },
  { path: '/contacts', heading: 'Who to contact' },
];

/** Checks the page shows `heading`, its source and the date it was last checked. */
export async function expectGuidancePage(page, heading) {
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  const text = await page.locator('main').innerText();
  assert.match(text, /Based on:/);
  assert.match(text, /Last checked: 27 November 2026/);
}

/** Checks the home page's three steps, in order, with the service desk's exact number and portal. */
export async function expectHomeSteps(page) {
  const steps = page.locator('ol.app-steps > li');
  const titles = [
    'Step 1: Contact the IT Service Desk',
    'Step 2: Tell your line manager',
    'Step 3: If it was lost or stolen, tell the police',
  ];
  assert.equal(await steps.count(), 3, 'three steps');
  for (const [index, name] of titles.entries()) {
    await steps.nth(index).getByRole('heading', { level: 2, name, exact: true }).waitFor();
  }
  const call = page.getByRole('button', { name: /Call the IT Service Desk 0800 917 5148/ }).first();
  assert.equal(await call.getAttribute('href'), 'tel:08009175148');
  const portal = page.getByRole('button', { name: 'Open the MoJ Service Portal' }).first();
  assert.equal(await portal.getAttribute('href'), 'https://mojprod.service-now.com/moj_sp');
}

/** Checks every contact on the contacts page links to its exact number or address. */
export async function expectContacts(page) {
  const expected = {
    'Call the IT Service Desk 0800 917 5148': 'tel:08009175148',
    'Email HMPPS Information & security informationmgmtsecurity@justice.gov.uk':
      'mailto:informationmgmtsecurity@justice.gov.uk',
    'Call HMPPS Information & security 0203 334 0324': 'tel:02033340324',
    'Email the security team security@justice.gov.uk': 'mailto:security@justice.gov.uk',
    'Email the Cyber Assistance Team CyberConsultancy@digital.justice.gov.uk':
      'mailto:CyberConsultancy@digital.justice.gov.uk',
    'Email the IT policy content team itpolicycontent@digital.justice.gov.uk':
      'mailto:itpolicycontent@digital.justice.gov.uk',
  };
  for (const [name, href] of Object.entries(expected)) {
    assert.equal(await page.getByRole('button', { name, exact: true }).getAttribute('href'), href, name);
  }
  const text = await page.locator('main').innerText();
  for (const old of ['itservicedesk@justice.gov.uk', 'servicedesk@digital.justice.gov.uk', '#digitalservicedesk']) {
    assert.ok(text.includes(old), `the warning names ${old}`);
    assert.equal(await page.locator(`a[href*="${old.replace('#', '')}"]`).count(), 0, `${old} is not a link`);
  }
  assert.match(text, /no longer monitored|Nobody reads/i);
}

/** Checks everything a page must show for its path. */
export async function expectPageContent(page, { path, heading }) {
  await expectGuidancePage(page, heading);
  if (path === '/') await expectHomeSteps(page);
  if (path === '/contacts') await expectContacts(page);
}
