//! JS values as the core's: a call's arguments (whole numbers as integers again), whole numbers,
//! a history query.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::{Map, Value};

use crate::errors::invalid;

/// JS has one number type, and napi hands over any integer beyond `u32` as a float
/// (`1700000000000.0`), which an `i64` argument such as `endTime` would refuse. A whole
/// number that a double holds exactly becomes an integer again.
pub(crate) fn whole_numbers_as_integers(value: &mut Value) {
    const EXACT: f64 = 9_007_199_254_740_991.0; // 2^53 - 1
    match value {
        Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() <= EXACT) {
                *n = serde_json::Number::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        Value::Object(map) => map.values_mut().for_each(whole_numbers_as_integers),
        _ => {}
    }
}

/// A whole number given as a JS number; a fraction, NaN or one past 2^53 is refused.
pub(crate) fn whole(name: &str, n: f64) -> Result<i64> {
    if n.fract() != 0.0 || !n.is_finite() || n.abs() > 9_007_199_254_740_992.0 {
        return Err(invalid(format!("{name} must be a whole number, not {n}")));
    }
    Ok(n as i64)
}

/// A call's arguments as a JSON object, whole numbers as integers again.
pub(crate) fn args_of(args: Option<Value>) -> Result<Map<String, Value>> {
    match args {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(mut map)) => {
            map.values_mut().for_each(whole_numbers_as_integers);
            Ok(map)
        }
        Some(other) => Err(invalid(format!("arguments must be an object, not {other}"))),
    }
}

/// Which candles `candleColumns` fetches; times in ms since the epoch.
#[napi(object)]
pub struct NativeHistoryQuery {
    /// A symbol, or an asset index (the core names it).
    pub symbol: Either<String, f64>,
    pub interval: Option<String>,
    pub limit: Option<f64>,
    pub start_time: Option<f64>,
    pub end_time: Option<f64>,
    /// Prices as exact decimal strings rather than doubles.
    pub exact: Option<bool>,
}
