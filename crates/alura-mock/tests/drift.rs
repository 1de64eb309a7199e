//! Drift mode: the same state answered as a backend that drifts from the spec, which a client
//! reading only what it needs still gets through.

mod common;

use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use alura_mock::{Config, MockServer};
use common::{get, http, login, post};
use serde_json::{Map, Value, json};

async fn json_at(base: &str, path: &str, token: Option<&str>) -> Value {
    let r = get(base, path, token).await;
    assert!(r.status().is_success(), "{path}: {}", r.status());
    r.json().await.unwrap()
}

/// Every object in `v`, depth first, with its path.
fn objects<'a>(v: &'a Value, path: String, out: &mut Vec<(String, &'a Map<String, Value>)>) {
    match v {
        Value::Object(m) => {
            out.push((path.clone(), m));
            for (k, v) in m {
                objects(v, format!("{path}.{k}"), out);
            }
        }
        Value::Array(a) => a.iter().enumerate().for_each(|(i, v)| objects(v, format!("{path}[{i}]"), out)),
        _ => {}
    }
}

/// How `drifted` differs from `plain`, object by object: (added, missing, nulled, stringified).
fn differences(plain: &Value, drifted: &Value) -> (Vec<String>, Vec<String>, Vec<String>, Vec<String>) {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    objects(plain, String::new(), &mut a);
    objects(drifted, String::new(), &mut b);
    let (mut added, mut missing, mut nulled, mut strings) = (vec![], vec![], vec![], vec![]);
    for (path, p) in &a {
        let Some((_, d)) = b.iter().find(|(q, _)| q == path) else { continue };
        added.extend(d.keys().filter(|k| !p.contains_key(*k)).map(|k| format!("{path}.{k}")));
        for (k, v) in *p {
            match d.get(k) {
                None => missing.push(format!("{path}.{k}")),
                Some(Value::Null) if !v.is_null() => nulled.push(format!("{path}.{k}")),
                Some(Value::String(s)) if v.is_number() => {
                    // Prices move between the two reads; the candles below are compared exactly.
                    assert!(s.parse::<f64>().is_ok(), "{path}.{k} = {s:?} is not a decimal");
                    strings.push(format!("{path}.{k}"));
                }
                _ => {}
            }
        }
    }
    (added, missing, nulled, strings)
}

#[tokio::test]
async fn drift_reshapes_answers_in_every_way_but_keeps_what_clients_need() {
    let mock = MockServer::start(Config::default()).unwrap();
    let base = mock.url();
    let wallet = PrivateKeySigner::random();
    let (token, _) = login(base, &wallet, None).await;
    let body = json!({"budget": 100, "profitTarget": 40, "maxPositions": 2, "assetIndex": 0});
    assert_eq!(post(base, "/trading-sessions", Some(&token), body).await.status(), 201);
    // Fixed end time: these candles are the same whenever they are asked for.
    let candles = "/api/indicators/candles/history/BTC?interval=1h&limit=3&endTime=1700000000000";
    let paths = ["/trading-sessions/current-trade", "/trading-sessions/active", "/user/profile", candles];

    let mut plain = Vec::new();
    for path in paths {
        plain.push(json_at(base, path, Some(&token)).await);
    }
    mock.set_drift(true);
    let (mut added, mut missing, mut nulled, mut strings) = (vec![], vec![], vec![], vec![]);
    for (path, plain) in paths.iter().zip(&plain) {
        let drifted = json_at(base, path, Some(&token)).await;
        let (a, m, n, s) = differences(plain, &drifted);
        added.extend(a);
        missing.extend(m);
        nulled.extend(n);
        strings.extend(s);
        // Ids, statuses, symbols and time keys are carried over untouched.
        let (mut p, mut d) = (Vec::new(), Vec::new());
        objects(plain, String::new(), &mut p);
        objects(&drifted, String::new(), &mut d);
        for (path, p) in &p {
            let (_, d) = d.iter().find(|(q, _)| q == path).unwrap_or_else(|| panic!("{path} is gone"));
            for key in p.keys().filter(|k| {
                ["id", "status", "symbol", "openTime", "closeTime"].contains(&k.as_str()) || k.ends_with("Id")
            }) {
                assert_eq!(p.get(key), d.get(key), "{path}.{key}");
            }
        }
        if *path == candles {
            for (p, d) in plain.as_array().unwrap().iter().zip(drifted.as_array().unwrap()) {
                for key in ["open", "high", "low", "close", "volume"] {
                    let s = d[key].as_str().unwrap();
                    assert!(
                        (s.parse::<f64>().unwrap() - p[key].as_f64().unwrap()).abs() < 1e-6,
                        "{key}: {s}"
                    );
                }
            }
        }
    }
    assert!(added.iter().any(|k| k == ".meta"), "a top-level extra field: {added:?}");
    assert!(added.iter().any(|k| k.starts_with(".positions[0].")), "a nested extra field: {added:?}");
    assert!(!missing.is_empty(), "an optional field left out");
    assert!(!nulled.is_empty(), "an optional field null");
    for decimal in ["[0].open", "[0].high", "[0].low", "[0].close", "[0].volume"] {
        assert!(strings.contains(&decimal.to_owned()), "{decimal} as a string: {strings:?}");
    }
    assert!(strings.len() > 5, "money as strings too: {strings:?}");

    // verify: the token stays a string, the user is cut to its address.
    let other = PrivateKeySigner::random();
    let verify: Value = common::sign_in(base, &other, None).await.json().await.unwrap();
    assert!(verify["accessToken"].is_string());
    assert_eq!(verify["user"], json!({"address": other.address().to_checksum(None)}));
    assert_eq!(verify["expiresIn"], 86_400);
}

