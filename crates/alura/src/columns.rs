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

/// A candle as a real server may send it, in any of the shapes market APIs use:
/// - ours: `{openTime, open, high, low, close, volume}`;
/// - Hyperliquid's: `{t, T, s, i, o, c, h, l, v, n}`;
/// - an array `[t, o, h, l, c, v, ...]` (Binance's and ccxt's order).
///
/// Fields may be missing or `null` (NaN in the columns), and numbers may be strings ("101.50",
/// as TypeORM serves Postgres numerics, or as Hyperliquid sends prices), which are converted.
#[derive(Default)]
struct Row {
    open_time: Option<Number<i64>>,
    open: Option<Number<f64>>,
    high: Option<Number<f64>>,
    low: Option<Number<f64>>,
    close: Option<Number<f64>>,
    volume: Option<Number<f64>>,
}

/// The keys an envelope may hold its candles under: `{symbol, interval, count, candles: [...]}`.
const ENVELOPE_KEYS: [&str; 4] = ["candles", "data", "items", "result"];

/// The candles of a body: a list of rows, or an object holding one under an [`ENVELOPE_KEYS`] key.
struct Rows(Vec<Row>);

impl<'de> Deserialize<'de> for Rows {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(RowsVisitor)
    }
}

struct RowsVisitor;

impl<'de> serde::de::Visitor<'de> for RowsVisitor {
    type Value = Rows;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a list of candles, or an object holding one under {}", ENVELOPE_KEYS.join(", "))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Rows, A::Error> {
        // A size hint is the server's word: presize within reason only.
        let mut rows = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 16));
        while let Some(row) = seq.next_element()? {
            rows.push(row);
        }
        Ok(Rows(rows))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> std::result::Result<Rows, A::Error> {
        use serde::de::Error as _;
        let mut keys = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if ENVELOPE_KEYS.contains(&key.as_str()) {
                let rows = map.next_value::<Rows>()?;
                // The rest of the envelope (symbol, count, ...) says nothing the columns need.
                while map.next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?.is_some() {}
                return Ok(rows);
            }
            map.next_value::<serde::de::IgnoredAny>()?;
            if keys.len() < 12 {
                keys.push(key);
            }
        }
        Err(A::Error::custom(format!(
            "expected a list of candles, or an object holding one under {}; got an object with keys [{}]",
            ENVELOPE_KEYS.join(", "),
            keys.join(", ")
        )))
    }
}

/// A candle object's key, read without allocating. `T` is Hyperliquid's close time and `n` its
/// trade count: not columns here.
enum Field {
    OpenTime,
    Open,
    High,
    Low,
    Close,
    Volume,
    Other,
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Key;
        impl serde::de::Visitor<'_> for Key {
            type Value = Field;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: serde::de::Error>(self, key: &str) -> std::result::Result<Field, E> {
                Ok(match key {
                    "openTime" | "open_time" | "t" => Field::OpenTime,
                    "open" | "o" => Field::Open,
                    "high" | "h" => Field::High,
                    "low" | "l" => Field::Low,
                    "close" | "c" => Field::Close,
                    "volume" | "v" => Field::Volume,
                    _ => Field::Other,
                })
            }
        }
        d.deserialize_identifier(Key)
    }
}

impl<'de> Deserialize<'de> for Row {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(RowVisitor)
    }
}

struct RowVisitor;

impl<'de> serde::de::Visitor<'de> for RowVisitor {
    type Value = Row;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a candle: an object ({openTime, open, ...} or {t, o, h, l, c, v}) or an array [t, o, h, l, c, v]")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> std::result::Result<Row, A::Error> {
        let mut row = Row::default();
        while let Some(field) = map.next_key::<Field>()? {
            match field {
                Field::OpenTime => row.open_time = map.next_value()?,
                Field::Open => row.open = map.next_value()?,
                Field::High => row.high = map.next_value()?,
                Field::Low => row.low = map.next_value()?,
                Field::Close => row.close = map.next_value()?,
                Field::Volume => row.volume = map.next_value()?,
                Field::Other => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(row)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Row, A::Error> {
        let row = Row {
            open_time: seq.next_element::<Option<Number<i64>>>()?.flatten(),
            open: seq.next_element::<Option<Number<f64>>>()?.flatten(),
            high: seq.next_element::<Option<Number<f64>>>()?.flatten(),
            low: seq.next_element::<Option<Number<f64>>>()?.flatten(),
            close: seq.next_element::<Option<Number<f64>>>()?.flatten(),
            volume: seq.next_element::<Option<Number<f64>>>()?.flatten(),
        };
        // Close time, quote volume, trade count...: not columns here.
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(row)
    }
}

/// A number, or a string holding one.
struct Number<T>(T);

impl<'de, T: FromStr + TryFrom<NumberOf> + Finite> Deserialize<'de> for Number<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use serde::de::Error as _;
        let parsed = match serde_json::Value::deserialize(d)? {
            serde_json::Value::Number(n) => n
                .as_i64()
                .map(NumberOf::Int)
                .or_else(|| n.as_f64().map(NumberOf::Float))
                .and_then(|n| T::try_from(n).ok()),
            // Rust parses "NaN", "inf" and "1e400" (infinity) as floats; JSON has no such numbers.
            serde_json::Value::String(s) => s.trim().parse::<T>().ok().filter(|n| n.is_finite_number()),
            _ => None,
        };
        parsed.map(Number).ok_or_else(|| D::Error::custom("expected a number or a string holding one"))
    }
}

/// Whether a parsed value is a number JSON could carry.
trait Finite {
    fn is_finite_number(&self) -> bool;
}

impl Finite for f64 {
    fn is_finite_number(&self) -> bool {
        self.is_finite()
    }
}

impl Finite for i64 {
    fn is_finite_number(&self) -> bool {
        true
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
            // The generated client decoded the candles, and they are ours: not parsed again.
            (Ok(candles), _) if candles.iter().all(|c| c.open_time.is_some()) => {
                return Ok(candles.into_inner().into_iter().collect());
            }
            // A list of objects that are not ours (Hyperliquid's `{t, o, ...}`) also "fits" the
            // schema, whose fields are all optional; the rows read it in its own shape.
            (Ok(_), Some(captured)) => captured.body,
            (Ok(candles), None) => return Ok(candles.into_inner().into_iter().collect()),
            (Err(progenitor_client::Error::InvalidResponsePayload(body, _)), _) => body,
            (Err(e), _) => return Err(e.into()),
        };
        let Rows(rows) = serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_slice(&body))
            .map_err(|e| Error::Decode {
            message: format!("get_candle_history: {}", e.inner()),
            path: Some(format!("${}", e.path())),
            body: Some(RawBody(body.clone())),
            call: Box::default(),
        })?;
        Ok(rows.into_iter().collect())
    }
}
