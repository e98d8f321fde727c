// Installs the offline worker and says honestly what state the phone's copy is in, and whether
// a report on the phone waits to be sent or was just sent; tells the
// person when a new version is ready (never reloading a page under their fingers); keeps the
// browser's install prompt for the app's own "Add to home screen" button. Plain JavaScript on
// purpose: it must run where WebAssembly is off (iOS Lockdown Mode), so that the guidance is
// still saved on the phone for later.
(() => {
  const saved = document.getElementById('app-status-saved');
  const saving = document.getElementById('app-status-saving');
  const offline = document.getElementById('app-status-offline');
  // The report pages work offline only once the second step has stored the app's code.
  const needsAppCode = document.querySelector('.app-needs-wasm') !== null;
  // How much of the offline copy is stored: none, 'guidance' (first step) or 'whole'. Also on
  // <html> as `data-offline-copy`, for the tests and benchmarks.
  let copy = 'none';

  // A report on this phone waiting to be sent, or sent in the last hours: named on every page but
  // the report pages (which show it themselves). The app writes what its reports come to under
  // the key the status bar names (`data-summary-key`); this script only reads it.
  const bar = document.querySelector('.app-status');
  const waitingLine = document.getElementById('app-status-waiting');
  const sentLine = document.getElementById('app-status-sent');
  function reports() {
    try {
      return JSON.parse(localStorage.getItem(bar?.dataset.summaryKey ?? '')) ?? {};
    } catch {
      // Storage blocked or the summary damaged: claim nothing.
      return {};
    }
  }

  function show() {
    const ready = copy === 'whole' || (copy === 'guidance' && !needsAppCode);
    const summary = needsAppCode ? {} : reports();
    const waiting = summary.waiting > 0;
    const shownMs = Number(sentLine?.dataset.shownHours ?? 0) * 3600 * 1000;
    const sent = !waiting && summary.lastSent && Date.now() - summary.lastSent.atMs < shownMs;
    if (waitingLine) {
      waitingLine.hidden = !waiting;
      // Offline, it says so itself, in place of the offline line: the bar stays one line tall.
      waitingLine.classList.toggle('app-status__line--offline', !navigator.onLine);
      const offlineNote = document.getElementById('app-status-waiting-offline');
      if (offlineNote) offlineNote.hidden = navigator.onLine;
    }
    if (sentLine) {
      sentLine.hidden = !sent;
      const reference = document.getElementById('app-status-reference');
      if (sent && reference) reference.textContent = summary.lastSent.reference;
    }
    if (offline) offline.hidden = navigator.onLine || waiting;
    if (saved) saved.hidden = !(ready && navigator.onLine) || waiting || Boolean(sent);
    if (saving) saving.hidden = !(needsAppCode && copy === 'guidance' && navigator.onLine);
    document.documentElement.dataset.offlineCopy = copy;
  }
  addEventListener('online', show);
  addEventListener('offline', show);
  addEventListener('storage', (event) => {
    if (event.key === null || event.key === bar?.dataset.summaryKey) show();
  });
  if (bar?.dataset.changedEvent) addEventListener(bar.dataset.changedEvent, show);
  show();

  // The prompt comes once, often before the app's WebAssembly has loaded: keep it for the app's
  // button (src/install.rs) and tell it; gone again once the app is installed.
  addEventListener('beforeinstallprompt', (event) => {
    event.preventDefault();
    window.lostDeviceInstallPrompt = event;
    dispatchEvent(new Event('lost-device:installable'));
  });
  addEventListener('appinstalled', () => {
    delete window.lostDeviceInstallPrompt;
    dispatchEvent(new Event('lost-device:installable'));
  });

  if (!('serviceWorker' in navigator)) return;

  // A new version took over while this page was open. Once it has stored its whole copy (and
  // removed the old one), if this page is of an older build (its files are gone), say so and let
  // the person reload when ready: their answers are saved as they type, so nothing is lost
  // either way.
  const update = document.getElementById('app-update');
  const reload = document.getElementById('app-update-reload');
  // The first worker taking control (on the first visit) is not a new version.
  let worker = navigator.serviceWorker.controller;
  let replaced = false;
  if (reload) reload.addEventListener('click', () => location.reload());
  async function offerReloadIfOutdated() {
    if (!replaced || !update) return;
    const hydration = document.getElementById('app-hydration');
    const files = [...document.querySelectorAll('link[href^="/pkg/"]')].map((link) => link.getAttribute('href'));
    if (hydration) files.push(hydration.dataset.js, hydration.dataset.wasm);
    const kept = await Promise.all(files.map((file) => caches.match(file)));
    if (kept.some((response) => !response)) update.hidden = false;
  }
  navigator.serviceWorker.addEventListener('controllerchange', async () => {
    const previous = worker;
    const next = navigator.serviceWorker.controller;
    worker = next;
    if (!next) return;
    replaced = replaced || Boolean(previous);
    // It takes control before it has finished activating.
    if (next.state !== 'activated') {
      await new Promise((resolve) => next.addEventListener('statechange', () => next.state === 'activated' && resolve()));
    }
    next.postMessage({ type: 'store-the-rest' });
  });
  // The worker was registered by the page's first script (`app::hydration::RegisterWorker`); if
  // it could not be, the pages still work online, and no "saved" line shows.
  // `ready` resolves once a worker is active, i.e. the first step is stored; then it is asked
  // for the second, and says when that is stored too.
  navigator.serviceWorker.addEventListener('message', (event) => {
    if (event.data?.type !== 'stored-the-rest') return;
    copy = 'whole';
    show();
    offerReloadIfOutdated();
  });
  navigator.serviceWorker.ready.then((registration) => {
    if (copy === 'none') copy = 'guidance';
    show();
    registration.active?.postMessage({ type: 'store-the-rest' });
  });
})();
