// Lost Device offline worker.
//
// The server prepends `const PRECACHE = {...}` for the build it serves (`Precache::worker_script`
// in `../precache.rs`), so every deploy changes this script's bytes and browsers install the new
// worker by themselves.
//
// Invariants:
// - A page is only ever shown with the files of its own build: pages and files of one build are
//   cached together, and hashed file names keep builds apart on the network.
// - `/api/` is never cached or answered from a cache.

const CACHE_PREFIX = 'lost-device-';
const CACHE = CACHE_PREFIX + PRECACHE.version;
// How long a navigation waits for the network before showing the saved copy: long enough for a
// slow but working connection, short enough for someone in a hurry on hotel Wi-Fi.
const NAVIGATION_TIMEOUT_MS = 3000;

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // `no-cache` revalidates with the server, so the HTTP cache cannot hand us an older build;
      // `integrity` makes the install fail rather than store a file from another build.
      const requests = [
        ...PRECACHE.assets.map(
          (asset) => new Request(asset.url, { integrity: asset.integrity, cache: 'no-cache' }),
        ),
        ...PRECACHE.pages.map((url) => new Request(url, { cache: 'no-cache' })),
      ];
      await cache.addAll(requests);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names
          .filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE)
          .map((name) => caches.delete(name)),
      );
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
  if (request.method === 'POST' && request.mode === 'navigate') {
    event.respondWith(posted(request));
    return;
  }
  if (request.method !== 'GET') return;
  event.respondWith(request.mode === 'navigate' ? navigate(request, url) : asset(request));
});

// A page of the plain HTML report form, posted (the app's code is not running): only the server
// can answer it, and never from a cache. With no network, the offline page says what to do
// instead of the browser's error.
async function posted(request) {
  try {
    return await fetch(request);
  } catch {
    return (await caches.match(PRECACHE.offline)) || Response.error();
  }
}

// Pages: the network when it answers (fresh after a deploy), else this build's saved copy, else
// the offline page. The network's page is not stored: it may belong to a newer build.
async function navigate(request, url) {
  const cache = await caches.open(CACHE);
  const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
  const saved = await cache.match(path);
  try {
    const response = await withTimeout(fetch(request), saved ? NAVIGATION_TIMEOUT_MS : null);
    if (saved && response.status >= 500) return saved;
    return response;
  } catch {
    return saved || (await cache.match(PRECACHE.offline)) || Response.error();
  }
}

// Files: from any of our caches (a page of the previous build may still be loading its files
// while the new worker activates), else the network.
async function asset(request) {
  return (await caches.match(request, { ignoreSearch: true })) || fetch(request);
}

function withTimeout(promise, ms) {
  if (ms === null) return promise;
  return Promise.race([
    promise,
    new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), ms)),
  ]);
}
