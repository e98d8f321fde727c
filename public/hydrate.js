// Hydrates the page's islands: fetches the JS glue and the WebAssembly named on the page's
// hydration script tag, then hydrates each island in a task of its own, so that a tap in between
// is answered at once. The tag (app/src/hydration/mod.rs) decides when this file is imported,
// which may be before the page has been read to its end.
// Adapted from Leptos 0.8's island_script.js (MIT licence), which Leptos inlines into every page
// beside high-priority preload hints. sw-register.js reads the same data attributes.
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
  // Each step in a task of its own, so that a tap in between is answered at once.
  const yieldToPage = () => new Promise((resolve) => setTimeout(resolve));
  async function hydrate() {
    // The WebAssembly is compiling already when the page came from the offline worker (the tag
    // started it); otherwise it is asked for beside the glue, not after it has been read.
    const wasm = window.lostDeviceCompiling ?? fetch(files.wasm);
    const mod = await import(files.js);
    await mod.default({ module_or_path: wasm });
    // Loading may start before the page has been read to its end; hydrating may not.
    if (document.readyState === 'loading') {
      await new Promise((resolve) => addEventListener('DOMContentLoaded', resolve, { once: true }));
    }
    await yieldToPage();
    mod.hydrate();
    await traverse(document.body, mod);
    // For the benchmarks: when every part of the page works.
    performance.mark('islands-hydrated');
  }
  hydrate();
})();
