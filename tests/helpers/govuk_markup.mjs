// GOV.UK Frontend's own markup, as its published fixtures show it (`govuk-frontend`, pinned in
// the root package.json; one `fixtures.json` per component, each example's options and the HTML
// its template renders): where each part of a component sits, and the attributes GOV.UK always
// gives it. Our pages are held to that grammar, so a drift from GOV.UK's markup fails a test:
// - every part (an element with a component's class, modifiers aside; the tag may differ, as
//   `<ol>` for steps in order) sits under the part of the same component that GOV.UK puts it
//   under (a conditional reveal inside its radios, not after them);
// - it has every attribute a screen reader hears or GOV.UK's scripts look for (`role`, `aria-*`,
//   `data-module`, `type`, `draggable`) that GOV.UK gives that part in every fixture;
// - every id a label, control or description names is on exactly one element.
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { root } from './server.mjs';

const COMPONENTS = path.join(root, 'node_modules', 'govuk-frontend', 'dist', 'govuk', 'components');

/**
 * Attributes the fixtures show before any script runs, which a page's script then changes as
 * GOV.UK's own would: the narrow screen's "Menu" button is shown to screen readers once it works.
 */
const SET_BY_SCRIPT = { 'govuk-service-navigation__toggle': ['aria-hidden'] };

/** Parts GOV.UK's own scripts add, so no fixture has them: the character count's live count. */
const ADDED_BY_SCRIPT = ['govuk-character-count__status'];

/**
 * Runs in a page: every part of a GOV.UK component in the document, as `{ tag, part, parent,
 * attributes, html }`: `part` is its base class (`govuk-radios__input`, modifiers aside),
 * `parent` the base class of the nearest ancestor of the same component ('' if none).
 */
function partsOfDocument(blocks) {
  const compared = /^(role|aria-[a-z]+|data-module|type|draggable)$/;
  const known = new Set(blocks);
  const part = (name) => {
    const match = /^govuk-([a-z-]+?)(__[a-z-]+)?(--[a-z0-9-]+)?$/.exec(name);
    return match && known.has(match[1]) ? { block: match[1], base: `govuk-${match[1]}${match[2] ?? ''}` } : null;
  };
  const parts = [];
  for (const element of document.body.querySelectorAll('[class]')) {
    for (const name of element.classList) {
      const own = part(name);
      if (!own) continue;
      let parent = '';
      for (let up = element.parentElement; up && !parent; up = up.parentElement) {
        for (const other of up.classList) {
          const theirs = part(other);
          if (theirs?.block === own.block) {
            parent = theirs.base;
            break;
          }
        }
      }
      parts.push({
        tag: element.localName,
        part: own.base,
        parent,
        attributes: [...element.attributes].map((a) => a.name).filter((a) => compared.test(a)),
        html: element.outerHTML.slice(0, 120),
      });
    }
  }
  return parts;
}

let grammar;

/** What GOV.UK's fixtures allow, read once: for each part, its parents and its attributes. */
async function govukGrammar(context) {
  if (grammar) return grammar;
  const blocks = (await readdir(COMPONENTS, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  const html = [];
  for (const block of blocks) {
    const file = path.join(COMPONENTS, block, 'fixtures.json');
    const fixtures = JSON.parse(await readFile(file, 'utf8').catch(() => '{"fixtures":[]}')).fixtures;
    html.push(...fixtures.map((fixture) => `<div>${fixture.html}</div>`));
  }
  // The browser parses the fixtures as it parses our pages (scripts and network off).
  const scratch = await context.newPage();
  try {
    await scratch.route('**/*', (route) => route.abort());
    await scratch.setContent(`<body>${html.join('\n')}</body>`, { waitUntil: 'domcontentloaded' });
    const parts = await scratch.evaluate(partsOfDocument, blocks);
    const parents = new Map();
    const attributes = new Map();
    const keep = (key, names) => {
      const always = attributes.get(key);
      attributes.set(key, always ? always.filter((name) => names.includes(name)) : names);
    };
    for (const { tag, part, parent, attributes: names } of parts) {
      if (!parents.has(part)) parents.set(part, new Set());
      parents.get(part).add(parent);
      // By part, and by tag and part (a link drawn as a button has a role a button has not).
      keep(part, names);
      keep(`${tag}.${part}`, names);
    }
    grammar = { blocks, parents, attributes, fixtures: html.length };
    return grammar;
  } finally {
    await scratch.close();
  }
}

/** Fails with every way the page's GOV.UK components differ from GOV.UK Frontend's markup. */
export async function expectGovukMarkup(page, what) {
  const { blocks, parents, attributes, fixtures } = await govukGrammar(page.context());
  assert.ok(fixtures > 100, `GOV.UK Frontend's fixtures were read (${fixtures})`);
  const ours = await page.evaluate(partsOfDocument, blocks);
  const problems = [];
  for (const { tag, part, parent, attributes: names, html } of ours) {
    if (ADDED_BY_SCRIPT.includes(part)) continue;
    const allowed = parents.get(part);
    if (!allowed) {
      problems.push(`${part} is in no GOV.UK fixture: ${html}`);
      continue;
    }
    if (!allowed.has(parent)) {
      problems.push(`${part} sits under ${parent || 'nothing of its component'}; GOV.UK puts it under ${[...allowed].map((p) => p || 'nothing').join(' or ')}: ${html}`);
    }
    const required = attributes.get(`${tag}.${part}`) ?? attributes.get(part);
    const changedByScript = SET_BY_SCRIPT[part] ?? [];
    const missing = required.filter((name) => !names.includes(name) && !changedByScript.includes(name));
    if (missing.length) problems.push(`${tag}.${part} lacks ${missing.join(', ')}: ${html}`);
  }
  const references = await page.evaluate(() => {
    const broken = [];
    for (const element of document.querySelectorAll('[for], [aria-controls], [aria-describedby], [aria-labelledby]')) {
      for (const name of ['for', 'aria-controls', 'aria-describedby', 'aria-labelledby']) {
        for (const id of (element.getAttribute(name) ?? '').split(/\s+/).filter(Boolean)) {
          const count = document.querySelectorAll(`[id="${CSS.escape(id)}"]`).length;
          if (count !== 1) broken.push(`${name}="${id}" names ${count} elements: ${element.outerHTML.slice(0, 100)}`);
        }
      }
    }
    return broken;
  });
  assert.deepEqual([...new Set([...problems, ...references])], [], `GOV.UK markup on ${what}`);
}
