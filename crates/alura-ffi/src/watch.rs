//! Watch streams as the bindings hand them over: each event as one JSON object, the same in
//! every language, and the simulator's clock as a market clock for their tests.

use std::time::Duration;

use alura::CandleEvent;
use serde_json::{Value, json};

/// `{"kind": "closed" | "open", "candle": {...}}`, `{"kind": "gap", "from_ms", "to_ms"}` or
/// `{"kind": "stale", "intervals"}`.
pub fn event_json(event: CandleEvent) -> Value {
    match event {
        CandleEvent::Closed(candle) => json!({"kind": "closed", "candle": candle}),
        CandleEvent::Open(candle) => json!({"kind": "open", "candle": candle}),
        CandleEvent::Gap { from_ms, to_ms } => json!({"kind": "gap", "from_ms": from_ms, "to_ms": to_ms}),
        CandleEvent::Stale { intervals } => json!({"kind": "stale", "intervals": intervals}),
        // A kind this binding does not know yet: said, not dropped.
        other => json!({"kind": "other", "debug": format!("{other:?}")}),
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
