//! `/api/indicators`: public market data from the deterministic market.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use serde_json::{Value, json};

use crate::Shared;
use crate::api::routes::{Handler, op};
use crate::error::{ApiError, ApiResult};
use crate::market::{self, ASSETS, Candle};
use crate::state::MAX_DATE_MS;
use crate::validate::query_int;

/// The most candles one history call returns (enough for the 100,000-candle benchmark).
pub const HISTORY_MAX: usize = 100_000;
const CANDLES_MAX: usize = 1000;

/// The handlers of this controller's operations; paths and methods come from the operation table.
pub(crate) fn handlers() -> Vec<Handler> {
    vec![
        op("get_indicators_health", health),
        op("get_latest_candles", latest),
        op("get_candle_history", history),
        op("get_candles", candles),
        op("get_symbols", symbols),
        op("get_signals", signals),
        op("get_all_signals", all_signals),
    ]
}

type Params = Query<HashMap<String, String>>;

fn asset(symbol: &str) -> ApiResult<usize> {
    market::asset_by_symbol(symbol).ok_or_else(|| ApiError::not_found(format!("Symbol {symbol} not found")))
}

fn interval(name: &str) -> ApiResult<&str> {
    match market::interval_ms(name) {
        Some(_) => Ok(name),
        None => Err(ApiError::validation(vec![format!(
            "interval must be one of the following values: {}",
            market::interval_names().join(", ")
        )])),
    }
}

/// A whole number from the query string, within `min..=max`.
fn int(query: &HashMap<String, String>, name: &str, min: i64, max: i64) -> ApiResult<Option<i64>> {
    query_int(query, name, min, max).map_err(|e| ApiError::validation(vec![e]))
}

async fn health(State(shared): State<Arc<Shared>>) -> Json<Value> {
    let now = shared.clock.now_ms();
    Json(
        json!({"status": "ok", "info": {"indicators": {"status": "up", "symbols": ASSETS.len(), "time": now}}}),
    )
}

async fn latest(State(shared): State<Arc<Shared>>, Query(q): Params) -> ApiResult<Json<Vec<Candle>>> {
    let interval = interval(q.get("interval").map_or("1m", String::as_str))?;
    let assets: Vec<usize> = match q.get("symbols").filter(|s| !s.is_empty()) {
        None => (0..ASSETS.len()).collect(),
        Some(list) => list
            .split(',')
            .map(|s| {
                market::asset_by_symbol(s.trim())
                    .ok_or_else(|| ApiError::validation(vec![format!("Unknown symbol: {}", s.trim())]))
            })
            .collect::<ApiResult<_>>()?,
    };
    let now = shared.clock.now_ms();
    let out: Vec<_> =
        assets.into_iter().flat_map(|a| shared.market.candles(a, interval, None, now, 1)).collect();
    Ok(Json(out))
}

async fn history(
    State(shared): State<Arc<Shared>>,
    Path(symbol): Path<String>,
    Query(q): Params,
) -> ApiResult<Json<Vec<Candle>>> {
    let asset = asset(&symbol)?;
    let interval = interval(q.get("interval").map_or("1m", String::as_str))?;
    // Times a JavaScript Date can hold: the backend's `new Date(n)` is invalid past them.
    let start = int(&q, "startTime", 0, MAX_DATE_MS)?;
    let end = int(&q, "endTime", 0, MAX_DATE_MS)?.unwrap_or_else(|| shared.clock.now_ms());
    let limit = int(&q, "limit", 1, HISTORY_MAX as i64)?.map_or(1000, |n| n as usize);
    if start.is_some_and(|s| s > end) {
        return Err(ApiError::bad_request("startTime must not be after endTime"));
    }
    // Serialized straight from the structs: through a `Value` tree, 100,000 candles took the
    // simulator about 0.3 s, which hid the client's own decoding in the benchmark.
    Ok(Json(shared.market.candles(asset, interval, start, end, limit)))
}

async fn candles(
    State(shared): State<Arc<Shared>>,
    Path((symbol, name)): Path<(String, String)>,
    Query(q): Params,
) -> ApiResult<Json<Vec<Candle>>> {
    let asset = asset(&symbol)?;
    let interval = interval(&name)?;
    let limit = int(&q, "limit", 1, CANDLES_MAX as i64)?.map_or(100, |n| n as usize);
    Ok(Json(shared.market.candles(asset, interval, None, shared.clock.now_ms(), limit)))
}

async fn symbols() -> Json<Value> {
    Json(json!({"symbols": ASSETS.iter().map(|(s, _)| *s).collect::<Vec<_>>()}))
}

fn signal_json(shared: &Shared, asset: usize, interval: &str) -> Value {
    let now = shared.clock.now_ms();
    let candles = shared.market.candles(asset, interval, None, now, 25);
    let (signal, strength, fast, slow, rsi) = market::signal(&candles);
    let timestamp = candles.last().map_or(now, |c| c.open_time);
    json!({
        "symbol": ASSETS[asset].0, "interval": interval, "signal": signal, "strength": strength,
        "indicators": {"smaFast": fast, "smaSlow": slow, "rsi": rsi}, "timestamp": timestamp,
    })
}

async fn signals(
    State(shared): State<Arc<Shared>>,
    Path((symbol, name)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let asset = asset(&symbol)?;
    let interval = interval(&name)?;
    Ok(Json(signal_json(&shared, asset, interval)))
}

async fn all_signals(State(shared): State<Arc<Shared>>, Path(name): Path<String>) -> ApiResult<Json<Value>> {
    let interval = interval(&name)?;
    Ok(Json(json!((0..ASSETS.len()).map(|a| signal_json(&shared, a, interval)).collect::<Vec<_>>())))
}
