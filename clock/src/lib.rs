//! The server's one clock. Every part that keeps time in the database (sessions, leases,
//! retries, retention, audit rows) reads [`Clock::now_ms`] from the [`SharedClock`] the
//! application owns, so a test can say "31 minutes later" with a [`ManualClock`] instead of
//! editing stored times or sleeping.
//!
//! Only wall-clock times live here: how long something took (a timeout, a sign-in's bound) is
//! measured with `Instant` where it happens.

use std::fmt::Debug;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use time::OffsetDateTime;

/// Where the time comes from.
pub trait Clock: Debug + Send + Sync {
    /// Milliseconds since the Unix epoch, UTC.
    fn now_ms(&self) -> i64;

    /// The same instant as a date and time, UTC.
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.now_ms()) * 1_000_000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }
}

/// The clock every part of one application shares.
pub type SharedClock = Arc<dyn Clock>;

/// The machine's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl SystemClock {
    /// The wall clock, shared.
    pub fn shared() -> SharedClock {
        Arc::new(Self)
    }
}

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        epoch_ms(OffsetDateTime::now_utc())
    }
}

/// Milliseconds since the Unix epoch of `at` (saturating far outside any real date).
pub fn epoch_ms(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// A clock that stands still until it is moved, for tests. Clones share one time.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now_ms: Arc<AtomicI64>,
}

impl ManualClock {
    /// A clock showing the wall clock's time now.
    pub fn starting_now() -> Self {
        Self::at_ms(SystemClock.now_ms())
    }

    /// A clock showing `now_ms`.
    pub fn at_ms(now_ms: i64) -> Self {
        Self {
            now_ms: Arc::new(AtomicI64::new(now_ms)),
        }
    }

    /// Moves the clock on by `by`.
    pub fn advance(&self, by: Duration) {
        let by = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.now_ms.fetch_add(by, Ordering::SeqCst);
    }

    /// This clock, to hand to the application.
    pub fn shared(&self) -> SharedClock {
        Arc::new(self.clone())
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.now_ms.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told_and_its_clones_move_with_it() {
        let clock = ManualClock::at_ms(1_000);
        let shared = clock.shared();
        assert_eq!(shared.now_ms(), 1_000);
        clock.advance(Duration::from_mins(31));
        assert_eq!(shared.now_ms(), 1_000 + 31 * 60 * 1_000);
        assert_eq!(shared.now().unix_timestamp(), 1 + 31 * 60);
    }

    #[test]
    fn the_system_clock_agrees_with_the_wall_clock() {
        let before = epoch_ms(OffsetDateTime::now_utc());
        let now = SystemClock.now_ms();
        assert!(now >= before && now - before < 60_000);
    }
}
