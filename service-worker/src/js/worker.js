// Lost Device offline worker.
//
// The server prepends `const PRECACHE = {...}` for the build it serves (`Precache::worker_script`
// in `../precache.rs`), so every deploy changes this script's bytes and browsers install the new
// worker by themselves, then `const HANDOVER = {...}`, the names the pages share with it
// (`../handover.rs`).
//
// The copy is stored in two steps, so that a phone that loses signal early still has the
// guidance: installing stores the guidance pages, the stylesheet and the plain scripts they run
// without the app's code; then each page asks the active worker to store the rest (the app's
// code and the pages that need it, `PRECACHE.later`), and is told when it is there.
//
// Invariants:
// - A page is only ever shown with the files of its own build: pages and files of one build are
//   cached together (both steps in this build's cache), and hashed file names keep builds apart
//   on the network.
// - `/api/` is never cached or answered from a cache.
// - The team's view (`/team`) is left to the browser: never stored, never answered from here.
// - A report handed over by a page is sent from here only under the sender's Web Lock, so a
//   page and the worker never send at once, and its final answer is kept until a page has taken
//   it into the phone's record (the page says which it took).

const CACHE_PREFIX = 'lost-device-';
const CACHE = CACHE_PREFIX + PRECACHE.version;
// How long a navigation waits for the network before showing the saved copy: long enough for a
// slow but working connection, short enough for someone in a hurry on hotel Wi-Fi.
const NAVIGATION_TIMEOUT_MS = 3000;

const LATER = new Set(PRECACHE.later);

const INTEGRITY = new Map(PRECACHE.assets.map((asset) => [asset.url, asset.integrity]));

// This build's requests of one step: the first (`later` false) or the second, in the order
// `PRECACHE.later` gives (on a weak link, the order asked is the order stored). A page is asked
// for with `no-cache`, so the HTTP cache cannot hand us an older build's. A file is checked
// against its `integrity`, so any copy the HTTP cache holds (the page has just loaded several)
// is taken as it is, without the round trip of asking the server whether it changed (the
// browser sends this worker's requests to a server a few at a time, so on a weak link each round
// trip delays the rest); a copy of another build fails the check and is fetched again (`store`).
function requests(later) {
  const urls = later
    ? PRECACHE.later
    : [...PRECACHE.assets.map((asset) => asset.url), ...PRECACHE.pages].filter((url) => !LATER.has(url));
  return urls.map((url) =>
    INTEGRITY.has(url)
      ? new Request(url, { integrity: INTEGRITY.get(url), cache: 'force-cache' })
      : new Request(url, { cache: 'no-cache' }),
  );
}

// Fetches every one of `wanted`, then stores them all in `cache`; stores nothing if any cannot be
// had (as `cache.addAll`), so a page is never stored without the files it needs. A file whose
// cached copy failed its integrity check is asked of the server.
async function store(cache, wanted) {
  const responses = await Promise.all(
    wanted.map(async (request) => {
      let response = await fetch(request).catch(() => null);
      if (!response && request.cache === 'force-cache') {
        response = await fetch(new Request(request, { cache: 'no-cache' }));
      }
      if (!response?.ok) throw new TypeError(`${request.url} could not be stored`);
      return response;
    }),
  );
  await Promise.all(responses.map((response, i) => cache.put(wanted[i], response)));
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // The guidance is asked for first: on a weak link what is asked for first arrives first.
      // The second step is asked for straight after, so that it queues behind the guidance and
      // the link is never idle; the page asks for its own code only once this step is stored
      // (`app::hydration`), and then gets it from the second step rather than a second download.
      const guidance = store(cache, requests(false));
      storeRestFiles().catch(() => {});
      try {
        await guidance;
      } catch (error) {
        // No half-stored build is left for a page to be served from.
        await caches.delete(CACHE);
        throw error;
      }
      await self.skipWaiting();
    })(),
  );
});

