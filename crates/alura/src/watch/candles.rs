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
use rand::Rng;
use serde_json::{Map, Value, json};

use super::clock::{MarketClock, SystemClock};
use super::interval_ms;
use crate::Client;
use crate::columns::{ENVELOPE_KEYS, Field};
use crate::errors::{Error, Result};

/// The most candles one `get_candles` call asks for; further back, the history fills in.
const RECENT_MAX: i64 = 1000;
/// The longest a failed poll waits before the next.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

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
    interval_ms: i64,
    include_open: bool,
    stale_after: u32,
    jitter: Duration,
    clock: Arc<dyn MarketClock>,
    /// The open time of the newest closed candle seen; `None` before the first poll.
    last_closed: Option<i64>,
    open: Option<Value>,
    pending: VecDeque<CandleEvent>,
    /// When to poll next, on the market clock.
    next_poll_ms: Option<i64>,
    failures: u32,
    /// Polls in a row that found the boundary passed but no new candle closed.
    late: u32,
    /// When a candle last closed (market ms), and whether the quiet since was said.
    closed_at: i64,
    stale_said: bool,
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
        let ms = interval_ms(&interval).ok_or_else(|| {
            Error::invalid(format!("interval {interval:?} is not one like 1m, 5m, 1h, 4h or 1d"))
        })?;
        Ok(WatchCandles {
            client: self.clone(),
            symbol: symbol.into(),
            interval,
            interval_ms: ms,
            include_open: false,
            stale_after: 3,
            jitter: Duration::from_millis(250),
            clock: Arc::new(SystemClock),
            last_closed: None,
            open: None,
            pending: VecDeque::new(),
            next_poll_ms: None,
            failures: 0,
            late: 0,
            closed_at: 0,
            stale_said: false,
        })
    }
}

impl WatchCandles {
    /// Also yield the open candle each time it changes, polled about twelve times an interval
    /// (at most every minute, at least every second).
    pub fn include_open(mut self, yes: bool) -> Self {
        self.include_open = yes;
        self
    }

    /// Yield [`CandleEvent::Stale`] once no candle has closed for this many intervals (3).
    pub fn stale_after(mut self, intervals: u32) -> Self {
        self.stale_after = intervals.max(1);
        self
    }

    /// Poll up to this long after a candle's end (250 ms), at random, so that many watchers do
    /// not all poll at once.
    pub fn jitter(mut self, jitter: Duration) -> Self {
        self.jitter = jitter;
        self
    }

    /// The market's clock (the system's by default).
    pub fn clock(mut self, clock: Arc<dyn MarketClock>) -> Self {
        self.clock = clock;
        self
    }

