//! The Rust trader: candles, sessions opened and trades closed with idempotency keys, sessions
//! listed, logs read through pages, for as long as the run lasts; every call printed as it ends
//! (see [`crate::protocol`]). `traders/trader.py` and `traders/trader.mjs` do the same mix.

use std::io::Write;
use std::time::{Duration, Instant};

use alloy_signer_local::PrivateKeySigner;
use alura::{CallOptions, Client, Error};
use anyhow::Result;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Map, Value, json};

use crate::protocol::{Call, DEADLINE, TIMEOUT, TraderArgs};

const SYMBOLS: [&str; 6] = ["BTC", "ETH", "SOL", "XRP", "DOGE", "AVAX"];

pub async fn run(args: TraderArgs) -> Result<()> {
    let until = Instant::now() + Duration::from_secs(args.duration);
    let clients: Vec<_> = (0..args.clients)
        .map(|who| {
            let client = Client::builder()
                .base_url(&args.url)
                .signer(PrivateKeySigner::random())
                .timeout(TIMEOUT)
                .retry(alura::RetryPolicy { deadline: DEADLINE, ..alura::RetryPolicy::default() })
                .build()
                .expect("a client for the simulator");
            tokio::spawn(trade(client, who, until, args.seed))
        })
        .collect();
    for client in clients {
        client.await?;
    }
    Ok(())
}

async fn trade(client: Client, who: usize, until: Instant, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed ^ (who as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
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
        let started = Instant::now();
        let outcome = call(&client, operation, args, key.clone()).await;
        let error = match &outcome {
            Ok(value) => {
                if operation == "get_current_trade" {
                    trade_id = value.get("id").and_then(Value::as_str).map(str::to_owned);
                }
                None
            }
            Err(e) => Some(e.kind().to_owned()),
        };
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        print(&Call { op: operation.to_owned(), ms, error, key });
    }
}

fn print(call: &Call) {
    let mut line = serde_json::to_vec(call).expect("a call is JSON");
    line.push(b'\n');
    // One write a line, under stdout's lock: lines from several clients never interleave.
    let _ = std::io::stdout().lock().write_all(&line);
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