// The second step's files, once (again only if it failed), asked for after the first. Every page asks for it
// (`sw-register.js`) until it is done, and is answered with `stored-the-rest`. Only then are
// older builds' caches removed: until this build's app code is stored, an older build's report
// pages (with their own files) still work offline.
let storingRest = null;
function storeRestFiles() {
  storingRest ??= (async () => {
    const cache = await caches.open(CACHE);
    const wanted = requests(true);
    const stored = await Promise.all(wanted.map((request) => cache.match(request)));
    await store(cache, wanted.filter((_, i) => !stored[i]));
  })().catch((error) => {
    storingRest = null;
    throw error;
  });
  return storingRest;
}

async function removeOlderCopies() {
  const names = await caches.keys();
  await Promise.all(
    names
      .filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE)
      .map((name) => caches.delete(name)),
  );
}

self.addEventListener('message', (event) => {
  if (event.data?.type !== 'store-the-rest') return;
  event.waitUntil(
    storeRestFiles()
      .then(removeOlderCopies)
      .then(() => event.source?.postMessage({ type: 'stored-the-rest', version: PRECACHE.version })),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
  if (url.pathname === '/team' || url.pathname.startsWith('/team/')) return;
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
  // This build's copy, else (until its second step is stored) an older build's, whose files
  // are kept with it.
  const saved = (await cache.match(path)) || (await caches.match(path));
  try {
    const response = await withTimeout(fetch(request), saved ? NAVIGATION_TIMEOUT_MS : null);
    if (saved && response.status >= 500) return saved;
    return response;
  } catch {
    return saved || (await cache.match(PRECACHE.offline)) || Response.error();
  }
}

// Files: from any of our caches (a page of the previous build may still be loading its files
// while the new worker activates), else the network. A file the second step is fetching is
// waited for rather than fetched twice over the same weak link.
async function asset(request) {
  const saved = await caches.match(request, { ignoreSearch: true });
  if (saved) return saved;
  if (storingRest && LATER.has(new URL(request.url).pathname)) {
    await storingRest.catch(() => {});
    const stored = await caches.match(request, { ignoreSearch: true });
    if (stored) return stored;
  }
  return fetch(request);
}

function withTimeout(promise, ms) {
  if (ms === null) return promise;
  return Promise.race([
    promise,
    new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), ms)),
  ]);
}

// Reports waiting on the phone, handed over by the pages, so that the browser can send them when
// signal returns even with every page of the app closed (Background Sync). The pages keep the
// phone's record (local storage, which a worker cannot read); this outbox holds only what to
// send and the final answers a page has not yet taken back.
const OUTBOX = 'lost-device-outbox';
const WAITING = 'waiting';
const ANSWERS = 'answers';

function openOutbox() {
  return new Promise((resolve, reject) => {
    const opening = indexedDB.open(OUTBOX, 1);
    opening.onupgradeneeded = () => {
      opening.result.createObjectStore(WAITING, { keyPath: 'id' });
      opening.result.createObjectStore(ANSWERS, { keyPath: 'id' });
    };
    opening.onsuccess = () => resolve(opening.result);
    opening.onerror = () => reject(opening.error);
  });
}

