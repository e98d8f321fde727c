// The baseline every figure is compared with, in the same run: the app's own home page as a plain
// static page (no scripts), with the app's stylesheet, kept offline by a minimal worker. And which
// build is measured: the release build, or another one named by BENCH_BUILD (a directory holding
// `lost-device` and `site/`), and which one beside it in the same run (BASELINE_BUILD). And where each
// benchmark keeps its last figures, so that the next run prints them beside its own.
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { brotliCompressSync } from 'node:zlib';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { builds } from '../helpers/server.mjs';

/** The build in `dir` (its server `lost-device` and its `site/`). */
const buildIn = (dir) => ({ binary: path.join(dir, 'lost-device'), site: path.join(dir, 'site') });

/** The build to measure. */
export const benchBuild = process.env.BENCH_BUILD ? buildIn(process.env.BENCH_BUILD) : builds.current;

/**
 * A second build measured in the same run, in turn with the first (BASELINE_BUILD=dir), or null:
 * on a noisy machine, figures from separate runs differ by more than most changes do.
 */
export const baselineBuild = process.env.BASELINE_BUILD ? buildIn(process.env.BASELINE_BUILD) : null;

/** GETs `url` asking for brotli and returns the body's size as sent, and its content type. */
export function transferred(url) {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { 'accept-encoding': 'br, gzip' } }, (response) => {
        let bytes = 0;
        response.on('data', (chunk) => (bytes += chunk.length));
        response.on('end', () => resolve({ bytes, type: response.headers['content-type'] || '' }));
      })
      .on('error', reject);
  });
}

/**
 * The baseline: the server's home page with every script and preload removed, plus its
 * stylesheet, served brotli-compressed from a tiny server whose worker stores both for offline.
 */
export async function startStaticSite(appBase, build = builds.current) {
  const original = await (await fetch(appBase + '/')).text();
  const cssPath = original.match(/href="(\/pkg\/[^"]+\.css)"/)[1];
  const css = await readFile(path.join(build.site, cssPath));
  const html = original
    .replace(/<script\b[^>]*>[\s\S]*?<\/script>/g, '')
    .replace(/<link rel="(modulepreload|preload|manifest|apple-touch-icon)"[^>]*>/g, '')
    .replace('</head>', '<script src="/register.js" defer></script></head>');
  const worker = `
    const FILES = ['/', '${cssPath}'];
    self.addEventListener('install', (e) => e.waitUntil(caches.open('static').then((c) => c.addAll(FILES)).then(() => self.skipWaiting())));
    self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));
    self.addEventListener('fetch', (e) => e.respondWith(caches.match(e.request, { ignoreSearch: true }).then((r) => r || fetch(e.request))));`;
  const files = {
    '/': ['text/html; charset=utf-8', html],
    [cssPath]: ['text/css', css],
    '/register.js': ['text/javascript', "navigator.serviceWorker.register('/sw.js');"],
    '/sw.js': ['text/javascript', worker],
    '/favicon.ico': ['image/x-icon', await readFile(path.join(build.site, 'favicon.ico'))],
  };
  const server = http.createServer((request, response) => {
    const file = files[new URL(request.url, 'http://x').pathname];
    if (!file) return response.writeHead(404).end();
    const body = brotliCompressSync(Buffer.from(file[1]));
    response.writeHead(200, { 'content-type': file[0], 'content-encoding': 'br', 'cache-control': 'no-cache' });
    response.end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  const bytes = { html: 0, js: 0, wasm: 0, css: 0, other: 0 };
  for (const url of ['/', cssPath]) bytes[url === '/' ? 'html' : 'css'] += (await transferred(base + url)).bytes;
  return { base, bytes, stop: () => new Promise((resolve) => server.close(resolve)) };
}

// Each benchmark keeps its last figures here (not committed), to print them beside the next run's.
const FIGURES_DIR = new URL('../../target/bench/', import.meta.url);

/** The figures `name` kept from its previous run, if any. */
export async function readFigures(name) {
  try {
    return JSON.parse(await readFile(new URL(`${name}.json`, FIGURES_DIR), 'utf8'));
  } catch {
    return null;
  }
}

/** The commit the measured build was made from, marked when the work tree had changes. */
export function sourceVersion() {
  const git = (...args) => execFileSync('git', args, { encoding: 'utf8' }).trim();
  return git('rev-parse', '--short', 'HEAD') + (git('status', '--porcelain', '--untracked-files=no') ? ' with changes' : '');
}

/** Keeps this run's figures for the next run to compare with. */
export async function writeFigures(name, figures) {
  await mkdir(FIGURES_DIR, { recursive: true });
  await writeFile(new URL(`${name}.json`, FIGURES_DIR), JSON.stringify(figures, null, 2));
}

/** The median of `values`, leaving out missing ones (`null`, NaN); `null` when none are left. */
export function median(values) {
  const sorted = values.filter((v) => v !== null && !Number.isNaN(v)).sort((a, b) => a - b);
  if (!sorted.length) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
