//! What time it is on the market, and how a stream waits for it.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::BoxFuture;

/// The market's time for watch streams: the system clock by default; a test's clock moves a
/// simulator's time as the stream sleeps, so an hour of candles passes in milliseconds.
pub trait MarketClock: Send + Sync {
    /// Milliseconds since the epoch, on the server's clock as well as this side knows it.
    fn now_ms(&self) -> i64;
    /// Waits `duration` of this clock's time.
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()>;
}

/// This machine's clock, and Tokio's timer.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl MarketClock for SystemClock {
    fn now_ms(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}