// Runs `work(stores)` in one transaction over both stores and gives what it returned once the
// transaction has committed.
async function inOutbox(mode, work) {
  const db = await openOutbox();
  try {
    return await new Promise((resolve, reject) => {
      const transaction = db.transaction([WAITING, ANSWERS], mode);
      const stores = { waiting: transaction.objectStore(WAITING), answers: transaction.objectStore(ANSWERS) };
      let result;
      Promise.resolve(work(stores)).then(
        (value) => { result = value; },
        (error) => {
          // Nothing of a failed change is kept.
          try { transaction.abort(); } catch {}
          reject(error);
        },
      );
      transaction.oncomplete = () => resolve(result);
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
  } finally {
    db.close();
  }
}

function all(store) {
  return new Promise((resolve, reject) => {
    const reading = store.getAll();
    reading.onsuccess = () => resolve(reading.result);
    reading.onerror = () => reject(reading.error);
  });
}

// A page (holding the sender's lock) hands over what waits on the phone now, `waiting`
// ({id, key, body, notBefore}), and says which answers it has taken (`taken`, ids); it is told every answer
// not yet taken. A report with an answer kept is not sent again. With `register`, and reports
// waiting, the browser is asked to wake this worker when there is a connection: from here, while
// the page is open (the browser refuses a worker with no window), so that a page closed straight
// after "Send report" still leaves a sync behind. The reply says whether it was.
self.addEventListener('message', (event) => {
  if (event.data?.type !== HANDOVER.message) return;
  const reply = event.ports[0];
  const { waiting = [], taken = [], register = false } = event.data;
  event.waitUntil(
    (async () => {
      const answers = await inOutbox('readwrite', async (stores) => {
        for (const id of taken) stores.answers.delete(id);
        const kept = (await all(stores.answers)).filter((answer) => !taken.includes(answer.id));
        const answered = new Set(kept.map((answer) => answer.id));
        stores.waiting.clear();
        for (const report of waiting) {
          if (!answered.has(report.id)) stores.waiting.put(report);
        }
        return kept;
      });
      let registered = false;
      if (register && waiting.length > 0 && self.registration.sync) {
        registered = await self.registration.sync.register(HANDOVER.syncTag).then(() => true, () => false);
      }
      reply?.postMessage({ answers, registered });
    })().catch(() => reply?.postMessage({ failed: true })),
  );
});

self.addEventListener('sync', (event) => {
  if (event.tag !== HANDOVER.syncTag) return;
  event.waitUntil(
    withSenderLock(sendWaiting).then(async (left) => {
      if (left === 0) return;
      // The browser gives up after a few tries (Chromium: three, over about 20 minutes). A last
      // chance is registered again only where a page of the app is open (the browser refuses a
      // worker with none); otherwise the report waits, kept, for the app to be opened.
      if (event.lastChance) await self.registration.sync.register(HANDOVER.syncTag).catch(() => {});
      // Failing tells the browser to try again later, when it sees fit.
      throw new Error('some reports are still waiting');
    }),
  );
});

function withSenderLock(work) {
  return self.navigator.locks ? self.navigator.locks.request(HANDOVER.senderLock, work) : work();
}

// Sends the waiting reports that are due by the page's schedule (`notBefore`: its backoff, and
// the wait a server asked for) in turn; keeps each final answer (a receipt or a refusal) for the
// pages. Stops at the first that gets no final answer (no connection, the server busy or down):
// the next try is the browser's. Gives how many are still waiting.
async function sendWaiting() {
  const waiting = await inOutbox('readonly', (stores) => all(stores.waiting));
  const due = waiting.filter((report) => !((report.notBefore ?? 0) > Date.now()));
  const notDue = waiting.length - due.length;
  for (const [index, report] of due.entries()) {
    const answer = await send(report);
    if (!answer || !isFinal(report, answer)) return notDue + due.length - index;
    await inOutbox('readwrite', (stores) => {
      stores.answers.put({ id: report.id, sent: report.body, at: Date.now(), ...answer });
      stores.waiting.delete(report.id);
    });
  }
  return notDue;
}

// One POST, as a page's sender makes it (the same body and idempotency key), bounded in time.
async function send(report) {
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), HANDOVER.sendTimeoutMs);
  try {
    const response = await fetch(HANDOVER.reportsPath, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': report.key },
      body: report.body,
      cache: 'no-store',
      signal: stop.signal,
    });
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      retryAfter: response.headers.get('retry-after'),
      body: await response.text(),
    };
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

// Whether an answer settles the report, by the wire's rules (the page reads it by them again):
// the server's receipt for this report, or a refusal the person must act on, with its own
// status. Anything else (busy, down, a Wi-Fi sign-in page) is tried again.
function isFinal(report, answer) {
  if (!(answer.contentType || '').trim().toLowerCase().startsWith('application/json')) return false;
  let body;
  try {
    body = JSON.parse(answer.body);
  } catch {
    return false;
  }
  if (answer.status >= 200 && answer.status < 300) {
    return body?.id === report.id && typeof body.reference === 'string' && body.reference.trim() !== '';
  }
  return HANDOVER.refusals.some((refusal) => refusal.error === body?.error && refusal.status === answer.status);
}
