//! The hostile-server fault kinds, each queued in its JSON form over `POST /__mock/faults` and
//! observed on the wire by a raw client.

mod common;

use std::time::{Duration, Instant};

use alloy_signer_local::PrivateKeySigner;
use alura_mock::{Config, MockServer};
use common::{get, http, post, sign_in};
use serde_json::{Value, json};

const SYMBOLS: &str = "/api/indicators/candles/aggregated/symbols";

/// Queues `faults` for `operation` the way a test in any language does.
async fn inject(mock: &MockServer, operation: &str, faults: Value) {
    let body = json!({"operation": operation, "faults": faults});
    let r = http().post(format!("{}/__mock/faults", mock.url())).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 204, "{body}");
}

#[tokio::test]
async fn redirect_answers_with_the_location_instead_of_handling() {
    let mock = MockServer::start(Config::default()).unwrap();
    let location = format!("{}/x", mock.url());
    inject(&mock, "get_symbols", json!([{"kind": "redirect", "status": 307, "location": location}])).await;
    let client =
        reqwest::Client::builder().no_proxy().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let r = client.get(format!("{}{SYMBOLS}", mock.url())).send().await.unwrap();
    assert_eq!(r.status(), 307);
    assert_eq!(r.headers()["location"], location.as_str());
    assert_eq!(get(mock.url(), SYMBOLS, None).await.status(), 200, "used once");

    // A redirected login never reached the handler: no challenge was issued.
    inject(
        &mock,
        "request_challenge",
        json!([{"kind": "redirect", "status": 308, "location": "/elsewhere"}]),
    )
    .await;
    let address = PrivateKeySigner::random().address().to_checksum(None);
    let r = client.post(format!("{}/auth/evm/challenge", mock.url())).json(&json!({"address": address}));
    let r = r.send().await.unwrap();
    assert_eq!((r.status().as_u16(), r.headers()["location"].to_str().unwrap()), (308, "/elsewhere"));
    let log = mock.requests(Some("request_challenge"));
    assert_eq!((log[0].status, log[0].fault.as_deref()), (Some(308), Some("redirect")));
}

#[tokio::test]
async fn html_is_a_cdn_error_page_with_its_headers() {
    let mock = MockServer::start(Config::default()).unwrap();
    inject(
        &mock,
        "get_symbols",
        json!([{"kind": "html", "status": 502}, {"kind": "html", "status": 503, "headers": {"Retry-After": "7"}}]),
    )
    .await;
    let r = get(mock.url(), SYMBOLS, None).await;
    assert_eq!(r.status(), 502);
    assert_eq!(r.headers()["content-type"], "text/html");
    let page = r.text().await.unwrap();
    assert!(page.starts_with("<html>") && page.contains("502 Bad Gateway"), "{page}");
    assert!(serde_json::from_str::<Value>(&page).is_err());
    let r = get(mock.url(), SYMBOLS, None).await;
    assert_eq!((r.status().as_u16(), r.headers()["retry-after"].to_str().unwrap()), (503, "7"));
}

#[tokio::test]
async fn raw_answers_exactly_what_it_is_given() {
    let mock = MockServer::start(Config::default()).unwrap();
    inject(
        &mock,
        "get_profile",
        json!([
            {"kind": "raw", "status": 200, "headers": {"Content-Type": "application/json"}, "body": "{\"id\": 1,}"},
            {"kind": "raw", "status": 401},
            {"kind": "raw", "status": 403, "headers": {"content-type": "application/json"}, "body": "{\"error\":\"geo-blocked\"}"},
            {"kind": "raw", "status": 204, "body": "HTTP gives a 204 no body"},
        ]),
    )
    .await;
    let cases = [
        (200, Some("application/json"), "{\"id\": 1,}"),
        (401, None, ""),
        (403, Some("application/json"), "{\"error\":\"geo-blocked\"}"),
        (204, None, ""),
    ];
    for (status, content_type, body) in cases {
        let r = get(mock.url(), "/user/profile", None).await;
        assert_eq!(r.status(), status);
        assert_eq!(r.headers().get("content-type").map(|v| v.to_str().unwrap()), content_type, "{status}");
        if status == 204 {
            assert!(r.headers().get("content-length").is_none(), "a 204 announces no body");
        }
        assert_eq!(r.text().await.unwrap(), body);
    }
    // A 200 where the spec says 201, and the request was not handled.
    inject(&mock, "check_referral_code", json!([{"kind": "raw", "body": "{\"valid\": true}"}])).await;
    let r = post(mock.url(), "/referrals/check", None, json!({"code": "ANY"})).await;
    assert_eq!((r.status().as_u16(), r.text().await.unwrap()), (200, "{\"valid\": true}".to_owned()));
}

