//! The worker's logic, compiled to WebAssembly and called by `js/bootstrap.js`. It behaves
//! exactly like `js/worker.js`:
//! - install: store every file (checked against its integrity hash) and every page of this
//!   build in one cache named after the build;
//! - activate: delete the caches of other builds, take control of open pages;
//! - pages: the network when it answers (within a time limit when a saved copy exists), else
//!   the saved copy, else the offline page; the network's page is never stored;
//! - files: from any of our caches, else the network.

use js_sys::{Array, Promise};
use wasm_bindgen::{JsCast, prelude::*};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Cache, CacheQueryOptions, Request, RequestCache, RequestInit, RequestMode, Response,
    ServiceWorkerGlobalScope, Url,
};

const CACHE_PREFIX: &str = "lost-device-";
/// How long a navigation waits for the network before showing the saved copy: long enough for
/// a slow but working connection, short enough for someone in a hurry on hotel Wi-Fi.
const NAVIGATION_TIMEOUT_MS: i32 = 3000;

fn scope() -> ServiceWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn cache_name(version: &str) -> String {
    // Concatenated rather than `format!`, which would pull the formatting machinery into the wasm.
    [CACHE_PREFIX, version].concat()
}

async fn open(name: &str) -> Result<Cache, JsValue> {
    Ok(JsFuture::from(scope().caches()?.open(name))
        .await?
        .unchecked_into())
}

/// Stores every file and page of this build, then takes over from the previous worker.
#[wasm_bindgen]
pub async fn install(
    version: String,
    asset_urls: Vec<String>,
    integrities: Vec<String>,
    pages: Vec<String>,
) -> Result<(), JsValue> {
    let cache = open(&cache_name(&version)).await?;
    let requests = Array::new();
    // `no-cache` revalidates with the server, so the HTTP cache cannot hand us an older build;
    // `integrity` makes the install fail rather than store a file from another build.
    for (url, integrity) in asset_urls.iter().zip(&integrities) {
        let init = RequestInit::new();
        init.set_cache(RequestCache::NoCache);
        init.set_integrity(integrity);
        requests.push(&Request::new_with_str_and_init(url, &init)?.into());
    }
    for url in &pages {
        let init = RequestInit::new();
        init.set_cache(RequestCache::NoCache);
        requests.push(&Request::new_with_str_and_init(url, &init)?.into());
    }
    JsFuture::from(cache.add_all_with_request_sequence(&requests)).await?;
    JsFuture::from(scope().skip_waiting()?).await?;
    Ok(())
}

/// Deletes other builds' caches and takes control of open pages.
#[wasm_bindgen]
pub async fn activate(version: String) -> Result<(), JsValue> {
    let caches = scope().caches()?;
    let current = cache_name(&version);
    let names: Array = JsFuture::from(caches.keys()).await?.unchecked_into();
    for name in names.iter().filter_map(|name| name.as_string()) {
        if name.starts_with(CACHE_PREFIX) && name != current {
            JsFuture::from(caches.delete(&name)).await?;
        }
    }
    JsFuture::from(scope().clients().claim()).await?;
    Ok(())
}

/// Answers a request the bootstrap decided the worker handles.
#[wasm_bindgen]
pub async fn respond(
    request: Request,
    version: String,
    offline: String,
) -> Result<Response, JsValue> {
    if request.mode() == RequestMode::Navigate {
        navigate(&request, &version, &offline).await
    } else {
        asset(&request).await
    }
}

async fn navigate(request: &Request, version: &str, offline: &str) -> Result<Response, JsValue> {
    let cache = open(&cache_name(version)).await?;
    let pathname = Url::new(&request.url())?.pathname();
    let path = if pathname.len() > 1 {
        pathname.trim_end_matches('/')
    } else {
        &pathname
    };
    let saved = as_response(JsFuture::from(cache.match_with_str(path)).await?);
    let network = scope().fetch_with_request(request);
    let attempt = match &saved {
        Some(_) => Promise::race(&Array::of2(&network, &timeout(NAVIGATION_TIMEOUT_MS))),
        None => network,
    };
    match JsFuture::from(attempt).await {
        Ok(response) => {
            let response: Response = response.unchecked_into();
            match saved {
                Some(saved) if response.status() >= 500 => Ok(saved),
                _ => Ok(response),
            }
        }
        Err(_) => match saved {
            Some(saved) => Ok(saved),
            None => match as_response(JsFuture::from(cache.match_with_str(offline)).await?) {
                Some(page) => Ok(page),
                None => Ok(Response::error()),
            },
        },
    }
}

async fn asset(request: &Request) -> Result<Response, JsValue> {
    let options = CacheQueryOptions::new();
    options.set_ignore_search(true);
    let saved = JsFuture::from(
        scope()
            .caches()?
            .match_with_request_and_options(request, &options),
    )
    .await?;
    match as_response(saved) {
        Some(saved) => Ok(saved),
        None => Ok(JsFuture::from(scope().fetch_with_request(request))
            .await?
            .unchecked_into()),
    }
}

/// `cache.match` resolves to `undefined` when nothing is stored.
fn as_response(value: JsValue) -> Option<Response> {
    value.dyn_into::<Response>().ok()
}

/// A promise that rejects after `ms` milliseconds.
fn timeout(ms: i32) -> Promise {
    Promise::new(&mut |_, reject| {
        // Scheduling a timer only fails if the worker is being torn down; then nothing waits.
        let _ = scope().set_timeout_with_callback_and_timeout_and_arguments_0(&reject, ms);
    })
}
