//! Candles as columns, the shape data frames want, without a row object per candle.

// Numbers here come from servers: no arithmetic that can overflow or panic.
#![deny(clippy::arithmetic_side_effects)]

use std::marker::PhantomData;
use std::num::NonZeroU64;
use std::str::FromStr;

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::decode;
use crate::errors::{Error, RawBody, Result};
use crate::types::Candle;
use crate::{Client, Decimal};

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

impl FromIterator<Row<Number<f64>>> for CandleColumns {
    fn from_iter<I: IntoIterator<Item = Row<Number<f64>>>>(rows: I) -> Self {
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

/// Candles one column per field with prices as exact decimals, read from the server's own
/// digits: for accounting on candles, where [`CandleColumns`]' doubles are for charts and
/// statistics. A price the server left out is `None`; an open time it left out is `i64::MIN`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExactCandleColumns {
    /// Open times, ms since the epoch.
    pub open_time: Vec<i64>,
    /// Open prices.
    pub open: Vec<Option<Decimal>>,
    /// Highs.
    pub high: Vec<Option<Decimal>>,
    /// Lows.
    pub low: Vec<Option<Decimal>>,
    /// Close prices.
    pub close: Vec<Option<Decimal>>,
    /// Volumes.
    pub volume: Vec<Option<Decimal>>,
}

impl FromIterator<Row<Decimal>> for ExactCandleColumns {
    fn from_iter<I: IntoIterator<Item = Row<Decimal>>>(rows: I) -> Self {
        let mut c = ExactCandleColumns::default();
        for k in rows {
            c.open_time.push(k.open_time.map_or(i64::MIN, |n| n.0));
            c.open.push(k.open);
            c.high.push(k.high);
            c.low.push(k.low);
            c.close.push(k.close);
            c.volume.push(k.volume);
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
/// `P` is how a price is read: a double ([`Number<f64>`]) or an exact [`Decimal`].
struct Row<P> {
    open_time: Option<Number<i64>>,
    open: Option<P>,
    high: Option<P>,
    low: Option<P>,
    close: Option<P>,
    volume: Option<P>,
}

impl<P> Default for Row<P> {
    fn default() -> Self {
        Row { open_time: None, open: None, high: None, low: None, close: None, volume: None }
    }
}

/// The keys an envelope may hold its candles under: `{symbol, interval, count, candles: [...]}`.
pub(crate) const ENVELOPE_KEYS: [&str; 4] = ["candles", "data", "items", "result"];

/// The candles of a body: a list of rows, or an object holding one under an [`ENVELOPE_KEYS`] key.
struct Rows<P>(Vec<Row<P>>);

impl<'de, P: Deserialize<'de>> Deserialize<'de> for Rows<P> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(RowsVisitor(PhantomData))
    }
}

struct RowsVisitor<P>(PhantomData<P>);

impl<'de, P: Deserialize<'de>> serde::de::Visitor<'de> for RowsVisitor<P> {
    type Value = Rows<P>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a list of candles, or an object holding one under {}", ENVELOPE_KEYS.join(", "))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Rows<P>, A::Error> {
        // A size hint is the server's word: presize within reason only.
        let mut rows = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 16));
        while let Some(row) = seq.next_element()? {
            rows.push(row);
        }
        Ok(Rows(rows))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> std::result::Result<Rows<P>, A::Error> {
        use serde::de::Error as _;
        let mut keys = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if ENVELOPE_KEYS.contains(&key.as_str()) {
                let rows = map.next_value::<Rows<P>>()?;
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

/// A candle object's key, in any of the shapes the SDK reads (ours, Hyperliquid's), read without
/// allocating: the one list of those names, for readers of candles outside this module too (the
/// CLI). `T` is Hyperliquid's close time and `n` its trade count: not columns here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CandleField {
    /// `openTime`, `open_time`, `t`.
    OpenTime,
    /// `open`, `o`.
    Open,
    /// `high`, `h`.
    High,
    /// `low`, `l`.
    Low,
    /// `close`, `c`.
    Close,
    /// `volume`, `v`.
    Volume,
    /// Any other key.
    Other,
}

impl CandleField {
    /// The field a candle's key names.
    pub fn of(key: &str) -> CandleField {
        match key {
            "openTime" | "open_time" | "t" => CandleField::OpenTime,
            "open" | "o" => CandleField::Open,
            "high" | "h" => CandleField::High,
            "low" | "l" => CandleField::Low,
            "close" | "c" => CandleField::Close,
            "volume" | "v" => CandleField::Volume,
            _ => CandleField::Other,
        }
    }
}

impl<'de> Deserialize<'de> for CandleField {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Key;
        impl serde::de::Visitor<'_> for Key {
            type Value = CandleField;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: serde::de::Error>(self, key: &str) -> std::result::Result<CandleField, E> {
                Ok(CandleField::of(key))
            }
        }
        d.deserialize_identifier(Key)
    }
}

