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

use crate::script_names::{COMPILING, REGISTRATION};

/// When to load `public/hydrate.js` (one file for every page, stored by the worker with them),
/// which fetches the JS glue and the WebAssembly, then hydrates every island: at once when the
/// offline worker serves the page (everything is on the phone), otherwise after the page's load
/// event and when the browser is idle; and while a worker is installing (a first visit), once it
/// has stored the guidance for offline use, since on a weak link the page's code would share the
/// link with the guidance or go ahead of it (every page works without the code meanwhile). An
/// installing worker is waited for 10 s at most; a blocked or failed one not at all. The
/// registration is the one [`register_worker`] started. Inline, so the page asks for nothing
/// else before it paints; a classic script in the `<head>` rather than a module, so that served
/// by the worker it starts loading the code as soon as the stylesheet is there, while the rest
/// of the page is still being read and painted: the WebAssembly is compiled off the page's
/// thread meanwhile ([`COMPILING`]), and `hydrate.js` waits for the page before hydrating. (Offline
/// before the app's code is stored, these fail as importing `hydrate.js` does, which reports it
/// once; every page works without the code.)
fn when_to_hydrate() -> String {
    format!(
        "{{const go=()=>import('/hydrate.js');\
         const idle=()=>('requestIdleCallback'in window?requestIdleCallback(go):setTimeout(go));\
         const sw=navigator.serviceWorker;\
         if(sw?.controller){{const d=document.currentScript.dataset;\
         const c=WebAssembly.compileStreaming?.(fetch(d.wasm));c?.catch(()=>{{}});\
         window.{COMPILING}=c;import(d.js).catch(()=>{{}});go();}}\
         else addEventListener('load',()=>Promise.resolve(window.{REGISTRATION})\
         .then((r)=>r&&!r.active?Promise.race([sw.ready,new Promise((d)=>setTimeout(d,10000))]):null)\
         .then(idle,idle),{{once:true}});}}"
    )
}

/// Registers the offline worker as soon as the page's `<head>` is read, before the stylesheet:
/// a script after it would wait for it, and the worker's first step (the guidance, stored for
/// use offline) would start a second or more later on a weak link. Keeps the registration on
/// `window` ([`REGISTRATION`]).
fn register_worker() -> String {
    format!(
        "window.{REGISTRATION}=navigator.serviceWorker?.register('/sw.js',{{scope:'/'}});\
         window.{REGISTRATION}?.catch((e)=>console.warn('Offline copy not installed:',e));"
    )
}

/// The inline script that registers the offline worker ([`register_worker`]); first in the
/// `<head>` of every page that has scripts.
#[component]
pub fn RegisterWorker() -> impl IntoView {
    let nonce = leptos::nonce::use_nonce();
    view! { <script nonce=nonce>{register_worker()}</script> }
}

/// The inline script that decides when to hydrate ([`when_to_hydrate`]). The files'
/// addresses are data attributes, where `hydrate.js` and the update check (`sw-register.js`)
/// read them.
#[component]
pub fn IslandScripts(
    /// Build options: where the files are and whether their names are hashed.
    options: LeptosOptions,
) -> impl IntoView {
    let BuildFiles { js, wasm, .. } = BuildFiles::of(&options);
    let pkg = &options.site_pkg_dir;
    let nonce = leptos::nonce::use_nonce();
    view! {
        <script
            id=crate::script_names::HYDRATION
            nonce=nonce
            data-js=format!("/{pkg}/{js}.js")
            data-wasm=format!("/{pkg}/{wasm}.wasm")
        >
            {when_to_hydrate()}
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

/// The build's own file names in `pkg/`, without extension: with `hash-files`, each carries its
/// hash from [`hash_file`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildFiles {
    /// The JS glue.
    pub js: String,
    /// The WebAssembly.
    pub wasm: String,
    /// The stylesheet.
    pub css: String,
}

static BUILD_FILES: OnceLock<BuildFiles> = OnceLock::new();

impl BuildFiles {
    /// Reads the names once, at start-up, so that no page render opens a file: a render short
    /// of file descriptors, or a hash file gone since, must still give the right names.
    pub fn load(options: &LeptosOptions) -> std::io::Result<&'static BuildFiles> {
        let files = Self::read(options)?;
        Ok(BUILD_FILES.get_or_init(|| files))
    }

    /// The names [`BuildFiles::load`] read; before it (a page rendered outside the server), read
    /// now, and the plain names if that fails.
    fn of(options: &LeptosOptions) -> BuildFiles {
        BUILD_FILES
            .get()
            .cloned()
            .unwrap_or_else(|| Self::read(options).unwrap_or_else(|_| Self::named(options, "")))
    }

    fn read(options: &LeptosOptions) -> std::io::Result<BuildFiles> {
        let hashes = if options.hash_files {
            std::fs::read_to_string(hash_file(options))?
        } else {
            String::new()
        };
        Ok(Self::named(options, &hashes))
    }

    /// The names with the hashes in `hashes` (cargo-leptos' `kind: hash` lines).
    fn named(options: &LeptosOptions, hashes: &str) -> BuildFiles {
        let name = options.output_name.to_string();
        let with_hash = |kind: &str| {
            hashes
                .lines()
                .filter_map(|line| line.split_once(':'))
                .find(|(file, _)| file.trim() == kind)
                .map_or_else(
                    || name.clone(),
                    |(_, hash)| format!("{name}.{}", hash.trim()),
                )
        };
        BuildFiles {
            js: with_hash("js"),
            wasm: with_hash("wasm"),
            css: with_hash("css"),
        }
    }
}

/// The stylesheet's `<link>`, by its hashed name (in place of `leptos_meta::HashedStylesheet`,
/// which reads the hash file on every render and panics when it cannot).
#[component]
pub fn BuildStylesheet(
    /// Build options: where the stylesheet is and whether its name is hashed.
    options: LeptosOptions,
) -> impl IntoView {
    let css = BuildFiles::of(&options).css;
    let pkg = &options.site_pkg_dir;
    view! { <link rel="stylesheet" id="app-style" href=format!("/{pkg}/{css}.css")/> }
}
