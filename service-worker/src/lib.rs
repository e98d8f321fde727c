//! The offline service worker.
//!
//! Two builds of one crate:
//! - natively, for the server: [`Precache`] lists every file of the built site (with its
//!   Subresource Integrity hash) and every page, and [`Precache::worker_script`] returns the bytes
//!   of `/sw.js` for this build: that list, then the worker's JavaScript. Nothing in the list is
//!   written by hand, and every deploy changes `/sw.js`, so browsers update by themselves.
//! - for `wasm32`, the worker's logic in Rust ([`worker`]), loaded by `js/bootstrap.js`.
//!
//! `js/worker.js` is the same worker written in plain JavaScript; the server can serve either
//! ([`WorkerKind`]), and `scripts/bench.sh` compares their cold starts.

#[cfg(not(target_arch = "wasm32"))]
mod precache;
#[cfg(not(target_arch = "wasm32"))]
pub use precache::*;

#[cfg(target_arch = "wasm32")]
pub mod worker;
