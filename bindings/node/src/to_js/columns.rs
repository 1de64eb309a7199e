//! Candles as columns: typed arrays for the float columns, strings for exact prices.

use napi::bindgen_prelude::*;
use napi_derive::napi;

/// Candles with exact prices: open times as a `Float64Array` (NaN where left out), each price
/// a string of the server's own digits, or null where it left the price out.
#[napi(object)]
pub struct NativeExactCandleColumns {
    pub open_time: Float64Array,
    pub open: Vec<Option<String>>,
    pub high: Vec<Option<String>>,
    pub low: Vec<Option<String>>,
    pub close: Vec<Option<String>>,
    pub volume: Vec<Option<String>>,
}

/// ms since the epoch fit a double exactly (2^53 ms is 285,000 years).
fn open_times(times: &[i64]) -> Float64Array {
    times.iter().map(|&t| if t == i64::MIN { f64::NAN } else { t as f64 }).collect::<Vec<_>>().into()
}

impl From<alura::ExactCandleColumns> for NativeExactCandleColumns {
    fn from(c: alura::ExactCandleColumns) -> Self {
        let text = |v: Vec<Option<alura::Decimal>>| v.into_iter().map(|d| d.map(|d| d.to_string())).collect();
        NativeExactCandleColumns {
            open_time: open_times(&c.open_time),
            open: text(c.open),
            high: text(c.high),
            low: text(c.low),
            close: text(c.close),
            volume: text(c.volume),
        }
    }
}

/// Candles one typed array per field, oldest first; a value the server left out is NaN.
#[napi(object)]
pub struct NativeCandleColumns {
    pub open_time: Float64Array,
    pub open: Float64Array,
    pub high: Float64Array,
    pub low: Float64Array,
    pub close: Float64Array,
    pub volume: Float64Array,
}

impl From<alura::CandleColumns> for NativeCandleColumns {
    fn from(c: alura::CandleColumns) -> Self {
        NativeCandleColumns {
            open_time: open_times(&c.open_time),
            open: c.open.into(),
            high: c.high.into(),
            low: c.low.into(),
            close: c.close.into(),
            volume: c.volume.into(),
        }
    }
}
