//! When a watch that follows an interval (candles, signals) polls next, and when it says that
//! the data has gone quiet.

use std::sync::Arc;
use std::time::Duration;

use rand::Rng;

use super::clock::{MarketClock, SystemClock};

/// The longest a failed poll waits before the next.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// The poll schedule: just after each interval's end, plus jitter; sooner when a watch also
/// wants what changes between ends; and, after failures or a late server, waits that double.
pub(super) struct Pace {
    pub interval_ms: i64,
    pub jitter: Duration,
    pub clock: Arc<dyn MarketClock>,
    /// Also poll at least this often (ms), for what changes within an interval.
    pub every_ms: Option<i64>,
    next_poll_ms: Option<i64>,
    failures: u32,
    /// Polls in a row that found the end passed but nothing new.
    late: u32,
}

impl Pace {
    pub fn new(interval_ms: i64) -> Self {
        Self {
            interval_ms,
            jitter: Duration::from_millis(250),
            clock: Arc::new(SystemClock),
            every_ms: None,
            next_poll_ms: None,
            failures: 0,
            late: 0,
        }
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Waits until the next poll is due (at once before the first).
    pub async fn wait(&self) {
        if let Some(at) = self.next_poll_ms {
            let wait = at.saturating_sub(self.clock.now_ms());
            if wait > 0 {
                self.clock.sleep(Duration::from_millis(wait.unsigned_abs())).await;
            }
        }
    }

    /// A poll failed: the next waits 2, 4, 8 ... seconds, at most a minute (and never less than
    /// the usual wait, `every_ms`).
    pub fn failed(&mut self) {
        self.failures = self.failures.saturating_add(1);
        let backoff = millis(Duration::from_secs(1u64 << self.failures.min(6)).min(MAX_BACKOFF));
        let backoff = backoff.max(self.every_ms.unwrap_or(0));
        self.next_poll_ms = Some(self.clock.now_ms().saturating_add(backoff));
    }

    /// A poll succeeded at `now`. `open_time` is when the interval the server is in began, when
    /// known; `fresh` says whether the poll found something new. Without news once that
    /// interval has ended, the server is late: the next poll waits 2, 4, 8 ... seconds, at most
    /// an interval.
    pub fn schedule(&mut self, now: i64, open_time: Option<i64>, fresh: bool) {
        self.failures = 0;
        let jitter = millis(self.jitter);
        let jitter = if jitter > 0 { rand::rng().random_range(0..=jitter) } else { 0 };
        let end = open_time.map(|t| t.saturating_add(self.interval_ms).saturating_add(jitter));
        let mut next = match end {
            Some(end) if end > now || fresh => {
                self.late = 0;
                end.max(now)
            }
            _ => {
                self.late = self.late.saturating_add(1);
                let wait = 1_000i64.saturating_mul(1 << self.late.min(16)).min(self.interval_ms);
                now.saturating_add(wait)
            }
        };
        if let Some(every) = self.every_ms {
            next = next.min(now.saturating_add(every));
        }
        // A server time far ahead (microseconds, a clock an hour fast) cannot put the next poll
        // more than an interval away.
        next = next.min(now.saturating_add(self.interval_ms).saturating_add(jitter));
        self.next_poll_ms = Some(next);
    }

    /// A poll succeeded at `now`; the next comes `every` ms later (a watch with no boundaries).
    pub fn after(&mut self, now: i64, every: i64) {
        self.failures = 0;
        self.next_poll_ms = Some(now.saturating_add(every));
    }
}

/// Whether a watch has heard nothing new for `after` intervals: said once per quiet spell.
pub(super) struct Quiet {
    pub after: u32,
    since: i64,
    said: bool,
}

impl Quiet {
    pub fn new(after: u32) -> Self {
        Self { after: after.max(1), since: 0, said: false }
    }

    /// Something new came at `now`.
    pub fn heard(&mut self, now: i64) {
        self.since = now;
        self.said = false;
    }

    /// How many intervals have been quiet, once they reach `after`; `None` otherwise and after
    /// it was said.
    pub fn check(&mut self, now: i64, interval_ms: i64) -> Option<u32> {
        if self.said {
            return None;
        }
        let quiet = now.saturating_sub(self.since) / interval_ms.max(1);
        (quiet >= i64::from(self.after)).then(|| {
            self.said = true;
            u32::try_from(quiet).unwrap_or(u32::MAX)
        })
    }
}

pub(super) fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}
