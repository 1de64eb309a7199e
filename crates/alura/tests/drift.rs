//! A server that follows the contract but not our guesses about response shapes: strict makes
//! a mismatch an error with its path, the typed API names the path, the untyped one and the
//! candle columns still work. (The warning itself is checked alone in `drift_log.rs`.)

mod common;

use alloy_signer_local::PrivateKeySigner;
use alura::{Client, Error, HistoryQuery};
use common::hostile::{Hostile, independent};
use serde_json::{Map, Value};

fn client(server: &Hostile, strict: bool) -> Client {
    Client::builder().base_url(&server.url).signer(PrivateKeySigner::random()).strict(strict).build().unwrap()
}

#[tokio::test]
async fn strict_makes_a_mismatch_a_decode_error_with_its_path_and_the_body() {
    let server = independent().await;
    let err = client(&server, true).call("get_profile", Map::new()).await.unwrap_err();
    match &err {
        Error::Decode { path, body, message, .. } => {
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
    let server = independent().await;
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
    let server = independent().await;
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
