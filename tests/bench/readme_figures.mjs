// Writes the README's table of current figures from the figures the benchmarks kept in
// target/bench/ (guidance.json from guidance_bench.mjs, lighthouse.json from
// lighthouse_bench.mjs), between the README's `figures:start` and `figures:end` markers.
// Run by ./scripts/bench.sh after the benchmarks; the full record is docs/benchmarks.md.
import { readFile, writeFile } from 'node:fs/promises';
import { readFigures } from './static_site.mjs';

const README = new URL('../../README.md', import.meta.url);
const START = '<!-- figures:start (written by scripts/bench.sh) -->';
const END = '<!-- figures:end -->';

const guidance = await readFigures('guidance');
const lighthouse = await readFigures('lighthouse');
const firstVisit = await readFigures('first-visit');
if (!guidance?.figures?.bytes) {
  console.error('No guidance figures in target/bench: run ./scripts/bench.sh first.');
  process.exit(1);
}
const build = guidance.build ?? 'not recorded';
const g = guidance.figures;
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
const ms = (value) => `${Math.round(value)} ms`;
const rows = [
  ['First visit, stored for offline use (compressed)', kib(g.bytes.total), `of which WebAssembly ${kib(g.bytes.wasm)}`],
  ['Offline cold start, home first paint (CPU 4×)', ms(g.fcp), `same HTML served static: ${ms(g.staticFcp)}`],
  ['Offline cold start, home checklist answers a tap', ms(g.checklist), ''],
  ['Offline cold start, `/report` first paint / usable', `${ms(g.reportFcp)} / ${ms(g.report)}`, ''],
];
const f = firstVisit?.figures;
if (f) {
  const weak = '400 kbit/s, 400 ms RTT, CPU 4×, first visit';
  rows.push([`${weak}: home first paint`, ms(f.fcp), `same HTML static: ${ms(f.staticFcp)}`]);
  rows.push([`${weak}: guidance stored for offline use`, `${ms(f.guidance)} after first paint`, 'target ≤ 3 s']);
  rows.push([`${weak}: whole offline copy stored`, `${ms(f.whole)} after navigation`, 'target ≤ 8 s']);
  rows.push([`${weak}: \`/report\` first question usable`, ms(f.reportUsable), `its first paint: ${ms(f.reportFcp)}`]);
}
const home = lighthouse?.figures && Object.values(lighthouse.figures)[0];
if (home) {
  rows.push(['Lighthouse mobile, home: performance / LCP / TBT', `${home.performance} / ${ms(home.lcp)} / ${ms(home.tbt)}`, `measured ${lighthouse.when}`]);
}
const table = [
  START,
  `Measured ${guidance.when} UTC on build \`${build}\` by \`./scripts/bench.sh\` (medians).`,
  '',
  '| figure | value | beside it |',
  '|---|---|---|',
  ...rows.map((cells) => `| ${cells.join(' | ')} |`),
  END,
].join('\n');

const readme = await readFile(README, 'utf8');
const from = readme.indexOf(START);
const to = readme.indexOf(END);
if (from < 0 || to < from) {
  console.error('README.md has no figures markers.');
  process.exit(1);
}
await writeFile(README, readme.slice(0, from) + table + readme.slice(to + END.length));
console.log('README.md figures table written.');