    /// The next event. A poll that fails gives its error, and the watch goes on from where it
    /// was: the next poll fills in what was missed.
    pub async fn next(&mut self) -> Result<CandleEvent> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Ok(event);
            }
            if let Some(at) = self.next_poll_ms {
                let wait = at.saturating_sub(self.clock.now_ms());
                if wait > 0 {
                    self.clock.sleep(Duration::from_millis(wait.unsigned_abs())).await;
                }
            }
            if let Err(e) = self.poll().await {
                self.failures = self.failures.saturating_add(1);
                let backoff = Duration::from_secs(1u64 << self.failures.min(6)).min(MAX_BACKOFF);
                self.next_poll_ms = Some(self.clock.now_ms().saturating_add(millis(backoff)));
                return Err(e);
            }
            self.failures = 0;
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
        let now = self.clock.now_ms();
        let behind = self.last_closed.map_or(1, |last| now.saturating_sub(last) / self.interval_ms);
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
                (None, Some((t, _))) => t.saturating_sub(self.interval_ms),
                (None, None) => now.saturating_sub(self.interval_ms),
            });
            self.closed_at = now;
            self.schedule(now, open.as_ref().map(|(t, _)| *t), true);
            self.open = open.map(|(_, c)| c);
            return Ok(());
        };
        let mut fresh: Vec<(i64, Value)> = candles.into_iter().filter(|(t, _)| *t > last).collect();
        // Candles between the last one yielded and the first one found are missing here: from
        // the history, and what it lacks is a gap.
        let first_found = fresh.first().map(|(t, _)| *t).or(open.as_ref().map(|(t, _)| *t));
        if let Some(first) = first_found
            && first > last.saturating_add(self.interval_ms)
        {
            let mut filled =
                self.history(last.saturating_add(self.interval_ms), first.saturating_sub(1)).await?;
            filled.retain(|(t, _)| *t > last && *t < first);
            let mut expected = last.saturating_add(self.interval_ms);
            for (t, candle) in filled {
                if t > expected {
                    self.pending.push_back(CandleEvent::Gap {
                        from_ms: expected,
                        to_ms: t.saturating_sub(self.interval_ms),
                    });
                }
                self.pending.push_back(CandleEvent::Closed(candle));
                expected = t.saturating_add(self.interval_ms);
            }
            if expected < first {
                self.pending.push_back(CandleEvent::Gap {
                    from_ms: expected,
                    to_ms: first.saturating_sub(self.interval_ms),
                });
            }
        }
        let any_new = !fresh.is_empty() || !self.pending.is_empty();
        if let Some((t, _)) = fresh.last() {
            self.last_closed = Some(*t);
        } else if let Some(first) = first_found.filter(|f| *f > last.saturating_add(self.interval_ms)) {
            self.last_closed = Some(first.saturating_sub(self.interval_ms));
        }
        self.pending.extend(fresh.drain(..).map(|(_, c)| CandleEvent::Closed(c)));
        if let Some((_, candle)) = &open
            && self.include_open
            && self.open.as_ref() != Some(candle)
        {
            self.pending.push_back(CandleEvent::Open(candle.clone()));
        }
        if any_new {
            self.closed_at = now;
            self.stale_said = false;
        } else if !self.stale_said {
            let quiet = now.saturating_sub(self.closed_at) / self.interval_ms;
            if quiet >= i64::from(self.stale_after) {
                self.stale_said = true;
                self.pending
                    .push_back(CandleEvent::Stale { intervals: u32::try_from(quiet).unwrap_or(u32::MAX) });
            }
        }
        self.schedule(now, open.as_ref().map(|(t, _)| *t), any_new);
        self.open = open.map(|(_, c)| c);
        Ok(())
    }

    /// When to poll next: just after the open candle's end; sooner for its changes when asked;
    /// and, when the end has passed with no candle closing (the server is late), after a wait
    /// that doubles, up to an interval.
    fn schedule(&mut self, now: i64, open_time: Option<i64>, closed_one: bool) {
        let jitter = millis(self.jitter);
        let jitter = if jitter > 0 { rand::rng().random_range(0..=jitter) } else { 0 };
        let boundary = open_time.map(|t| t.saturating_add(self.interval_ms).saturating_add(jitter));
        let mut next = match boundary {
            Some(b) if b > now || closed_one => {
                self.late = 0;
                b.max(now)
            }
            _ => {
                self.late = self.late.saturating_add(1);
                let wait = 1_000i64.saturating_mul(1 << self.late.min(16)).min(self.interval_ms);
                now.saturating_add(wait)
            }
        };
        if self.include_open {
            let every = (self.interval_ms / 12).clamp(1_000, 60_000);
            next = next.min(now.saturating_add(every));
        }
        self.next_poll_ms = Some(next);
    }

    /// Closed candles from the history, `from` to `to` (open times, ms), oldest first.
    async fn history(&self, from: i64, to: i64) -> Result<Vec<(i64, Value)>> {
        let count = to.saturating_sub(from) / self.interval_ms + 1;
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

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
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
                Value::Object(map) => {
                    map.iter().find(|(k, _)| Field::of(k) == Field::OpenTime).and_then(|(_, v)| time(v))
                }
                Value::Array(items) => items.first().and_then(time),
                _ => None,
            }?;
            Some((t, c))
        })
        .collect()
}