#[tokio::test]
async fn the_same_seed_drifts_the_same_way() {
    // The shape of a profile: each field, and whether it is null, a string or something else.
    let mut shapes = Vec::new();
    for seed in [7, 7, 8, 9, 10, 11] {
        let mock = MockServer::start(Config { seed, drift: true, ..Config::default() }).unwrap();
        let token = common::token(mock.url(), &PrivateKeySigner::random()).await;
        let profile = json_at(mock.url(), "/user/profile", Some(&token)).await;
        let shape: Vec<(String, &str)> = profile
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    if v.is_null() {
                        "null"
                    } else if v.is_string() {
                        "string"
                    } else {
                        "other"
                    },
                )
            })
            .collect();
        shapes.push(shape);
    }
    assert_eq!(shapes[0], shapes[1], "seed 7 twice");
    assert!(shapes[2..].iter().any(|s| *s != shapes[0]), "other seeds drift other fields: {shapes:#?}");
}

/// Reads only what a client needs, from drifted answers: ids, the token, statuses.
#[tokio::test]
async fn a_client_completes_its_flow_against_drifted_answers() {
    let mock = MockServer::start(Config { drift: true, ..Config::default() }).unwrap();
    let base = mock.url();
    let wallet = PrivateKeySigner::random();
    let address = wallet.address().to_checksum(None);

    let challenge = post(base, "/auth/evm/challenge", None, json!({"address": address})).await;
    assert_eq!(challenge.status(), 201);
    let challenge: Value = challenge.json().await.unwrap();
    assert_eq!(challenge["address"], address.as_str());
    assert!(challenge["nonce"].is_string());
    let message = challenge["message"].as_str().unwrap();
    let signature = wallet.sign_message_sync(message.as_bytes()).unwrap().to_string();
    let verify =
        post(base, "/auth/evm/verify", None, json!({"address": address, "signature": signature})).await;
    assert_eq!(verify.status(), 201);
    let verify: Value = verify.json().await.unwrap();
    let token = verify["accessToken"].as_str().unwrap();

    let body = json!({"budget": 250, "profitTarget": 40, "maxPositions": 2, "assetIndex": 1});
    let session = post(base, "/trading-sessions", Some(token), body).await;
    assert_eq!(session.status(), 201);
    let session: Value = session.json().await.unwrap();
    let session_id = session["id"].as_str().unwrap();
    assert_eq!(session["status"], "active");

    let trade = json_at(base, "/trading-sessions/current-trade", Some(token)).await;
    assert_eq!(trade["sessionId"], session_id);
    assert_eq!(trade["status"], "open");
    let trade_id = trade["id"].as_str().unwrap();
    for p in trade["positions"].as_array().unwrap() {
        assert!(p["id"].is_string() && p["status"] == "open", "{p}");
    }

    let close =
        post(base, &format!("/trading-sessions/trades/{trade_id}/close"), Some(token), json!({})).await;
    assert_eq!(close.status(), 201);
    let close: Value = close.json().await.unwrap();
    assert_eq!(close["success"], true);
    assert_eq!(get(base, "/trading-sessions/current-trade", Some(token)).await.status(), 404);
    let logs = json_at(base, &format!("/trading-sessions/{session_id}/logs"), Some(token)).await;
    assert!(logs.as_array().unwrap().iter().all(|l| l["id"].is_string() && l["message"].is_string()));

    let candles = json_at(base, "/api/indicators/candles/BTC/1h?limit=5", None).await;
    let candles = candles.as_array().unwrap();
    assert_eq!(candles.len(), 5);
    for pair in candles.windows(2) {
        assert_eq!(pair[1]["openTime"].as_i64().unwrap() - pair[0]["openTime"].as_i64().unwrap(), 3_600_000);
    }
    let close: f64 = candles[4]["close"].as_str().unwrap().parse().unwrap();
    assert!(close > 0.0);
}

