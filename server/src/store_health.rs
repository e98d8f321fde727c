//! Whether the report database can take writes, for `/readyz`: set when a write fails for a
//! reason that passes (a full or failing disk, a lost database connection), cleared by the next
//! write that succeeds, and, while set, tried again by the readiness check itself at most every
//! few seconds, so the server says it is ready again once space is back, with no report needed.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use crate::fixed::WRITE_TRIED_EVERY;
use report_store::{ReportStore, StoreError};

/// Whether the database can take writes.
#[derive(Debug, Default)]
pub struct StoreHealth {
    failing: Mutex<Option<Failing>>,
}

#[derive(Debug)]
struct Failing {
    /// The store's words, for the log.
    reason: String,
    /// When a write was last tried.
    tried: Instant,
}

impl StoreHealth {
    fn lock(&self) -> MutexGuard<'_, Option<Failing>> {
        self.failing.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Notes a failed call: a reason that passes makes the server not ready until a write works.
    pub fn failed(&self, error: &StoreError) {
        if !error.is_unavailable() {
            return;
        }
        let mut failing = self.lock();
        if failing.is_none() {
            tracing::error!(%error, "the report database cannot take writes: not ready until it can");
        }
        *failing = Some(Failing {
            reason: error.to_string(),
            tried: Instant::now(),
        });
    }

    /// Notes a write that worked.
    pub fn wrote(&self) {
        if self.lock().take().is_some() {
            tracing::info!("the report database takes writes again: ready");
        }
    }

    /// `Ok` when the database can take writes; otherwise why not. While it cannot, a write is
    /// tried (at most every [`WRITE_TRIED_EVERY`]) to find out whether it can again.
    pub async fn check(&self, store: &ReportStore) -> Result<(), String> {
        let due = match &*self.lock() {
            None => return Ok(()),
            Some(failing) => failing.tried.elapsed() >= WRITE_TRIED_EVERY,
        };
        if due {
            match store.try_write().await {
                Ok(()) => {
                    self.wrote();
                    return Ok(());
                }
                Err(error) => self.failed(&error),
            }
        }
        Err(self
            .lock()
            .as_ref()
            .map(|failing| failing.reason.clone())
            .unwrap_or_default())
    }
}
