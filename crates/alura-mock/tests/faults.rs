//! Each fault kind, observed on the wire by a raw client, and the request log that records it.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use alloy_signer_local::PrivateKeySigner;
use alura_mock::{Config, Fault, MockServer};
use common::{get, http, login, post};
use serde_json::{Value, json};

fn status(code: u16, headers: &[(&str, &str)]) -> Fault {
    Fault::Status {
        status: code,
        headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<BTreeMap<_, _>>(),
        body: None,
    }
}

#[tokio::test]
async fn a_queued_status_is_answered_once_with_its_headers() {
    let mock = MockServer::start(Config::default()).unwrap();
    mock.inject("get_symbols", [status(429, &[("Retry-After", "1")])]);
    let r = get(mock.url(), "/api/indicators/candles/aggregated/symbols", None).await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "1");
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body,
        json!({"statusCode": 429, "message": "Too Many Requests", "error": "Too Many Requests"})
    );
    assert_eq!(get(mock.url(), "/api/indicators/candles/aggregated/symbols", None).await.status(), 200);
    let log = mock.requests(Some("get_symbols"));
    assert_eq!(
        log.iter().map(|r| (r.status, r.fault.clone())).collect::<Vec<_>>(),
        vec![(Some(429), Some("status".to_owned())), (Some(200), None)]
    );
}

#[tokio::test]
async fn a_burst_of_503_then_success() {
    let mock = MockServer::start(Config::default()).unwrap();
    mock.inject("health_check", [status(503, &[]), status(503, &[])]);
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(get(mock.url(), "/health", None).await.status().as_u16());
    }
    assert_eq!(statuses, [503, 503, 200]);
    assert_eq!(mock.counters()["health_check"], 3);
}

#[tokio::test]
async fn a_closed_connection_gives_no_response_but_the_request_arrived() {
    let mock = MockServer::start(Config::default()).unwrap();
    mock.inject("health_check", [Fault::Close]);
    let err = http().get(format!("{}/health", mock.url())).send().await.unwrap_err();
    assert!(
        !err.is_timeout() && !err.is_connect(),
        "the request was sent, then the connection dropped: {err:?}"
    );
    let log = mock.requests(Some("health_check"));
    assert_eq!(log.len(), 1);
    assert_eq!((log[0].status, log[0].fault.as_deref()), (None, Some("close")));
    assert_eq!(get(mock.url(), "/health", None).await.status(), 200, "the next connection is served");
}

#[tokio::test]
async fn a_delay_outlasts_a_client_timeout() {
    let mock = MockServer::start(Config::default()).unwrap();
    mock.inject("health_check", [Fault::Delay { ms: 1500 }]);
    let client = reqwest::Client::builder().no_proxy().timeout(Duration::from_millis(200)).build().unwrap();
    let err = client.get(format!("{}/health", mock.url())).send().await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(mock.requests(Some("health_check")).len(), 1, "logged on arrival");
}

#[tokio::test]
async fn truncated_and_malformed_bodies_do_not_parse() {
    let mock = MockServer::start(Config::default()).unwrap();
    mock.inject("get_symbols", [Fault::Truncated, Fault::Malformed]);
    let url = "/api/indicators/candles/aggregated/symbols";
    for kind in ["truncated", "malformed"] {
        let r = get(mock.url(), url, None).await;
        assert_eq!(r.status(), 200, "{kind}");
        let text = r.text().await.unwrap();
        assert!(serde_json::from_str::<Value>(&text).is_err(), "{kind}: {text}");
    }
    let whole: Value = get(mock.url(), url, None).await.json().await.unwrap();
    assert_eq!(whole["symbols"][0], "BTC");
}

#[tokio::test]
async fn an_expired_token_fault_revokes_the_token() {
    let mock = MockServer::start(Config::default()).unwrap();
    let (token, _) = login(mock.url(), &PrivateKeySigner::random(), None).await;
    mock.inject("get_profile", [Fault::ExpiredToken]);
    assert_eq!(get(mock.url(), "/user/profile", Some(&token)).await.status(), 401);
    assert_eq!(get(mock.url(), "/user/profile", Some(&token)).await.status(), 401, "still refused");
    let (fresh, _) = login(mock.url(), &PrivateKeySigner::random(), None).await;
    assert_eq!(get(mock.url(), "/user/profile", Some(&fresh)).await.status(), 200);
}

#[tokio::test]
async fn the_log_keeps_idempotency_keys_and_body_hashes() {
    let mock = MockServer::start(Config::default()).unwrap();
    for _ in 0..2 {
        http()
            .post(format!("{}/referrals/check", mock.url()))
            .header("Idempotency-Key", "key-1")
            .json(&json!({"code": "NOPE"}))
            .send()
            .await
            .unwrap();
    }
    post(mock.url(), "/referrals/check", None, json!({"code": "OTHER"})).await;
    let log = mock.requests(Some("check_referral_code"));
    assert_eq!(log.len(), 3);
    assert_eq!(log[0].idempotency_key.as_deref(), Some("key-1"));
    assert_eq!(log[0].body_sha256, log[1].body_sha256);
    assert_ne!(log[0].body_sha256, log[2].body_sha256);
    assert!(log[0].at_ms <= log[1].at_ms);
    assert_eq!((log[0].method.as_str(), log[0].path.as_str()), ("POST", "/referrals/check"));
}

