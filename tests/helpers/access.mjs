// What everyone must be able to use: axe-core's checks (WCAG 2.2 A and AA, and best practices).
import assert from 'node:assert/strict';
import { AxeBuilder } from '@axe-core/playwright';

/** Fails with every axe-core violation on the page as it is now, named by rule and element. */
export async function expectNoViolations(page, what) {
  const { violations } = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa', 'best-practice'])
    .analyze();
  const found = violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  assert.deepEqual(found, [], `axe-core on ${what}`);
}

