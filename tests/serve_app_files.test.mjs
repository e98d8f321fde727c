// What the server sends: types, compression, caching and security headers.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './helpers/server.mjs';
import { pages } from './helpers/guidance.mjs';

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.stop();
});

/** Every page the app serves: the guidance and the two report pages. */
const appPages = [...pages.map((page) => page.path), '/report', '/reports'];

const get = (path, encoding = 'br') => fetch(server.url + path, { headers: { 'accept-encoding': encoding } });

test('pages are compressed, revalidated and carry a strict nonce-based policy', async () => {
  for (const path of appPages) {
    const response = await get(path);
    assert.equal(response.status, 200, path);
    assert.match(response.headers.get('content-type'), /^text\/html/);
    assert.equal(response.headers.get('content-encoding'), 'br');
    assert.equal(response.headers.get('cache-control'), 'no-cache');
    const csp = response.headers.get('content-security-policy');
    assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'/);
    assert.match(csp, /'wasm-unsafe-eval'/);
    const nonce = csp.match(/'nonce-([^']+)'/)[1];
    const html = await response.text();
    for (const script of html.match(/<script\b[^>]*>/g)) {
      assert.ok(script.includes('src=') || script.includes(`nonce="${nonce}"`), `inline script has the nonce: ${script}`);
    }
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
  }
  assert.equal((await get('/', 'gzip')).headers.get('content-encoding'), 'gzip');
});

test('hashed build files are immutable, precompressed and typed', async () => {
  const html = await (await get('/')).text();
  // The stylesheet is linked; the JS glue and the WebAssembly are named on the hydration script.
  const files = [...html.matchAll(/(?:href|data-js|data-wasm)="(\/pkg\/[^"]+)"/g)].map((m) => m[1]);
  const types = { wasm: 'application/wasm', js: 'text/javascript', css: 'text/css' };
  for (const ext of Object.keys(types)) {
    const file = files.find((f) => f.endsWith('.' + ext));
    assert.ok(file, `the page links a .${ext} file`);
    assert.match(file, /\.[A-Za-z0-9_-]{8,}\.[a-z]+$/, `${file} has a content hash`);
    const response = await get(file);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type'), new RegExp(`^${types[ext]}`));
    assert.equal(response.headers.get('content-encoding'), 'br', file);
    assert.equal(response.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.match(response.headers.get('vary'), /accept-encoding/i);
  }
});

test('the worker lists every page and file of this build and is always revalidated', async () => {
  const response = await get('/sw.js');
  assert.match(response.headers.get('content-type'), /^text\/javascript/);
  assert.equal(response.headers.get('cache-control'), 'no-cache');
  const script = await response.text();
  const precache = JSON.parse(script.match(/^const PRECACHE = (.*);$/m)[1]);
  for (const path of appPages) assert.ok(precache.pages.includes(path), path);
  assert.ok(precache.pages.includes('/offline'));
  const urls = precache.assets.map((a) => a.url);
  for (const expected of ['/manifest.webmanifest', '/favicon.ico', '/sw-register.js', '/hydrate.js', '/icons/icon-192.png']) {
    assert.ok(urls.includes(expected), expected);
  }
  assert.ok(urls.some((u) => u.endsWith('.wasm')));
  assert.ok(precache.assets.every((a) => a.integrity.startsWith('sha384-')));
});

test('health check, manifest type and a 404 for a missing file', async () => {
  const health = await get('/healthz');
  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), { status: 'ok' });
  const manifest = await get('/manifest.webmanifest');
  assert.match(manifest.headers.get('content-type'), /^application\/manifest\+json/);
  assert.equal((await get('/pkg/missing.js')).status, 404);
});
