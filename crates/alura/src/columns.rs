//! Candles as columns, the shape data frames want, without a row object per candle.

use std::num::NonZeroU64;

use crate::Client;
use crate::error::{Error, Result};
use crate::types::Candle;

/// Candles one column per field, oldest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CandleColumns {
    /// Open times, ms since the epoch.
    pub open_time: Vec<i64>,
    /// Open prices.
    pub open: Vec<f64>,
    /// Highs.
    pub high: Vec<f64>,
    /// Lows.
    pub low: Vec<f64>,
    /// Close prices.
    pub close: Vec<f64>,
    /// Volumes.
    pub volume: Vec<f64>,
}

impl FromIterator<Candle> for CandleColumns {
    fn from_iter<I: IntoIterator<Item = Candle>>(candles: I) -> Self {
        let mut c = CandleColumns::default();
        for k in candles {
            c.open_time.push(k.open_time);
            c.open.push(k.open);
            c.high.push(k.high);
            c.low.push(k.low);
            c.close.push(k.close);
            c.volume.push(k.volume);
        }
        c
    }
}

/// Which candles of the history to fetch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryQuery {
    /// e.g. `"BTC"`.
    pub symbol: String,
    /// e.g. `"1h"`; the server's default when `None`.
    pub interval: Option<String>,
    /// How many candles (the server allows up to 100,000).
    pub limit: Option<u64>,
    /// ms since the epoch.
    pub start_time: Option<i64>,
    /// ms since the epoch.
    pub end_time: Option<i64>,
}

impl Client {
    /// Candle history (`get_candle_history`, through the same transport as every call) as
    /// columns: one allocation per field rather than one object per candle.
    pub async fn candle_columns(&self, query: HistoryQuery) -> Result<CandleColumns> {
        let mut b = self.api().get_candle_history().symbol(query.symbol);
        if let Some(interval) = query.interval {
            b = b.interval(interval.as_str());
        }
        if let Some(limit) = query.limit {
            b = b.limit(NonZeroU64::new(limit).ok_or_else(|| Error::invalid("limit must be at least 1"))?);
        }
        if let Some(t) = query.start_time {
            b = b.start_time(t);
        }
        if let Some(t) = query.end_time {
            b = b.end_time(t);
        }
        Ok(b.send().await?.into_inner().into_iter().collect())
    }
}
