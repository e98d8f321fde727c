// The home page's checklist: "Mark step N as done" ticks a step off, and the ticks are kept on
// the phone. Plain JavaScript on purpose, loaded with the page (deferred, 1 KiB compressed):
// a tap works as soon as the steps are on screen, on a weak signal long before the app's
// WebAssembly has arrived, and also where WebAssembly is off (iOS Lockdown Mode). The markup is
// the server's (app/src/components/step_list.rs); its controls stay invisible until this runs.
(() => {
  // The ticks as the phone has kept them since the first release: a JSON array of booleans, one
  // per step. Anything else (another number of steps, a damaged value) counts as nothing ticked.
  const KEY = 'lost-device.done-steps.v1';
  const SAVE_FAILED = 'Your tick could not be saved on this phone. The steps still work.';
  const steps = [...document.querySelectorAll('.app-step__toggle')].map((toggle) => toggle.closest('.app-step'));
  if (steps.length === 0) return;

  function load() {
    try {
      const saved = JSON.parse(localStorage.getItem(KEY));
      if (Array.isArray(saved) && saved.length === steps.length && saved.every((d) => typeof d === 'boolean')) return saved;
    } catch {
      // Unreadable or storage refused: nothing ticked, as for a first visit.
    }
    return steps.map(() => false);
  }

  function show(step, done) {
    step.querySelector('.app-step__done').hidden = !done;
    step.querySelector('.app-step__to-do').hidden = done;
    step.querySelector('.app-step__toggle').setAttribute('aria-pressed', String(done));
  }

  /** Ticks (or unticks) step `index`; says so in plain words if the phone would not keep it. */
  function save(index, done) {
    const error = steps[index].querySelector('.app-step__error');
    const ticks = load();
    ticks[index] = done;
    try {
      localStorage.setItem(KEY, JSON.stringify(ticks));
      error.hidden = true;
    } catch {
      error.querySelector('.app-step__error-text').textContent = SAVE_FAILED;
      error.hidden = false;
    }
  }

  const ticks = load();
  steps.forEach((step, index) => {
    const toggle = step.querySelector('.app-step__toggle');
    show(step, ticks[index]);
    toggle.addEventListener('click', () => {
      const done = toggle.getAttribute('aria-pressed') !== 'true';
      show(step, done);
      save(index, done);
    });
    for (const waiting of step.querySelectorAll('.app-waiting')) waiting.classList.remove('app-waiting');
  });
  // Another tab ticked a step: show the same.
  addEventListener('storage', (event) => {
    if (event.key !== KEY && event.key !== null) return;
    load().forEach((done, index) => show(steps[index], done));
  });
  // For the tests and benchmarks: when a tap on the checklist works.
  document.documentElement.dataset.checklist = 'ready';
  performance.mark('checklist-ready');
})();