impl<'de, P: Deserialize<'de>> Deserialize<'de> for Row<P> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(RowVisitor(PhantomData))
    }
}

struct RowVisitor<P>(PhantomData<P>);

impl<'de, P: Deserialize<'de>> serde::de::Visitor<'de> for RowVisitor<P> {
    type Value = Row<P>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a candle: an object ({openTime, open, ...} or {t, o, h, l, c, v}) or an array [t, o, h, l, c, v]")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> std::result::Result<Row<P>, A::Error> {
        let mut row = Row::default();
        while let Some(field) = map.next_key::<CandleField>()? {
            match field {
                CandleField::OpenTime => row.open_time = map.next_value()?,
                CandleField::Open => row.open = map.next_value()?,
                CandleField::High => row.high = map.next_value()?,
                CandleField::Low => row.low = map.next_value()?,
                CandleField::Close => row.close = map.next_value()?,
                CandleField::Volume => row.volume = map.next_value()?,
                CandleField::Other => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(row)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Row<P>, A::Error> {
        let row = Row {
            open_time: seq.next_element::<Option<Number<i64>>>()?.flatten(),
            open: seq.next_element::<Option<P>>()?.flatten(),
            high: seq.next_element::<Option<P>>()?.flatten(),
            low: seq.next_element::<Option<P>>()?.flatten(),
            close: seq.next_element::<Option<P>>()?.flatten(),
            volume: seq.next_element::<Option<P>>()?.flatten(),
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
        match history(self, query).await? {
            // The generated client decoded the candles, and they are ours: not parsed again.
            History::Typed(candles, _) if candles.iter().all(|c| c.open_time.is_some()) => {
                Ok(candles.into_iter().collect())
            }
            // A list of objects that are not ours (Hyperliquid's `{t, o, ...}`) also "fits" the
            // schema, whose fields are all optional; the rows read it in its own shape.
            History::Typed(_, Some(body)) | History::Untyped(body) => {
                Ok(rows::<Number<f64>>(&body)?.into_iter().collect())
            }
            History::Typed(candles, None) => Ok(candles.into_iter().collect()),
        }
    }

    /// Candle history as columns of exact decimals, read from the digits the server wrote
    /// (`"101.50"` stays 101.50, `0.1` is not 0.1000000000000000055): slower than
    /// [`Client::candle_columns`], for users who add prices up rather than plot them.
    pub async fn exact_candle_columns(&self, query: HistoryQuery) -> Result<ExactCandleColumns> {
        match history(self, query).await? {
            History::Typed(_, Some(body)) | History::Untyped(body) => {
                Ok(rows::<Decimal>(&body)?.into_iter().collect())
            }
            // Exact digits come from the body only: never made up from the decoded doubles.
            History::Typed(_, None) => Err(Error::decode(
                "get_candle_history: the answer's body was not kept, so its exact digits are gone",
            )),
        }
    }
}

/// What the history call gave: the generated client's candles when the body fit their schema,
/// with the body as it came; or only the body, when it did not.
enum History {
    Typed(Vec<Candle>, Option<bytes::Bytes>),
    Untyped(bytes::Bytes),
}

async fn history(client: &Client, query: HistoryQuery) -> Result<History> {
    let mut b = client.api().get_candle_history().symbol(query.symbol);
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
    match decode::capturing(b.send()).await {
        (Ok(candles), captured) => Ok(History::Typed(candles.into_inner(), captured.map(|c| c.body))),
        (Err(progenitor_client::Error::InvalidResponsePayload(body, _)), _) => Ok(History::Untyped(body)),
        (Err(e), _) => Err(e.into()),
    }
}

/// The candles of a body in any shape [`Row`] reads, with prices read as `P`.
fn rows<P: DeserializeOwned>(body: &bytes::Bytes) -> Result<Vec<Row<P>>> {
    let Rows(rows) = serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_slice(body))
        .map_err(|e| Error::Decode {
            message: format!("get_candle_history: {}", e.inner()),
            path: Some(format!("${}", e.path())),
            body: Some(RawBody(body.clone())),
            call: Box::default(),
        })?;
    Ok(rows)
}
