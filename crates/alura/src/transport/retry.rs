//! When to try a request again, and how long to wait first.

// Numbers here come from servers: no arithmetic that can overflow or panic.
#![deny(clippy::arithmetic_side_effects)]

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use alura_api::BoxFuture;
use rand::Rng;
use reqwest::Method;

/// How a call is retried. The default retries twice with full-jitter exponential backoff.
///
/// ```
/// use std::time::Duration;
/// let patient = alura::RetryPolicy { max_retries: 5, deadline: Duration::from_secs(120), ..Default::default() };
/// let never = alura::RetryPolicy::none();
/// # let _ = (patient, never);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts after the first; 0 turns retrying off.
    pub max_retries: u32,
    /// The backoff before retry n is a random wait in `[0, min(max_delay, base_delay * 2^n)]`.
    pub base_delay: Duration,
    /// The longest backoff between two attempts (a `Retry-After` may ask for more).
    pub max_delay: Duration,
    /// The most one call may take, all attempts and waits included.
    pub deadline: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 2,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
            deadline: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// Every call is sent once.
    pub fn none() -> Self {
        Self { max_retries: 0, ..Self::default() }
    }

    /// Full jitter: `rand(0, min(cap, base * 2^retry))`, `retry` counting from 0.
    pub fn backoff(&self, retry: u32) -> Duration {
        let ceiling = self.base_delay.saturating_mul(2u32.saturating_pow(retry.min(30))).min(self.max_delay);
        let share: f64 = rand::rng().random_range(0.0..=1.0);
        Duration::try_from_secs_f64(ceiling.as_secs_f64() * share).unwrap_or(ceiling)
    }
}

/// Waits between attempts. Swap it in tests to see the waits without waiting.
pub trait Sleeper: Send + Sync + 'static {
    /// A future that completes after `duration` (or at once, in a test).
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()>;
}

/// Sleeps on the Tokio timer.
#[derive(Debug, Default, Clone, Copy)]
pub struct TokioSleeper;

impl Sleeper for TokioSleeper {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}

#[derive(Clone)]
pub(crate) struct SharedSleeper(pub Arc<dyn Sleeper>);

impl fmt::Debug for SharedSleeper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sleeper")
    }
}

/// Methods a server may receive twice with the same effect as once.
pub(crate) fn idempotent(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS)
}

pub use crate::headers::retry_after;

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};
    use std::time::SystemTime;

    fn with(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn retry_after_in_seconds_and_as_a_date() {
        assert_eq!(retry_after(&with("3")), Some(Duration::from_secs(3)));
        assert_eq!(retry_after(&with("0.5")), Some(Duration::from_millis(500)));
        let in_ten = SystemTime::now() + Duration::from_secs(10);
        let wait = retry_after(&with(&httpdate::fmt_http_date(in_ten))).unwrap();
        assert!(wait > Duration::from_secs(8) && wait <= Duration::from_secs(10), "{wait:?}");
        assert_eq!(retry_after(&with("Wed, 21 Oct 2015 07:28:00 GMT")), Some(Duration::ZERO), "a past date");
        assert_eq!(retry_after(&with("soon")), None);
        assert_eq!(retry_after(&with("1e300")), Some(Duration::MAX), "huge, not a panic");
        assert_eq!(retry_after(&with("123456789012345678901234567890")), Some(Duration::MAX));
        assert_eq!(retry_after(&with("inf")), Some(Duration::MAX));
        assert_eq!(retry_after(&with("NaN")), None);
        assert_eq!(retry_after(&with("-1")), None);
        assert_eq!(retry_after(&HeaderMap::new()), None);
    }

    #[test]
    fn backoff_is_full_jitter_under_the_cap() {
        let p = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(700),
            ..Default::default()
        };
        let waits: Vec<Duration> = (0..2000).map(|i| p.backoff(i % 6)).collect();
        assert!(waits.iter().all(|w| *w <= Duration::from_millis(700)));
        assert!(waits.iter().any(|w| *w < Duration::from_millis(10)), "full jitter reaches near zero");
        let first: Vec<Duration> = (0..500).map(|_| p.backoff(0)).collect();
        assert!(first.iter().all(|w| *w <= Duration::from_millis(100)));
        assert!(first.iter().any(|w| *w > Duration::from_millis(80)), "and near the ceiling");
    }
}
