//! One client's trading: candles, sessions opened and trades closed with idempotency keys,
//! sessions listed, logs read through pages, for as long as the run lasts; every call recorded.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::RwLock;

use alura::{CallOptions, Client, Error};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Map, Value, json};

/// One call as the client saw it.
#[derive(Debug, Clone)]
pub struct Call {
    pub operation: &'static str,
    pub elapsed: Duration,
    /// `None` when it succeeded, else the error's class (`InternalError` for a panic).
    pub error: Option<&'static str>,
    pub idempotency_key: Option<String>,
}

const SYMBOLS: [&str; 6] = ["BTC", "ETH", "SOL", "XRP", "DOGE", "AVAX"];

pub async fn trade(
    client: Client,
    who: usize,
    until: Instant,
    seed: u64,
    gate: Arc<RwLock<()>>,
) -> Vec<Call> {
    let mut rng = StdRng::seed_from_u64(seed ^ (who as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let mut calls = Vec::new();
    let mut trade_id: Option<String> = None;
    while Instant::now() < until {
        let roll = rng.random_range(0..100);
        let symbol = SYMBOLS[rng.random_range(0..SYMBOLS.len())];
        let (operation, args, post): (&'static str, Value, bool) = match roll {
            0..30 => ("get_candles", json!({"symbol": symbol, "interval": "1h", "limit": 24}), false),
            30..55 => (
                "create_trading_session",
                json!({"budget": rng.random_range(10..40), "profitTarget": 40, "assetIndex": symbol}),
                true,
            ),
            55..70 => match trade_id.take() {
                Some(id) => ("close_trade", json!({"tradeId": id}), true),
                None => ("get_current_trade", json!({}), false),
            },
            70..85 => ("list_active_sessions", json!({}), false),
            _ => match &trade_id {
                Some(id) => (
                    "get_trade_logs",
                    json!({"tradeId": id, "page": rng.random_range(1..3), "limit": 5}),
                    false,
                ),
                None => ("get_current_trade", json!({}), false),
            },
        };
        let key = post.then(alura::new_idempotency_key);
        let open = gate.read().await;
        let started = Instant::now();
        let outcome = call(&client, operation, args, key.clone()).await;
        drop(open);
        let error = match &outcome {
            Ok(value) => {
                if operation == "get_current_trade" {
                    trade_id = value.get("id").and_then(Value::as_str).map(str::to_owned);
                }
                None
            }
            Err(e) => Some(e.kind()),
        };
        calls.push(Call { operation, elapsed: started.elapsed(), error, idempotency_key: key });
    }
    calls
}

async fn call(
    client: &Client,
    operation: &'static str,
    args: Value,
    key: Option<String>,
) -> Result<Value, Error> {
    let Value::Object(args) = args else { unreachable!("arguments are an object") };
    let client = match key {
        Some(key) => {
            client.with_call_options(&CallOptions { idempotency_key: Some(key), ..CallOptions::default() })?
        }
        None => client.clone(),
    };
    let args: Map<String, Value> = args;
    // A panic in the SDK is a failed invariant, not a crashed soak.
    let run = tokio::spawn(async move { client.call(operation, args).await?.to_value() });
    match run.await {
        Ok(outcome) => outcome,
        Err(e) if e.is_panic() => Err(Error::from_panic(&*e.into_panic())),
        Err(e) => Err(Error::from_panic(&e.to_string())),
    }
}
