// The home page's checklist: "Mark step N as done" ticks a step off, and the ticks are kept on
// the phone for one incident: 24 hours after the last change they are cleared when the page
// opens, and "Clear my ticks" clears them at once. Plain JavaScript on purpose, loaded with the
// page (deferred, about 1 KiB compressed): a tap works as soon as the steps are on screen, on a
// weak signal long before the app's WebAssembly has arrived, and also where WebAssembly is off
// (iOS Lockdown Mode). The markup is the server's (app/src/components/step_list.rs); its
// controls stay invisible until this runs.
(() => {
  // `{ ticks: [boolean per step], changed: ms since the epoch }`. Anything else (another number
  // of steps, a damaged value) counts as nothing ticked.
  const KEY = 'lost-device.done-steps.v2';
  // Ticks of the first releases carry no time: they may be from an earlier incident.
  const UNDATED_KEY = 'lost-device.done-steps.v1';
  const SAVE_FAILED = 'Your tick could not be saved on this phone. The steps still work.';
  const steps = [...document.querySelectorAll('.app-step__toggle')].map((toggle) => toggle.closest('.app-step'));
  const checklist = document.querySelector('.app-checklist');
  if (steps.length === 0 || !checklist) return;
  // How long ticks are kept, as the page says it (one setting, in the server's markup).
  const KEPT_MS = Number(checklist.dataset.keptHours) * 60 * 60 * 1000;
  const clear = checklist.querySelector('.app-checklist-clear');

  const none = () => steps.map(() => false);

  function forget(...keys) {
    try {
      for (const key of keys) localStorage.removeItem(key);
    } catch {
      // Storage refused: there is nothing kept to forget.
    }
  }

  function load() {
    try {
      const saved = JSON.parse(localStorage.getItem(KEY));
      const ticks = saved?.ticks;
      if (Array.isArray(ticks) && ticks.length === steps.length && ticks.every((d) => typeof d === 'boolean')
        && Number.isFinite(saved.changed)) {
        if (Date.now() - saved.changed <= KEPT_MS) return ticks;
        forget(KEY);
      }
    } catch {
      // Unreadable or storage refused: nothing ticked, as for a first visit.
    }
    return none();
  }

  function show(step, done) {
    step.querySelector('.app-step__done').hidden = !done;
    step.querySelector('.app-step__to-do').hidden = done;
    step.querySelector('.app-step__toggle').setAttribute('aria-pressed', String(done));
  }

  function showAll(ticks) {
    ticks.forEach((done, index) => show(steps[index], done));
  }

  /** Ticks (or unticks) step `index`; says so in plain words if the phone would not keep it. */
  function save(index, done) {
    const error = steps[index].querySelector('.app-step__error');
    const ticks = load();
    ticks[index] = done;
    try {
      localStorage.setItem(KEY, JSON.stringify({ ticks, changed: Date.now() }));
      error.hidden = true;
    } catch {
      error.querySelector('.app-step__error-text').textContent = SAVE_FAILED;
      error.hidden = false;
    }
  }

  forget(UNDATED_KEY);
  showAll(load());
  steps.forEach((step, index) => {
    const toggle = step.querySelector('.app-step__toggle');
    toggle.addEventListener('click', () => {
      const done = toggle.getAttribute('aria-pressed') !== 'true';
      show(step, done);
      save(index, done);
    });
    for (const waiting of step.querySelectorAll('.app-waiting')) waiting.classList.remove('app-waiting');
  });
  clear.addEventListener('click', () => {
    forget(KEY);
    showAll(none());
  });
  for (const waiting of checklist.querySelectorAll('.app-waiting')) waiting.classList.remove('app-waiting');
  // Another tab ticked a step: show the same.
  addEventListener('storage', (event) => {
    if (event.key !== KEY && event.key !== null) return;
    showAll(load());
  });
  // For the tests and benchmarks: when a tap on the checklist works.
  document.documentElement.dataset.checklist = 'ready';
  performance.mark('checklist-ready');
})();
