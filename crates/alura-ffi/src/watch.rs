//! Watch streams as the bindings hand them over: one kind of object for every watch, its options
//! read in one place, each event as one JSON text, the same in every language (money fields of
//! the typed events as their digits, for each binding's exact decimals; a log entry's free-form
//! `data` as the core holds it, in doubles), and, for their tests, the simulator's clock and a
//! count of the polls under way.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use alura::{CandleEvent, Client, Decimal, SignalEvent, TradeEvent};
use serde::Serialize;
use serde_json::Value;

/// What to watch.
pub enum Of {
    /// `watch_candles(symbol, interval)`.
    Candles { symbol: String, interval: String },
    /// `watch_signals(symbol, interval)`.
    Signals { symbol: String, interval: String },
    /// `watch_current_trade()`.
    CurrentTrade,
    /// `follow_trade_logs(trade_id)`: yields the entries themselves, not events.
    TradeLogs { trade_id: String },
}

/// Every watch option; each binding names them in its own words and passes what it was given.
#[derive(Default)]
pub struct Options {
    pub include_open: Option<bool>,
    pub stale_after: Option<u32>,
    pub jitter: Option<Duration>,
    pub every: Option<Duration>,
    pub pnl_step: Option<Decimal>,
    pub clock: Option<Arc<dyn alura::MarketClock>>,
}

/// Any watch, stepped by a binding.
pub enum Watch {
    Candles(alura::WatchCandles),
    Signals(alura::WatchSignals),
    CurrentTrade(alura::WatchCurrentTrade),
    TradeLogs(alura::FollowTradeLogs),
}

impl Watch {
    /// A watch of `of`; options that are not its own are not read (each binding offers only a
    /// watch's own).
    pub fn open(client: &Client, of: Of, o: Options) -> alura::Result<Self> {
        let watch = match of {
            Of::Candles { symbol, interval } => {
                let mut w =
                    client.watch_candles(symbol, interval)?.include_open(o.include_open.unwrap_or(false));
                if let Some(n) = o.stale_after {
                    w = w.stale_after(n);
                }
                if let Some(j) = o.jitter {
                    w = w.jitter(j);
                }
                if let Some(c) = o.clock {
                    w = w.clock(c);
                }
                Self::Candles(w)
            }
            Of::Signals { symbol, interval } => {
                let mut w = client.watch_signals(symbol, interval)?;
                if let Some(n) = o.stale_after {
                    w = w.stale_after(n);
                }
                if let Some(j) = o.jitter {
                    w = w.jitter(j);
                }
                if let Some(c) = o.clock {
                    w = w.clock(c);
                }
                Self::Signals(w)
            }
            Of::CurrentTrade => {
                let mut w = client.watch_current_trade();
                if let Some(e) = o.every {
                    w = w.every(e);
                }
                if let Some(step) = o.pnl_step {
                    w = w.pnl_step(step);
                }
                if let Some(c) = o.clock {
                    w = w.clock(c);
                }
                Self::CurrentTrade(w)
            }
            Of::TradeLogs { trade_id } => {
                let mut w = client.follow_trade_logs(trade_id);
                if let Some(e) = o.every {
                    w = w.every(e);
                }
                if let Some(c) = o.clock {
                    w = w.clock(c);
                }
                Self::TradeLogs(w)
            }
        };
        Ok(watch)
    }

    /// The next event as JSON text.
    pub async fn next_json(&mut self) -> alura::Result<String> {
        let _counted = InFlight::new();
        let text = match self {
            Self::Candles(w) => serde_json::to_string(&candle_event(w.next().await?)),
            Self::Signals(w) => serde_json::to_string(&signal_event(w.next().await?)),
            Self::CurrentTrade(w) => serde_json::to_string(&trade_event(w.next().await?)),
            Self::TradeLogs(w) => serde_json::to_string(&w.next().await?),
        };
        text.map_err(|e| alura::Error::decode(e.to_string()))
    }
}

/// Watch polls under way in this process (`next_json` futures not yet dropped): what a test
/// reads to see that a cancelled watch left nothing running.
pub fn polls_in_flight() -> usize {
    IN_FLIGHT.load(Ordering::SeqCst)
}

static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);

struct InFlight;

impl InFlight {
    fn new() -> Self {
        IN_FLIGHT.fetch_add(1, Ordering::SeqCst);
        Self
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        IN_FLIGHT.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Events as each binding shows them: `{"kind": ..., ...}`.
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Event {
    Closed {
        candle: Value,
    },
    Open {
        candle: Value,
    },
    Gap {
        from_ms: i64,
        to_ms: i64,
    },
    Stale {
        intervals: u32,
    },
    Signal {
        signal: Value,
    },
    TradeOpened {
        trade: alura::types::Trade,
    },
    PositionOpened {
        position: alura::types::Position,
    },
    PositionClosed {
        position: alura::types::Position,
    },
    Pnl {
        pnl: Decimal,
        trade: alura::types::Trade,
    },
    TradeClosed {
        trade: alura::types::Trade,
    },
    /// A kind this binding does not know yet: said, not dropped.
    Other {
        debug: String,
    },
}

fn candle_event(event: CandleEvent) -> Event {
    match event {
        CandleEvent::Closed(candle) => Event::Closed { candle },
        CandleEvent::Open(candle) => Event::Open { candle },
        CandleEvent::Gap { from_ms, to_ms } => Event::Gap { from_ms, to_ms },
        CandleEvent::Stale { intervals } => Event::Stale { intervals },
        other => Event::Other { debug: format!("{other:?}") },
    }
}

fn signal_event(event: SignalEvent) -> Event {
    match event {
        SignalEvent::Signal(signal) => Event::Signal { signal },
        SignalEvent::Stale { intervals } => Event::Stale { intervals },
        other => Event::Other { debug: format!("{other:?}") },
    }
}

fn trade_event(event: TradeEvent) -> Event {
    match event {
        TradeEvent::Opened(trade) => Event::TradeOpened { trade },
        TradeEvent::PositionOpened(position) => Event::PositionOpened { position },
        TradeEvent::PositionClosed(position) => Event::PositionClosed { position },
        TradeEvent::Pnl { pnl, trade } => Event::Pnl { pnl, trade },
        TradeEvent::Closed(trade) => Event::TradeClosed { trade },
        other => Event::Other { debug: format!("{other:?}") },
    }
}

/// The simulator's clock as a watch's market clock: sleeping moves it, so hours of candles pass
/// in milliseconds.
pub struct Simulated(pub alura_mock::SimulatedClock);

impl alura::MarketClock for Simulated {
    fn now_ms(&self) -> i64 {
        self.0.now_ms()
    }

    fn sleep(&self, duration: Duration) -> alura::BoxFuture<'static, ()> {
        self.0.advance(duration);
        Box::pin(tokio::task::yield_now())
    }
}
