// What everyone must be able to use: axe-core's checks (WCAG 2.2 A and AA, and best practices).
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { root } from './server.mjs';

const SCREENSHOTS = path.join(root, 'tests', 'screenshots');

/** Fails with every axe-core violation on the page as it is now, named by rule and element. */
export async function expectNoViolations(page, what) {
  const { violations } = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa', 'best-practice'])
    .analyze();
  const found = violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  assert.deepEqual(found, [], `axe-core on ${what}`);
}


/** Saves the page (whole, or the screen) as `tests/screenshots/<name>.png` (git-ignored), to look at. */
export async function screenshot(page, name, { fullPage = true } = {}) {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage });
}
