//! `watch_signals`: a symbol's signal for an interval, once each time the server works out a new
//! one.
//!
//! The server works a signal out from the candles, so a new one comes when a candle closes: the
//! watch polls just after each interval's end, as the candle watch does. A signal is new when its
//! `timestamp` or its `signal` word changed (when the server sends no timestamp, when anything in
//! it changed).

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use futures_util::Stream;
use serde_json::{Map, Value, json};

use super::checked_interval;
use super::clock::MarketClock;
use super::pace::{Pace, Quiet};
use crate::Client;
use crate::errors::Result;

/// What a signal watch yields.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SignalEvent {
    /// A new signal, as the server sent it. The first is the signal current when the watch began.
    Signal(Value),
    /// No new signal for `intervals` intervals, though the calls succeed. Said once per quiet
    /// spell.
    Stale {
        /// How many intervals have passed with no new signal.
        intervals: u32,
    },
}

/// A watch of one symbol's signal ([`Client::watch_signals`]): call [`WatchSignals::next`], or
/// turn it into a [`Stream`]. Dropping it stops it; nothing runs in the background.
pub struct WatchSignals {
    client: Client,
    args: Map<String, Value>,
    pace: Pace,
    quiet: Quiet,
    /// What made the last signal yielded new: its time and word, or all of it.
    last: Option<Value>,
    pending: VecDeque<SignalEvent>,
}

impl Client {
    /// Watches `symbol`'s signal for `interval`: the current one, then each new one. See
    /// [`WatchSignals`] for the options.
    pub fn watch_signals(
        &self,
        symbol: impl Into<String>,
        interval: impl Into<String>,
    ) -> Result<WatchSignals> {
        let interval = interval.into();
        let pace = Pace::new(checked_interval(&interval)?);
        let mut args = Map::new();
        args.insert("symbol".into(), json!(symbol.into()));
        args.insert("interval".into(), json!(interval));
        Ok(WatchSignals {
            client: self.clone(),
            args,
            pace,
            quiet: Quiet::new(3),
            last: None,
            pending: VecDeque::new(),
        })
    }
}

impl WatchSignals {
    /// Yield [`SignalEvent::Stale`] once no new signal has come for this many intervals (3).
    pub fn stale_after(mut self, intervals: u32) -> Self {
        self.quiet = Quiet::new(intervals);
        self
    }

    /// Poll up to this long after an interval's end (250 ms), at random, so that many watchers
    /// do not all poll at once.
    pub fn jitter(mut self, jitter: Duration) -> Self {
        self.pace.jitter = jitter;
        self
    }

    /// The market's clock (the system's by default).
    pub fn clock(mut self, clock: Arc<dyn MarketClock>) -> Self {
        self.pace.clock = clock;
        self
    }

    /// The next event. A poll that fails gives its error, and the watch goes on.
    pub async fn next(&mut self) -> Result<SignalEvent> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Ok(event);
            }
            self.pace.wait().await;
            if let Err(e) = self.poll().await {
                self.pace.failed();
                return Err(e);
            }
        }
    }

    /// The events, as a stream that never ends by itself.
    pub fn into_stream(self) -> impl Stream<Item = Result<SignalEvent>> {
        futures_util::stream::unfold(self, |mut watch| async move {
            let event = watch.next().await;
            Some((event, watch))
        })
    }

    async fn poll(&mut self) -> Result<()> {
        let now = self.pace.now_ms();
        let signal = self.client.call("get_signals", self.args.clone()).await?.to_value()?;
        let time = timestamp(&signal);
        let key = match time {
            Some(t) => json!([t, signal.get("signal")]),
            None => signal.clone(),
        };
        let fresh = self.last.as_ref() != Some(&key);
        if fresh {
            self.last = Some(key);
            self.quiet.heard(now);
            self.pending.push_back(SignalEvent::Signal(signal));
        } else if let Some(intervals) = self.quiet.check(now, self.pace.interval_ms) {
            self.pending.push_back(SignalEvent::Stale { intervals });
        }
        // The signal's time is the open candle's: the next comes when that candle closes. A time
        // that is not one of the last intervals' (none, seconds, a clock far off) would pace the
        // polls wrongly: the clock's interval boundaries stand in.
        let interval = self.pace.interval_ms;
        let recent = now.saturating_sub(interval.saturating_mul(2))..=now.saturating_add(interval);
        let open = match time.filter(|t| recent.contains(t)) {
            // A new signal stamped with a candle that has already closed (a server that stamps
            // the last closed candle): the next comes as the interval now open ends, on the
            // server's grid, not after a wait for a late server.
            Some(t) if fresh && t.saturating_add(interval) <= now => {
                t.saturating_add(now.saturating_sub(t) / interval * interval)
            }
            Some(t) => t,
            None => now - now.rem_euclid(interval),
        };
        self.pace.schedule(now, Some(open), fresh);
        Ok(())
    }
}

/// A signal's time in ms (`timestamp`, `time` or `openTime`; a number or digits).
fn timestamp(signal: &Value) -> Option<i64> {
    let value = ["timestamp", "time", "openTime"].iter().find_map(|k| signal.get(*k))?;
    value.as_i64().or_else(|| value.as_str()?.trim().parse().ok())
}
