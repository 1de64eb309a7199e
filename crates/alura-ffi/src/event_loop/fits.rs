//! Which calls run on an event loop's own runtime, and which on a Tokio thread.

use serde_json::{Map, Value};

/// The most items (`limit`) a call may ask for and still run on an event loop's own runtime.
pub const LOOP_MAX_ITEMS: u64 = 5_000;

/// Whether a call asking for `limit` items may run on an event loop's own runtime: not one that
/// asks for more than [`LOOP_MAX_ITEMS`], whose answer's schema check (about a microsecond an
/// item) would hold the loop up to tenths of a second (100,000 candles: 100-140 ms, on top of the
/// language's own parse). Such a call runs on a Tokio thread, and only its answer's conversion
/// is left to the loop.
pub fn fits_the_loop(limit: Option<u64>) -> bool {
    limit.is_none_or(|n| n <= LOOP_MAX_ITEMS)
}

/// [`fits_the_loop`] for a call's arguments, as [`Client::call`](alura::Client::call) takes them:
/// `limit` as a number (whole or not) or as digits.
pub fn args_fit_the_loop(args: &Map<String, Value>) -> bool {
    let limit = args.get("limit").and_then(|limit| match limit {
        Value::Number(n) => n.as_u64().or_else(|| n.as_f64().filter(|f| *f > 0.0).map(|f| f as u64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    });
    fits_the_loop(limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(value: Value) -> bool {
        args_fit_the_loop(&Map::from_iter([("limit".to_owned(), value)]))
    }

    #[test]
    fn a_call_asking_for_many_items_runs_off_the_loop() {
        assert!(args_fit_the_loop(&Map::new()));
        assert!(limit(Value::from(5_000)));
        assert!(!limit(Value::from(5_001)));
        // JavaScript's numbers arrive as floats, and some callers send digits.
        assert!(!limit(Value::from(100_000.0)));
        assert!(!limit(Value::from("100000")));
        assert!(limit(Value::from(24.0)));
        // Not a count: left to the server to refuse, on the loop.
        assert!(limit(Value::from(-1)));
        assert!(!limit(Value::from(1e300)));
        assert!(limit(Value::Null));
    }
}
