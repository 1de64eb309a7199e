//! Business rules of the simulated backend, seen through its HTTP API.

mod common;

use alloy_signer_local::PrivateKeySigner;
use alura_mock::{Config, MockServer};
use common::{get, login, post};
use serde_json::{Value, json};

async fn json_of(r: reqwest::Response) -> (u16, Value) {
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn validation_lists_every_failed_rule() {
    let mock = MockServer::start(Config::default()).unwrap();
    let (t, _) = login(mock.url(), &PrivateKeySigner::random(), None).await;
    let (status, body) = json_of(
        post(
            mock.url(),
            "/trading-sessions",
            Some(&t),
            json!({"budget": 5, "profitTarget": 600, "assetIndex": 0}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "Bad Request");
    assert_eq!(
        body["message"],
        json!(["budget must not be less than 10", "profitTarget must not be greater than 500"])
    );

    let advance =
        json!({"amount": 100, "executionStrategy": "Reckless", "strategyDuration": "2D", "assetIndex": 9});
    let (status, body) =
        json_of(post(mock.url(), "/trading-sessions/advance", Some(&t), advance).await).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["message"],
        json!([
            "executionStrategy must be one of the following values: Conservative, Aggressive, Degen",
            "strategyDuration must be one of the following values: 1D, 3D, 7D, 30D, 90D, 365D",
            "assetIndex must be a valid asset index (0-5)",
        ])
    );

    let (status, body) = json_of(
        post(mock.url(), "/trading-sessions", Some(&t), json!({"budget": "100", "profitTarget": 40})).await,
    )
    .await;
    assert_eq!(status, 400);
    let messages: Vec<&str> =
        body["message"].as_array().unwrap().iter().map(|m| m.as_str().unwrap()).collect();
    assert!(
        messages.contains(&"budget must be a number conforming to the specified constraints"),
        "{messages:?}"
    );
    assert!(messages.contains(&"assetIndex should not be empty"), "{messages:?}");
}

#[tokio::test]
async fn one_active_session_per_asset() {
    let mock = MockServer::start(Config::default()).unwrap();
    let (t, _) = login(mock.url(), &PrivateKeySigner::random(), None).await;
    let quick = json!({"budget": 100, "profitTarget": 40, "assetIndex": 2});
    assert_eq!(post(mock.url(), "/trading-sessions", Some(&t), quick.clone()).await.status(), 201);
    let (status, body) = json_of(post(mock.url(), "/trading-sessions", Some(&t), quick).await).await;
    assert_eq!((status, body["message"].as_str().unwrap()), (400, alura_mock::api::DUPLICATE_ASSET));
    let advance =
        json!({"amount": 50, "executionStrategy": "Degen", "strategyDuration": "7D", "assetIndex": 2});
    assert_eq!(post(mock.url(), "/trading-sessions/advance", Some(&t), advance).await.status(), 400);
    // Another user may trade the same asset.
    let (other, _) = login(mock.url(), &PrivateKeySigner::random(), None).await;
    let quick = json!({"budget": 100, "profitTarget": 40, "assetIndex": 2});
    assert_eq!(post(mock.url(), "/trading-sessions", Some(&other), quick).await.status(), 201);
}

#[tokio::test]
async fn closing_a_trade_closes_its_session_and_frees_the_asset() {
    let mock = MockServer::start(Config::default()).unwrap();
    let (t, _) = login(mock.url(), &PrivateKeySigner::random(), None).await;
    let quick = json!({"budget": 300, "profitTarget": 40, "maxPositions": 2, "assetIndex": 0});
    let (_, session) = json_of(post(mock.url(), "/trading-sessions", Some(&t), quick.clone()).await).await;
    let (_, trade) = json_of(get(mock.url(), "/trading-sessions/current-trade", Some(&t)).await).await;
    assert_eq!(trade["sessionId"], session["id"]);
    assert_eq!(trade["positions"].as_array().unwrap().len(), 2);

    let first = trade["positions"][0]["id"].as_str().unwrap();
    let path = format!("/trading-sessions/positions/{first}/close");
    assert_eq!(post(mock.url(), &path, Some(&t), json!({})).await.status(), 201);
    assert_eq!(post(mock.url(), &path, Some(&t), json!({})).await.status(), 400, "already closed");
    let (_, still) = json_of(get(mock.url(), "/trading-sessions/current-trade", Some(&t)).await).await;
    assert_eq!(still["positions"][0]["status"], "closed");
    assert_eq!(still["status"], "open");

    let close = format!("/trading-sessions/trades/{}/close", trade["id"].as_str().unwrap());
    let (status, closed) = json_of(post(mock.url(), &close, Some(&t), json!({})).await).await;
    assert_eq!((status, closed["closed"].clone()), (201, json!(1)));
    assert_eq!(get(mock.url(), "/trading-sessions/current-trade", Some(&t)).await.status(), 404);
    let (_, active) = json_of(get(mock.url(), "/trading-sessions/active", Some(&t)).await).await;
    assert_eq!(active, json!([]));
    assert_eq!(
        post(mock.url(), "/trading-sessions", Some(&t), quick).await.status(),
        201,
        "asset free again"
    );
}

#[tokio::test]
async fn another_users_session_is_forbidden_and_unknown_ids_are_not_found() {
    let mock = MockServer::start(Config::default()).unwrap();
    let (a, _) = login(mock.url(), &PrivateKeySigner::random(), None).await;
    let (b, _) = login(mock.url(), &PrivateKeySigner::random(), None).await;
    let (_, session) = json_of(
        post(
            mock.url(),
            "/trading-sessions",
            Some(&a),
            json!({"budget": 100, "profitTarget": 40, "assetIndex": 1}),
        )
        .await,
    )
    .await;
    let logs = format!("/trading-sessions/{}/logs", session["id"].as_str().unwrap());
    assert_eq!(get(mock.url(), &logs, Some(&a)).await.status(), 200);
    let (status, body) = json_of(get(mock.url(), &logs, Some(&b)).await).await;
    assert_eq!((status, body["message"].as_str().unwrap()), (403, "Forbidden resource"));
    assert_eq!(get(mock.url(), "/trading-sessions/nope/logs", Some(&a)).await.status(), 404);
    assert_eq!(
        post(mock.url(), "/trading-sessions/trades/nope/close", Some(&a), json!({})).await.status(),
        404
    );
}

#[tokio::test]
async fn trade_logs_are_paginated() {
    let mock = MockServer::start(Config::default()).unwrap();
    let (t, _) = login(mock.url(), &PrivateKeySigner::random(), None).await;
    let body = json!({"budget": 300, "profitTarget": 40, "maxPositions": 3, "assetIndex": 0});
    post(mock.url(), "/trading-sessions", Some(&t), body).await;
    let (_, trade) = json_of(get(mock.url(), "/trading-sessions/current-trade", Some(&t)).await).await;
    let trade_id = trade["id"].as_str().unwrap();
    for p in trade["positions"].as_array().unwrap().iter().take(2) {
        let path = format!("/trading-sessions/positions/{}/close", p["id"].as_str().unwrap());
        post(mock.url(), &path, Some(&t), json!({})).await;
    }
    let url = format!("/trading-sessions/trades/{trade_id}/logs?page=2&limit=2");
    let (_, page) = json_of(get(mock.url(), &url, Some(&t)).await).await;
    assert_eq!(
        (page["page"].clone(), page["limit"].clone(), page["total"].clone()),
        (json!(2), json!(2), json!(3))
    );
    assert_eq!(page["totalPages"], 2);
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
    let bad = format!("/trading-sessions/trades/{trade_id}/logs?limit=500");
    let (status, body) = json_of(get(mock.url(), &bad, Some(&t)).await).await;
    assert_eq!((status, body["message"].clone()), (400, json!(["limit must not be greater than 100"])));
}

#[tokio::test]
async fn money_moves_and_is_checked() {
    let mock = MockServer::start(Config::default()).unwrap();
    let (t, _) = login(mock.url(), &PrivateKeySigner::random(), None).await;
    let tx = format!("0x{}", "12".repeat(32));
    let (status, deposit) =
        json_of(post(mock.url(), "/usdc-verification/verify", Some(&t), json!({"txHash": tx})).await).await;
    assert_eq!(status, 201);
    let amount = deposit["amount"].as_f64().unwrap();
    assert_eq!(
        post(mock.url(), "/usdc-verification/verify", Some(&t), json!({"txHash": tx})).await.status(),
        409
    );
    let (_, total) = json_of(get(mock.url(), "/usdc-verification/total-deposited", Some(&t)).await).await;
    assert_eq!(total, json!({"total": amount, "count": 1}));
    let too_much = json!({"amount": alura_mock::STARTING_BALANCE + amount + 1.0});
    let (status, body) = json_of(post(mock.url(), "/user/withdraw", Some(&t), too_much).await).await;
    assert_eq!((status, body["message"].as_str().unwrap()), (400, "Insufficient balance"));
    assert_eq!(post(mock.url(), "/user/withdraw", Some(&t), json!({"amount": 100})).await.status(), 201);
    let (_, profile) = json_of(get(mock.url(), "/user/profile", Some(&t)).await).await;
    assert_eq!(profile["balance"].as_f64().unwrap(), alura_mock::STARTING_BALANCE + amount - 100.0);
}

#[tokio::test]
async fn candle_history_serves_a_hundred_thousand_candles() {
    let mock = MockServer::start(Config::default()).unwrap();
    let url = "/api/indicators/candles/history/ETH?interval=1m&limit=100000&endTime=1700000000000";
    let (status, candles) = json_of(get(mock.url(), url, None).await).await;
    assert_eq!(status, 200);
    let candles = candles.as_array().unwrap();
    assert_eq!(candles.len(), 100_000);
    assert_eq!(candles.last().unwrap()["openTime"], 1_700_000_000_000i64 / 60_000 * 60_000);
    let (_, again) = json_of(get(mock.url(), url, None).await).await;
    assert_eq!(candles[500], again[500], "deterministic");
    assert_eq!(get(mock.url(), "/api/indicators/candles/history/ETH?limit=100001", None).await.status(), 400);
    assert_eq!(get(mock.url(), "/api/indicators/candles/history/PEPE", None).await.status(), 404);
}
