// Hydrates the page's islands: at once when the offline worker serves the page (the code is on
// the phone), otherwise once the page has loaded and the browser is idle, so that the code never
// competes with the first paint for the connection. Adapted from Leptos 0.8's island_script.js
// (MIT licence), which starts at idle too but is paired with high-priority preload hints, and
// which Leptos inlines into every page. The files' addresses are on this script's element
// (app/src/hydration/mod.rs), where sw-register.js also finds them.
(() => {
  const files = document.getElementById('app-hydration').dataset;
  const childrenCallbacks = [];
  async function hydrateIsland(el, mod) {
    const islandFn = mod[el.dataset.component];
    if (!islandFn) {
      console.warn(`No WebAssembly function for the island ${el.dataset.component}.`);
      return;
    }
    const childrenCallback = childrenCallbacks[childrenCallbacks.length - 1];
    if (childrenCallback) childrenCallback();
    await yieldToPage();
    await islandFn(el);
  }
  async function traverse(node, mod) {
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    const tag = node.tagName.toLowerCase();
    if (tag === 'leptos-island') await hydrateIsland(node, mod);
    if (tag === 'leptos-children') childrenCallbacks.push(node.$$on_hydrate);
    for (const child of node.children) await traverse(child, mod);
    if (tag === 'leptos-children') childrenCallbacks.pop();
  }
  const idle = (run) => ('requestIdleCallback' in window ? requestIdleCallback(run) : setTimeout(run));
  // Each step in a task of its own, so that a tap in between is answered at once.
  const yieldToPage = () => new Promise((resolve) => setTimeout(resolve));
  async function hydrate() {
    const mod = await import(files.js);
    await mod.default({ module_or_path: files.wasm });
    await yieldToPage();
    mod.hydrate();
    await traverse(document.body, mod);
    // For the benchmarks: when every part of the page works.
    performance.mark('islands-hydrated');
  }
  // Served by the offline worker, the code is already on the phone and takes nothing from the
  // page's own files: start at once. Otherwise wait until the page itself has loaded and the
  // browser is idle.
  if (navigator.serviceWorker?.controller) hydrate();
  else if (document.readyState === 'complete') idle(hydrate);
  else addEventListener('load', () => idle(hydrate), { once: true });
})();
