//! The offline service worker, as the server serves it: [`Precache`] lists every file of the
//! built site (with its Subresource Integrity hash) and every page, and
//! [`Precache::worker_script`] returns the bytes of `/sw.js` for this build: that list, then the names
//! shared with the pages (`const HANDOVER`), then the worker's plain JavaScript (`js/worker.js`). Nothing in the list is written by hand, and every
//! deploy changes `/sw.js`, so browsers update by themselves. [`handover`] holds the names the
//! pages and the worker share to send reports while no page is open.

pub mod handover;
mod precache;
pub use precache::*;
