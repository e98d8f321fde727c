//! When to try sending again after a send that did not count: exponential backoff, capped, with
//! jitter so that many phones coming back online together do not all retry at the same moment.

use std::time::Duration;

/// How long to wait between attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The wait after the first failed attempt (before jitter).
    pub base: Duration,
    /// The longest wait.
    pub cap: Duration,
}

impl Default for RetryPolicy {
    /// 5 s, doubling to at most 10 minutes. Coming back online or opening the app also triggers a
    /// send at once, so long waits only matter while the server itself is failing.
    fn default() -> Self {
        Self {
            base: Duration::from_secs(5),
            cap: Duration::from_secs(600),
        }
    }
}

impl RetryPolicy {
    /// The wait after `attempts` failed attempts (1 or more). `jitter` is a random number in
    /// `0.0..=1.0` from the caller: the wait is between half and all of the backoff.
    pub fn delay(&self, attempts: u32, jitter: f64) -> Duration {
        let exponent = attempts.saturating_sub(1).min(30);
        let backoff = self.base.saturating_mul(1 << exponent).min(self.cap);
        let jitter = if jitter.is_finite() {
            jitter.clamp(0.0, 1.0)
        } else {
            1.0
        };
        backoff / 2 + backoff.mul_f64(jitter) / 2
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn check(attempts: u32, jitter: f64, expected_secs: f64) {
        assert_eq!(
            RetryPolicy::default().delay(attempts, jitter).as_secs_f64(),
            expected_secs
        );
    }

    #[test]
    fn the_wait_doubles_from_the_base() {
        check(1, 1.0, 5.0);
        check(2, 1.0, 10.0);
        check(3, 1.0, 20.0);
    }

    #[test]
    fn jitter_takes_off_up_to_half() {
        check(1, 0.0, 2.5);
        check(3, 0.5, 15.0);
    }

    #[test]
    fn the_wait_never_passes_the_cap() {
        check(100, 1.0, 600.0);
        check(u32::MAX, 0.0, 300.0);
    }

    #[test]
    fn nonsense_jitter_is_treated_as_the_full_wait() {
        check(1, f64::NAN, 5.0);
        check(1, 7.0, 5.0);
    }

    proptest! {
        #[test]
        fn every_wait_is_within_half_to_all_of_a_capped_backoff(attempts in 1u32..200, jitter in 0.0f64..=1.0) {
            let policy = RetryPolicy::default();
            let delay = policy.delay(attempts, jitter);
            prop_assert!(delay <= policy.cap);
            prop_assert!(delay >= policy.base / 2);
            prop_assert!(policy.delay(attempts + 1, jitter) >= delay);
        }
    }
}