/// Reads a body chunk by chunk without keeping it; returns (length, first bytes, last bytes).
async fn drain(mut r: reqwest::Response) -> (u64, Vec<u8>, Vec<u8>) {
    let (mut len, mut head, mut tail) = (0u64, Vec::new(), Vec::new());
    while let Some(chunk) = r.chunk().await.unwrap() {
        if head.len() < 16 {
            head.extend(chunk.iter().take(16 - head.len()));
        }
        tail.extend_from_slice(&chunk);
        tail.drain(..tail.len().saturating_sub(16));
        len += chunk.len() as u64;
    }
    (len, head, tail)
}

#[tokio::test]
async fn oversized_streams_n_bytes_with_or_without_a_length() {
    let mock = MockServer::start(Config::default()).unwrap();
    let n: u64 = 24 << 20;
    inject(&mock, "get_symbols", json!([{"kind": "oversized", "bytes": n}, {"kind": "oversized", "bytes": n, "chunked": true}, {"kind": "oversized", "bytes": 5}])).await;

    let r = get(mock.url(), SYMBOLS, None).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-length"], n.to_string().as_str());
    let (len, head, tail) = drain(r).await;
    assert_eq!(len, n);
    assert!(head.starts_with(b"{\"data\":\"xxx") && tail.ends_with(b"xx\"}"));

    let r = get(mock.url(), SYMBOLS, None).await;
    assert!(r.headers().get("content-length").is_none());
    assert_eq!(r.headers()["transfer-encoding"], "chunked");
    assert_eq!(drain(r).await.0, n);

    let r = get(mock.url(), SYMBOLS, None).await;
    assert_eq!(r.text().await.unwrap(), "{\"dat");
}

#[tokio::test]
async fn stall_sends_the_head_and_some_bytes_then_goes_quiet_and_closes() {
    let mock = MockServer::start(Config::default()).unwrap();
    inject(&mock, "check_referral_code", json!([{"kind": "stall", "after_bytes": 10, "ms": 400}])).await;
    let started = Instant::now();
    let mut r = post(mock.url(), "/referrals/check", None, json!({"code": "NOPE"})).await;
    assert_eq!(r.status(), 201, "the handler's own status");
    assert!(started.elapsed() < Duration::from_millis(300), "headers came before the stall");
    let mut received = Vec::new();
    let err = loop {
        match r.chunk().await {
            Ok(Some(chunk)) => received.extend_from_slice(&chunk),
            Ok(None) => panic!("the body ended cleanly after {received:?}"),
            Err(e) => break e,
        }
    };
    assert!(started.elapsed() >= Duration::from_millis(400), "{err:?}");
    assert_eq!(received, b"{\"valid\":f");

    // With a GET and no bytes: 200 and headers, then nothing, then the connection is gone.
    inject(&mock, "get_symbols", json!([{"kind": "stall", "ms": 100}])).await;
    let r = get(mock.url(), SYMBOLS, None).await;
    assert_eq!(r.status(), 200);
    assert!(r.bytes().await.is_err());
    assert_eq!(get(mock.url(), SYMBOLS, None).await.status(), 200, "the next request is served");
}

#[tokio::test]
async fn expires_in_reaches_the_next_successful_login_with_a_real_token() {
    let mock = MockServer::start(Config::default()).unwrap();
    for value in [json!(9_223_372_036_854_775_807i64), json!(0), json!(-5), json!("86400"), json!(null)] {
        inject(&mock, "verify_signature", json!([{"kind": "expires_in", "value": value}])).await;
        let wallet = PrivateKeySigner::random();
        // A refused login (a signature from another key) leaves the fault queued.
        let message = common::challenge(mock.url(), &wallet).await;
        let forged = common::verify_body(&wallet, &PrivateKeySigner::random(), &message);
        assert_eq!(post(mock.url(), "/auth/evm/verify", None, forged).await.status(), 401);

        let r = sign_in(mock.url(), &wallet, None).await;
        assert_eq!(r.status(), 201);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["expiresIn"], value);
        let token = body["accessToken"].as_str().unwrap();
        assert_eq!(get(mock.url(), "/user/profile", Some(token)).await.status(), 200, "a valid token");
        let again: Value = sign_in(mock.url(), &wallet, None).await.json().await.unwrap();
        assert_eq!(again["expiresIn"], 86_400, "used once");
    }
}

#[tokio::test]
async fn status_headers_pass_through_unchanged() {
    let mock = MockServer::start(Config::default()).unwrap();
    inject(
        &mock,
        "get_symbols",
        json!([{"kind": "status", "status": 429, "headers": {"Retry-After": "1e300"}}]),
    )
    .await;
    let r = get(mock.url(), SYMBOLS, None).await;
    assert_eq!((r.status().as_u16(), r.headers()["retry-after"].to_str().unwrap()), (429, "1e300"));
}
