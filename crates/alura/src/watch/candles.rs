//! `watch_candles`: each candle once, when it closes.
//!
//! The server's newest candle is the open one, whatever either clock says, so a candle is
//! closed when a newer one exists: no skew between the clocks can yield a candle before it
//! closed. Polls come just after the open candle's end (plus a little jitter, so that many
//! watchers do not poll at once), and again with a growing wait when the server has not closed it
//! yet. After a gap (an outage, a sleeping laptop, a slow consumer) the missing candles come from
//! the history, in order; what the history cannot give is an event, never silence.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use futures_util::Stream;
use serde_json::{Map, Value, json};

use super::checked_interval;
use super::clock::MarketClock;
use super::pace::{Pace, Quiet};
use crate::Client;
use crate::columns::{CandleField, ENVELOPE_KEYS};
use crate::errors::Result;

/// The most candles one `get_candles` call asks for; further back, the history fills in.
const RECENT_MAX: i64 = 1000;

/// What a candle watch yields.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum CandleEvent {
    /// A candle that closed, as the server sent it: each once, oldest first.
    Closed(Value),
    /// The open candle changed (with [`WatchCandles::include_open`]).
    Open(Value),
    /// Candles that neither the recent candles nor the history had: open times from `from_ms`
    /// to `to_ms`, both included.
    Gap {
        /// The first missing candle's open time, ms since the epoch.
        from_ms: i64,
        /// The last missing candle's open time.
        to_ms: i64,
    },
    /// No candle has closed for `intervals` intervals: the data has gone quiet, though the calls
    /// succeed. Said once per quiet spell.
    Stale {
        /// How many intervals have passed with no candle closing.
        intervals: u32,
    },
}

/// A watch of one symbol's candles ([`Client::watch_candles`]): call [`WatchCandles::next`], or
/// turn it into a [`Stream`]. Dropping it stops it; nothing runs in the background.
pub struct WatchCandles {
    client: Client,
    symbol: String,
    interval: String,
    pace: Pace,
    quiet: Quiet,
    /// The open time of the newest closed candle seen; `None` before the first poll.
    last_closed: Option<i64>,
    open: Option<Value>,
    pending: VecDeque<CandleEvent>,
}

impl Client {
    /// Watches `symbol`'s `interval` candles: each candle once, when it closes. See
    /// [`WatchCandles`] for the options.
    pub fn watch_candles(
        &self,
        symbol: impl Into<String>,
        interval: impl Into<String>,
    ) -> Result<WatchCandles> {
        let interval = interval.into();
        Ok(WatchCandles {
            client: self.clone(),
            symbol: symbol.into(),
            pace: Pace::new(checked_interval(&interval)?),
            interval,
            quiet: Quiet::new(3),
            last_closed: None,
            open: None,
            pending: VecDeque::new(),
        })
    }
}

impl WatchCandles {
    /// Also yield the open candle each time it changes, polled about twelve times an interval
    /// (at most every minute, at least every second).
    pub fn include_open(mut self, yes: bool) -> Self {
        self.pace.every_ms = yes.then(|| (self.pace.interval_ms / 12).clamp(1_000, 60_000));
        self
    }

    /// Yield [`CandleEvent::Stale`] once no candle has closed for this many intervals (3).
    pub fn stale_after(mut self, intervals: u32) -> Self {
        self.quiet = Quiet::new(intervals);
        self
    }

    /// Poll up to this long after a candle's end (250 ms), at random, so that many watchers do
    /// not all poll at once.
    pub fn jitter(mut self, jitter: Duration) -> Self {
        self.pace.jitter = jitter;
        self
    }

    /// The market's clock (the system's by default).
    pub fn clock(mut self, clock: Arc<dyn MarketClock>) -> Self {
        self.pace.clock = clock;
        self
    }

