// Installs the offline worker and says honestly what state the phone's copy is in; tells the
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

  function show() {
    const ready = copy === 'whole' || (copy === 'guidance' && !needsAppCode);
    if (offline) offline.hidden = navigator.onLine;
    if (saved) saved.hidden = !(ready && navigator.onLine);
    if (saving) saving.hidden = !(needsAppCode && copy === 'guidance' && navigator.onLine);
    document.documentElement.dataset.offlineCopy = copy;
  }
  addEventListener('online', show);
  addEventListener('offline', show);
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
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((error) => {
    // Nothing the reader can do about it; the pages still work online, and no "saved" line shows.
    console.warn('Offline copy not installed:', error);
  });
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