#[tokio::test]
async fn faults_and_the_log_work_over_http_for_other_languages() {
    let mock = MockServer::start(Config::default()).unwrap();
    let control = |path: &str| format!("{}/__mock/{path}", mock.url());
    let faults = json!({"operation": "health_check", "faults": [
        {"kind": "status", "status": 503, "headers": {"Retry-After": "2"}}, {"kind": "delay", "ms": 10}
    ]});
    assert_eq!(http().post(control("faults")).json(&faults).send().await.unwrap().status(), 204);
    let bad = json!({"operation": "no_such_op", "faults": []});
    assert_eq!(http().post(control("faults")).json(&bad).send().await.unwrap().status(), 400);
    let r = get(mock.url(), "/health", None).await;
    assert_eq!((r.status().as_u16(), r.headers()["retry-after"].to_str().unwrap()), (503, "2"));
    assert_eq!(get(mock.url(), "/health", None).await.status(), 200);
    let log: Value =
        http().get(control("requests?operation=health_check")).send().await.unwrap().json().await.unwrap();
    assert_eq!(log.as_array().unwrap().len(), 2);
    assert_eq!(log[0]["fault"], "status");
    assert_eq!(log[1]["fault"], "delay");
    let counters: Value = http().get(control("counters")).send().await.unwrap().json().await.unwrap();
    assert_eq!(counters, json!({"health_check": 2}));
    assert_eq!(http().post(control("reset")).send().await.unwrap().status(), 204);
    assert!(mock.requests(None).is_empty());
}

#[tokio::test]
async fn the_throttler_answers_like_nestjs_throttler_with_its_headers() {
    let throttle: alura_mock::Throttle = "3/2s".parse().unwrap();
    let mock = MockServer::start(Config { rate_limit: Some(throttle), ..Config::default() }).unwrap();
    let mut seen = Vec::new();
    for _ in 0..5 {
        let r = get(mock.url(), "/health", None).await;
        let header = |name: &str| r.headers()[name].to_str().unwrap().to_owned();
        assert_eq!(header("x-ratelimit-limit"), "3");
        assert_eq!(header("x-ratelimit-reset"), "2", "seconds until the window ends, rounded up");
        let retry_after = r.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
        seen.push((r.status().as_u16(), header("x-ratelimit-remaining"), retry_after));
    }
    let refused = |left: &str| (429, left.to_owned(), Some("2".to_owned()));
    assert_eq!(
        seen,
        [
            (200, "2".into(), None),
            (200, "1".into(), None),
            (200, "0".into(), None),
            refused("0"),
            refused("0")
        ]
    );
    let body: Value = get(mock.url(), "/health", None).await.json().await.unwrap();
    assert_eq!(body, json!({"statusCode": 429, "message": "ThrottlerException: Too Many Requests"}));
    mock.advance_clock(Duration::from_secs(2));
    assert_eq!(get(mock.url(), "/health", None).await.status(), 200, "a new window");
}

#[tokio::test]
async fn reset_forgets_users_and_tokens() {
    let mock = MockServer::start(Config::default()).unwrap();
    let (token, _) = login(mock.url(), &PrivateKeySigner::random(), None).await;
    mock.reset();
    assert_eq!(get(mock.url(), "/user/profile", Some(&token)).await.status(), 401);
    let stats: Value = get(mock.url(), "/api/leaderboard/stats", None).await.json().await.unwrap();
    assert_eq!(stats["totalUsers"], 0);
}

#[tokio::test]
async fn the_request_log_file_outlives_the_server_and_holds_what_was_answered() {
    let dir = std::env::temp_dir().join(format!("alura-mock-journal-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("requests.jsonl");
    let _ = std::fs::remove_file(&path);
    let config = || Config { request_log: Some(path.clone()), ..Config::default() };
    let mock = MockServer::start(config()).unwrap();
    mock.inject("get_symbols", [status(503, &[])]);
    let symbols = "/api/indicators/candles/aggregated/symbols";
    assert_eq!(get(mock.url(), symbols, None).await.status(), 503);
    assert_eq!(get(mock.url(), symbols, None).await.status(), 200);
    // A connection closed without an answer was not answered: it is not in the file.
    mock.inject("get_symbols", [Fault::Close]);
    assert!(http().get(format!("{}{symbols}", mock.url())).send().await.is_err());
    drop(mock);
    // A second life appends to the same file.
    let mock = MockServer::start(config()).unwrap();
    assert_eq!(get(mock.url(), symbols, None).await.status(), 200);
    drop(mock);
    let lines: Vec<alura_mock::RequestRecord> = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let statuses: Vec<_> = lines.iter().map(|r| (r.operation.as_str(), r.status)).collect();
    assert_eq!(
        statuses,
        [("get_symbols", Some(503)), ("get_symbols", Some(200)), ("get_symbols", Some(200))]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
