// Installs the offline worker. Plain JavaScript on purpose: it must run where WebAssembly is off
// (iOS Lockdown Mode), so that the guidance is still saved on the phone for later.
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((error) => {
    // Nothing the reader can do about it; the pages still work online.
    console.warn('Offline copy not installed:', error);
  });
}
