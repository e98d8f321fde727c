//! The script tag that makes a server-rendered page's islands work, in place of Leptos's
//! `HydrationScripts` (the work itself is `public/hydrate.js`).
//!
//! Leptos's version also puts `modulepreload`/`preload` hints for the JS glue and the WebAssembly
//! in the `<head>`: on a slow connection they compete with the stylesheet for the first paint,
//! although every page is readable (the guidance) or fillable (the form's HTML) before any
//! WebAssembly runs. This one sends no hints: it loads the code at once when the offline worker
//! serves the page (nothing to download), otherwise once the page has loaded and the browser is
//! idle, and hydrates each island in a task of its own. The file names are the build's hashed
//! ones, so a page is only ever hydrated by its own build's code.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use leptos::prelude::*;

/// When to load `public/hydrate.js` (one file for every page, stored by the worker with them),
/// which fetches the JS glue and the WebAssembly, then hydrates every island: at once when the
/// offline worker serves the page (everything is on the phone), otherwise after the page's load
/// event, when the browser is idle. Inline, so the page asks for nothing else before it paints.
const WHEN_TO_HYDRATE: &str = "const go=()=>import('/hydrate.js');\
    if(navigator.serviceWorker?.controller)go();\
    else addEventListener('load',\
    ()=>('requestIdleCallback'in window?requestIdleCallback(go):setTimeout(go)),{once:true});";

/// The inline module script that decides when to hydrate ([`WHEN_TO_HYDRATE`]). The files'
/// addresses are data attributes, where `hydrate.js` and the update check (`sw-register.js`)
/// read them.
#[component]
pub fn IslandScripts(
    /// Build options: where the files are and whether their names are hashed.
    options: LeptosOptions,
) -> impl IntoView {
    let (js, wasm) = bundle_names(&options);
    let pkg = &options.site_pkg_dir;
    let nonce = leptos::nonce::use_nonce();
    view! {
        <script
            type="module"
            id="app-hydration"
            nonce=nonce
            data-js=format!("/{pkg}/{js}.js")
            data-wasm=format!("/{pkg}/{wasm}.wasm")
        >
            {WHEN_TO_HYDRATE}
        </script>
    }
}

/// The file where cargo-leptos records the hashes in this build's file names (next to the
/// server's executable).
pub fn hash_file(options: &LeptosOptions) -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_path_buf))
        .unwrap_or_default()
        .join(options.hash_file.as_ref())
}

/// The JS glue's and the WebAssembly's file names without extension: with `hash-files`, the
/// hashes from [`hash_file`].
fn bundle_names(options: &LeptosOptions) -> &'static (String, String) {
    static NAMES: OnceLock<(String, String)> = OnceLock::new();
    NAMES.get_or_init(|| {
        let name = options.output_name.to_string();
        let (mut js, mut wasm) = (name.clone(), name);
        if options.hash_files {
            let hashes = std::fs::read_to_string(hash_file(options)).unwrap_or_default();
            for (file, hash) in hashes.lines().filter_map(|line| line.split_once(':')) {
                match file.trim() {
                    "js" => js = format!("{js}.{}", hash.trim()),
                    "wasm" => wasm = format!("{wasm}.{}", hash.trim()),
                    _ => {}
                }
            }
        }
        (js, wasm)
    })
}
