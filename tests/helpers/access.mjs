// What everyone must be able to use: axe-core's checks (WCAG 2.2 A and AA, and best practices),
// every id on the page used once, and GOV.UK Frontend's markup (`govuk_markup.mjs`).
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { expectGovukMarkup } from './govuk_markup.mjs';
import { root } from './server.mjs';

const SCREENSHOTS = path.join(root, 'tests', 'screenshots');

/**
 * A radio that reveals a follow-up question says whether it is shown with `aria-expanded`, as
 * GOV.UK Frontend's radios do (screen readers announce it), although ARIA 1.2 lists no
 * `aria-expanded` for a radio; axe-core's `aria-allowed-attr` is not held against that one
 * attribute there.
 */
function isRevealingRadio(node) {
  const radio = /^<input(?=[^>]*type="radio")(?=[^>]*aria-controls=")(?=[^>]*aria-expanded=")/.test(node.html);
  const only = (node.failureSummary ?? '').split('\n').filter((line) => line.includes('=')).every((line) => line.includes('aria-expanded'));
  return radio && only;
}

/**
 * Fails with every axe-core violation on the page as it is now, named by rule and element, any id
 * used twice, and any way its GOV.UK components differ from GOV.UK Frontend's own markup.
 */
export async function expectNoViolations(page, what) {
  const { violations } = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa', 'best-practice'])
    .analyze();
  const found = violations
    .map((v) => ({ ...v, nodes: v.nodes.filter((n) => !(v.id === 'aria-allowed-attr' && isRevealingRadio(n))) }))
    .filter((v) => v.nodes.length > 0)
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  assert.deepEqual(found, [], `axe-core on ${what}`);
  // axe-core no longer checks this, and a label whose `for` matches two ids labels neither.
  const repeated = await page.evaluate(() => {
    const seen = new Map();
    for (const element of document.querySelectorAll('[id]')) seen.set(element.id, (seen.get(element.id) ?? 0) + 1);
    return [...seen].filter(([, count]) => count > 1).map(([id]) => id);
  });
  assert.deepEqual(repeated, [], `ids used twice on ${what}`);
  await expectGovukMarkup(page, what);
}


/** Saves the page (whole, or the screen) as `tests/screenshots/<name>.png` (git-ignored), to look at. */
export async function screenshot(page, name, { fullPage = true } = {}) {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage });
}