    /// The next event. A poll that fails gives its error, and the watch goes on from where it
    /// was: the next poll fills in what was missed.
    pub async fn next(&mut self) -> Result<CandleEvent> {
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
    pub fn into_stream(self) -> impl Stream<Item = Result<CandleEvent>> {
        futures_util::stream::unfold(self, |mut watch| async move {
            let event = watch.next().await;
            Some((event, watch))
        })
    }

    async fn poll(&mut self) -> Result<()> {
        let now = self.pace.now_ms();
        let interval_ms = self.pace.interval_ms;
        let behind = self.last_closed.map_or(1, |last| now.saturating_sub(last) / interval_ms);
        let limit = behind.saturating_add(2).clamp(2, RECENT_MAX);
        let args = self.args(&[("limit", json!(limit))]);
        let mut candles = timed(candles_of(self.client.call("get_candles", args).await?.to_value()?));
        candles.sort_by_key(|(t, _)| *t);
        candles.dedup_by_key(|(t, _)| *t);
        // The newest is the open one; the others have closed.
        let open = candles.pop();
        let Some(last) = self.last_closed else {
            // The first poll: from now on, nothing of the past.
            self.last_closed = Some(match (candles.last(), &open) {
                (Some((t, _)), _) => *t,
                (None, Some((t, _))) => t.saturating_sub(interval_ms),
                (None, None) => now.saturating_sub(interval_ms),
            });
            self.quiet.heard(now);
            self.pace.schedule(now, open.as_ref().map(|(t, _)| *t), true);
            self.open = open.map(|(_, c)| c);
            return Ok(());
        };
        let mut fresh: Vec<(i64, Value)> = candles.into_iter().filter(|(t, _)| *t > last).collect();
        // Candles between the last one yielded and the first one found are missing here: from
        // the history, and what it lacks is a gap.
        let first_found = fresh.first().map(|(t, _)| *t).or(open.as_ref().map(|(t, _)| *t));
        if let Some(first) = first_found
            && first > last.saturating_add(interval_ms)
        {
            let mut filled = self.history(last.saturating_add(interval_ms), first.saturating_sub(1)).await?;
            filled.retain(|(t, _)| *t > last && *t < first);
            let mut expected = last.saturating_add(interval_ms);
            for (t, candle) in filled {
                if t > expected {
                    self.pending.push_back(CandleEvent::Gap {
                        from_ms: expected,
                        to_ms: t.saturating_sub(interval_ms),
                    });
                }
                self.pending.push_back(CandleEvent::Closed(candle));
                expected = t.saturating_add(interval_ms);
            }
            if expected < first {
                self.pending.push_back(CandleEvent::Gap {
                    from_ms: expected,
                    to_ms: first.saturating_sub(interval_ms),
                });
            }
        }
        let any_new = !fresh.is_empty() || !self.pending.is_empty();
        if let Some((t, _)) = fresh.last() {
            self.last_closed = Some(*t);
        } else if let Some(first) = first_found.filter(|f| *f > last.saturating_add(interval_ms)) {
            self.last_closed = Some(first.saturating_sub(interval_ms));
        }
        self.pending.extend(fresh.drain(..).map(|(_, c)| CandleEvent::Closed(c)));
        if let Some((_, candle)) = &open
            && self.pace.every_ms.is_some()
            && self.open.as_ref() != Some(candle)
        {
            self.pending.push_back(CandleEvent::Open(candle.clone()));
        }
        if any_new {
            self.quiet.heard(now);
        } else if let Some(intervals) = self.quiet.check(now, interval_ms) {
            self.pending.push_back(CandleEvent::Stale { intervals });
        }
        self.pace.schedule(now, open.as_ref().map(|(t, _)| *t), any_new);
        self.open = open.map(|(_, c)| c);
        Ok(())
    }

    /// Closed candles from the history, `from` to `to` (open times, ms), oldest first.
    async fn history(&self, from: i64, to: i64) -> Result<Vec<(i64, Value)>> {
        let count = to.saturating_sub(from) / self.pace.interval_ms + 1;
        let args = self.args(&[
            ("startTime", json!(from)),
            ("endTime", json!(to)),
            ("limit", json!(count.clamp(1, 100_000))),
        ]);
        let mut candles = timed(candles_of(self.client.call("get_candle_history", args).await?.to_value()?));
        candles.sort_by_key(|(t, _)| *t);
        candles.dedup_by_key(|(t, _)| *t);
        Ok(candles)
    }

    fn args(&self, more: &[(&str, Value)]) -> Map<String, Value> {
        let mut args = Map::new();
        args.insert("symbol".into(), json!(self.symbol));
        args.insert("interval".into(), json!(self.interval));
        for (k, v) in more {
            args.insert((*k).into(), v.clone());
        }
        args
    }
}

/// The candles of an answer: a list, or one under an envelope's key.
fn candles_of(answer: Value) -> Vec<Value> {
    match answer {
        Value::Array(items) => items,
        Value::Object(mut map) => ENVELOPE_KEYS
            .iter()
            .find_map(|k| match map.remove(*k) {
                Some(Value::Array(items)) => Some(items),
                _ => None,
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// Each candle with its open time, in any shape a server sends (`openTime`, `t`, or the first
/// element of an array; a number or digits); those without one cannot be placed, and are left out.
fn timed(candles: Vec<Value>) -> Vec<(i64, Value)> {
    let time = |v: &Value| v.as_i64().or_else(|| v.as_str()?.trim().parse().ok());
    candles
        .into_iter()
        .filter_map(|c| {
            let t = match &c {
                Value::Object(map) => map
                    .iter()
                    .find(|(k, _)| CandleField::of(k) == CandleField::OpenTime)
                    .and_then(|(_, v)| time(v)),
                Value::Array(items) => items.first().and_then(time),
                _ => None,
            }?;
            Some((t, c))
        })
        .collect()
}
