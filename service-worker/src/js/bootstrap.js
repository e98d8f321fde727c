// Lost Device offline worker: the JavaScript a worker written in Rust still needs.
//
// The server prepends `const PRECACHE = {...}` for the build it serves. Event listeners must be
// registered synchronously when this script first runs, so they are registered here and call
// into the Rust code (`worker.rs`) once its WebAssembly has loaded. Offline, the WebAssembly
// comes from this build's cache.

importScripts(PRECACHE.worker.glue);

// Started at once, so a cold start loads the code while the browser is still dispatching the event.
const ready = wasm_bindgen({
  module_or_path: caches
    .open('lost-device-' + PRECACHE.version)
    .then((cache) => cache.match(PRECACHE.worker.wasm))
    .then((saved) => saved || fetch(PRECACHE.worker.wasm)),
});

self.addEventListener('install', (event) => {
  const assets = PRECACHE.assets;
  event.waitUntil(
    ready.then(() =>
      wasm_bindgen.install(
        PRECACHE.version,
        assets.map((asset) => asset.url),
        assets.map((asset) => asset.integrity),
        PRECACHE.pages,
      ),
    ),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(ready.then(() => wasm_bindgen.activate(PRECACHE.version)));
});

self.addEventListener('fetch', (event) => {
  // Which requests the worker answers must be decided now, synchronously: the same rule as the
  // JavaScript worker (GET, this origin, never `/api/`).
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
  event.respondWith(ready.then(() => wasm_bindgen.respond(request, PRECACHE.version, PRECACHE.offline)));
});
