//! A server that follows the contract but not our guesses about response shapes: the login
//! works, the server's answer comes back as it came, and each mismatch is one warning (an
//! error only when strict). In its own test binary, as it installs a tracing subscriber.

mod common;

use alloy_signer_local::PrivateKeySigner;
use alura::{Client, Error, HistoryQuery};
use common::Capture;
use common::hostile::{Hostile, Seen, json};
use serde_json::{Map, Value, json};

/// Answers like a NestJS + TypeORM backend we never saw: verify with a trimmed `user`,
/// decimals as strings, fields we do not know, `null`s.
async fn independent_server() -> Hostile {
    Hostile::start(|req: &Seen| match req.path.as_str() {
        "/auth/evm/challenge" => {
            let address = req.json()["address"].as_str().unwrap_or_default().to_owned();
            json(
                "201 Created",
                json!({"address": address, "nonce": "n1", "message": format!("Sign in {address} n1")}),
            )
        }
        "/auth/evm/verify" => json(
            "201 Created",
            json!({"ok": true, "accessToken": "tok", "tokenType": "Bearer", "user": {"address": "0xabc"}}),
        ),
        "/user/profile" => json(
            "200 OK",
            json!({"id": 7, "address": "0xabc", "balance": "100.00", "referralCode": null, "tier": "gold"}),
        ),
        path if path.starts_with("/api/indicators/candles/history/") => json(
            "200 OK",
            json!([
                {"openTime": 1000, "open": "1.5", "high": 2, "low": "1", "close": "1.75", "volume": "10"},
                {"openTime": "2000", "open": 1.75, "high": null, "low": 1.5, "close": 2, "extra": true}
            ]),
        ),
        _ => json("404 Not Found", json!({"statusCode": 404, "message": "Not Found"})),
    })
    .await
}

fn client(server: &Hostile, strict: bool) -> Client {
    Client::builder().base_url(&server.url).signer(PrivateKeySigner::random()).strict(strict).build().unwrap()
}

#[tokio::test(flavor = "current_thread")]
async fn the_answer_comes_back_as_it_came_with_one_warning_per_mismatch() {
    let capture = Capture::default();
    let _guard = capture.install(tracing::Level::WARN);

    let server = independent_server().await;
    let client = client(&server, false);
    for _ in 0..3 {
        let profile = client.call("get_profile", Map::new()).await.unwrap().to_value().unwrap();
        assert_eq!(
            profile,
            json!({"id": 7, "address": "0xabc", "balance": "100.00", "referralCode": null, "tier": "gold"}),
            "every field as the server sent it, unknown ones and nulls included"
        );
    }
    assert_eq!(server.count("/auth/evm/verify"), 1, "the trimmed user object did not fail the login");
    let logs = capture.take();
    let warnings: Vec<&str> = logs.lines().filter(|l| l.contains("WARN")).collect();
    assert_eq!(warnings.len(), 1, "one warning for three identical mismatches: {logs}");
    let warning = warnings[0];
    for part in ["get_profile", "$.id", "invalid type: integer `7`", "got 7"] {
        assert!(warning.contains(part), "{part:?} in {warning}");
    }
    assert!(!logs.contains("tok\""), "no token in the logs");
}

#[tokio::test]
async fn strict_makes_a_mismatch_a_decode_error_with_its_path_and_the_body() {
    let server = independent_server().await;
    let err = client(&server, true).call("get_profile", Map::new()).await.unwrap_err();
    match &err {
        Error::Decode { path, body, message } => {
            assert_eq!(path.as_deref(), Some("$.id"));
            assert!(message.contains("get_profile"), "{message}");
            assert!(body.as_ref().unwrap().text().contains("\"tier\""));
            assert!(format!("{err:?}").contains("bytes>"), "Debug shows the body's size, not its text");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_typed_api_fails_with_the_path_and_the_untyped_one_still_works() {
    let server = independent_server().await;
    let client = client(&server, false);
    let err = Error::from(client.api().get_profile().send().await.unwrap_err());
    match &err {
        Error::Decode { path, body, .. } => {
            assert_eq!(path.as_deref(), Some("$.id"));
            assert!(body.is_some());
        }
        other => panic!("{other:?}"),
    }
    let raw: Value = client.call("get_profile", Map::new()).await.unwrap().to_value().unwrap();
    assert_eq!(raw["balance"], "100.00");
}

#[tokio::test]
async fn candle_columns_take_numbers_sent_as_strings() {
    let server = independent_server().await;
    let columns = client(&server, false)
        .candle_columns(HistoryQuery { symbol: "BTC".into(), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(columns.open_time, [1000, 2000]);
    assert_eq!(columns.open, [1.5, 1.75]);
    assert_eq!(columns.close, [1.75, 2.0]);
    assert_eq!(columns.high[0], 2.0);
    assert!(columns.high[1].is_nan() && columns.volume[1].is_nan(), "null and missing are NaN");
}
