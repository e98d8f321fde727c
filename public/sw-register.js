// Installs the offline worker and says honestly what state the phone's copy is in. Plain
// JavaScript on purpose: it must run where WebAssembly is off (iOS Lockdown Mode), so that the
// guidance is still saved on the phone for later.
(() => {
  const saved = document.getElementById('app-status-saved');
  const offline = document.getElementById('app-status-offline');
  let ready = false;

  function show() {
    if (offline) offline.hidden = navigator.onLine;
    if (saved) saved.hidden = !(ready && navigator.onLine);
  }
  addEventListener('online', show);
  addEventListener('offline', show);
  show();

  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((error) => {
    // Nothing the reader can do about it; the pages still work online, and no "saved" line shows.
    console.warn('Offline copy not installed:', error);
  });
  // `ready` resolves once a worker is active, i.e. every page and file has been stored.
  navigator.serviceWorker.ready.then(() => {
    ready = true;
    show();
  });
})();