#[tokio::test]
async fn control_docs_and_error_answers_are_never_drifted() {
    let mock = MockServer::start(Config::default()).unwrap();
    let base = mock.url();
    let docs = get(base, "/api/docs-json", None).await.text().await.unwrap();
    mock.set_drift(true);
    assert_eq!(get(base, "/api/docs-json", None).await.text().await.unwrap(), docs);

    let control = |path: &str| format!("{base}/__mock/{path}");
    get(base, "/health", None).await;
    let counters: Value = http().get(control("counters")).send().await.unwrap().json().await.unwrap();
    assert_eq!(counters, json!({"health_check": 1}));
    let log: Value = http().get(control("requests")).send().await.unwrap().json().await.unwrap();
    let keys: Vec<&str> = log[0].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "seq",
            "operation",
            "method",
            "path",
            "query",
            "idempotencyKey",
            "bodySha256",
            "body",
            "atMs",
            "status",
            "fault"
        ]
    );
    let clock: Value = http()
        .post(control("clock"))
        .json(&json!({"advanceMs": 0}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(clock.as_object().unwrap().keys().collect::<Vec<_>>(), ["nowMs"]);

    let missing: Value = get(base, "/trading-sessions/current-trade", None).await.json().await.unwrap();
    assert_eq!(missing, json!({"statusCode": 401, "message": "Unauthorized"}));
}

#[tokio::test]
async fn drift_is_switched_over_http_and_reset_restores_the_configured_mode() {
    let mock = MockServer::start(Config::default()).unwrap();
    let base = mock.url();
    let url = format!("{base}/__mock/drift");
    let switch = |enabled: bool| http().post(&url).json(&json!({"enabled": enabled})).send();
    let health = || async { json_at(base, "/health", None).await };

    assert_eq!(
        http().get(&url).send().await.unwrap().json::<Value>().await.unwrap(),
        json!({"enabled": false})
    );
    assert!(health().await.get("meta").is_none());
    let r = switch(true).await.unwrap();
    assert_eq!((r.status().as_u16(), r.json::<Value>().await.unwrap()), (200, json!({"enabled": true})));
    assert!(health().await["meta"].is_object());
    switch(false).await.unwrap();
    assert!(health().await.get("meta").is_none());

    switch(true).await.unwrap();
    assert_eq!(http().post(format!("{base}/__mock/reset")).send().await.unwrap().status(), 204);
    assert!(health().await.get("meta").is_none(), "reset goes back to Config::drift (off)");
    let bad = http().post(&url).json(&json!({"enabled": "yes"})).send().await.unwrap();
    assert!(bad.status().is_client_error());
}
