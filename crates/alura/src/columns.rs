//! Candles as columns, the shape data frames want, without a row object per candle.

// Numbers here come from servers: no arithmetic that can overflow or panic.
#![deny(clippy::arithmetic_side_effects)]

use std::num::NonZeroU64;

use std::str::FromStr;

use serde::Deserialize;

use crate::Client;
use crate::decode;
use crate::error::{Error, RawBody, Result};
use crate::types::Candle;

/// Candles one column per field, oldest first. A price the server left out is NaN; an open
/// time it left out is `i64::MIN`.
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
        candles
            .into_iter()
            .map(|k| Row {
                open_time: k.open_time.map(Number),
                open: k.open.map(Number),
                high: k.high.map(Number),
                low: k.low.map(Number),
                close: k.close.map(Number),
                volume: k.volume.map(Number),
            })
            .collect()
    }
}

impl FromIterator<Row> for CandleColumns {
    fn from_iter<I: IntoIterator<Item = Row>>(rows: I) -> Self {
        let mut c = CandleColumns::default();
        let price = |n: Option<Number<f64>>| n.map_or(f64::NAN, |n| n.0);
        for k in rows {
            c.open_time.push(k.open_time.map_or(i64::MIN, |n| n.0));
            c.open.push(price(k.open));
            c.high.push(price(k.high));
            c.low.push(price(k.low));
            c.close.push(price(k.close));
            c.volume.push(price(k.volume));
        }
        c
    }
}

/// A candle as a real server may send it: fields missing or `null` (NaN in the columns), and
/// numbers as strings ("101.50", as TypeORM serves Postgres numerics), which are converted.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Row {
    #[serde(default)]
    open_time: Option<Number<i64>>,
    #[serde(default)]
    open: Option<Number<f64>>,
    #[serde(default)]
    high: Option<Number<f64>>,
    #[serde(default)]
    low: Option<Number<f64>>,
    #[serde(default)]
    close: Option<Number<f64>>,
    #[serde(default)]
    volume: Option<Number<f64>>,
}

/// A number, or a string holding one.
struct Number<T>(T);

impl<'de, T: FromStr + TryFrom<NumberOf>> Deserialize<'de> for Number<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use serde::de::Error as _;
        let parsed = match serde_json::Value::deserialize(d)? {
            serde_json::Value::Number(n) => n
                .as_i64()
                .map(NumberOf::Int)
                .or_else(|| n.as_f64().map(NumberOf::Float))
                .and_then(|n| T::try_from(n).ok()),
            serde_json::Value::String(s) => s.trim().parse::<T>().ok(),
            _ => None,
        };
        parsed.map(Number).ok_or_else(|| D::Error::custom("expected a number or a string holding one"))
    }
}

/// A JSON number before it becomes the column's type.
enum NumberOf {
    Int(i64),
    Float(f64),
}

impl TryFrom<NumberOf> for f64 {
    type Error = ();
    fn try_from(n: NumberOf) -> std::result::Result<Self, ()> {
        Ok(match n {
            NumberOf::Int(i) => i as f64,
            NumberOf::Float(f) => f,
        })
    }
}

impl TryFrom<NumberOf> for i64 {
    type Error = ();
    fn try_from(n: NumberOf) -> std::result::Result<Self, ()> {
        match n {
            NumberOf::Int(i) => Ok(i),
            // Whole, and inside i64: a float cast would saturate silently.
            NumberOf::Float(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Ok(f as i64),
            NumberOf::Float(_) => Err(()),
        }
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
        let (sent, captured) = decode::capturing(b.send()).await;
        let body = match (sent, captured) {
            // The generated client decoded the candles: they fit, and are not parsed again.
            (Ok(candles), _) => return Ok(candles.into_inner().into_iter().collect()),
            (Err(progenitor_client::Error::InvalidResponsePayload(body, _)), _) => body,
            (Err(e), _) => return Err(e.into()),
        };
        let rows: Vec<Row> = serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_slice(
            &body,
        ))
        .map_err(|e| Error::Decode {
            message: format!("get_candle_history: {}", e.inner()),
            path: Some(format!("${}", e.path())),
            body: Some(RawBody(body.clone())),
            call: Box::default(),
        })?;
        Ok(rows.into_iter().collect())
    }
}
