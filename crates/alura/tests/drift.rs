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

/// A server whose candle history is `body`, whatever its shape.
async fn history(body: Value) -> Hostile {
    Hostile::start(move |_| common::hostile::json("200 OK", body.clone())).await
}

async fn columns_of(body: Value) -> alura::Result<alura::CandleColumns> {
    let server = history(body).await;
    client(&server, false).candle_columns(HistoryQuery { symbol: "BTC".into(), ..Default::default() }).await
}

#[tokio::test]
async fn candle_columns_read_every_shape_a_server_is_likely_to_use() {
    let hyperliquid = |t: i64, o: &str, c: &str| serde_json::json!({"t": t, "T": t + 3_599_999, "s": "BTC", "i": "1h", "o": o, "c": c, "h": "70001.5", "l": "64999.25", "v": "12.5", "n": 42});
    let shapes = [
        // Hyperliquid's own candles, bare (its candleSnapshot passed through): every field of
        // our schema is optional, so this "fits" it and must still be read in its own shape.
        serde_json::json!([
            hyperliquid(3_600_000, "65000.5", "65100.25"),
            hyperliquid(7_200_000, "65100.25", "65200")
        ]),
        // Hyperliquid's own candles, in the envelope a NestJS backend wraps them in.
        serde_json::json!({"symbol": "BTC", "interval": "1h", "count": 2, "candles": [
            hyperliquid(3_600_000, "65000.5", "65100.25"), hyperliquid(7_200_000, "65100.25", "65200")
        ]}),
        // Arrays [t, o, h, l, c, v, ...], bare and under `data`.
        serde_json::json!([
            [3_600_000, "65000.5", "70001.5", "64999.25", "65100.25", "12.5", 3_599_999, 42],
            [7_200_000, 65100.25, 70001.5, 64999.25, 65200, 12.5]
        ]),
        serde_json::json!({"data": [
            [3_600_000, "65000.5", "70001.5", "64999.25", "65100.25", "12.5"],
            [7_200_000, "65100.25", "70001.5", "64999.25", "65200", "12.5"]
        ], "total": 2}),
        // Ours, under `items` and under `result`.
        serde_json::json!({"items": [
            {"openTime": 3_600_000, "open": 65000.5, "high": 70001.5, "low": 64999.25, "close": 65100.25, "volume": 12.5},
            {"openTime": 7_200_000, "open": 65100.25, "high": 70001.5, "low": 64999.25, "close": 65200, "volume": 12.5}
        ]}),
        serde_json::json!({"result": [hyperliquid(3_600_000, "65000.5", "65100.25"), hyperliquid(7_200_000, "65100.25", "65200")]}),
    ];
    for body in shapes {
        let columns = columns_of(body.clone()).await.unwrap_or_else(|e| panic!("{body}: {e}"));
        assert_eq!(columns.open_time, [3_600_000, 7_200_000], "{body}");
        assert_eq!(columns.open, [65000.5, 65100.25], "{body}");
        assert_eq!(columns.close, [65100.25, 65200.0], "{body}");
        assert_eq!(columns.high, [70001.5, 70001.5], "{body}");
        assert_eq!(columns.low, [64999.25, 64999.25], "{body}");
        assert_eq!(columns.volume, [12.5, 12.5], "{body}");
    }
}

#[tokio::test]
async fn exact_candle_columns_keep_the_digits_the_server_wrote_in_any_shape() {
    let d = |s: &str| Some(s.parse::<alura::Decimal>().unwrap());
    // As text: `json!` would write 65000.30 as the double 65000.3.
    let shapes = [
        r#"[{"t": 1, "o": "65000.10", "h": "0.1", "l": "0.2", "c": "65000.30", "v": null},
            {"t": 2, "o": "8.329E-05", "c": "1"}]"#,
        r#"{"candles": [[1, 65000.10, 0.1, 0.2, 65000.30, null], [2, 8.329e-05, null, null, 1]]}"#,
    ];
    for body in shapes {
        let server = Hostile::start(move |_| {
            common::hostile::http("200 OK", &[("Content-Type", "application/json")], body)
        })
        .await;
        let query = HistoryQuery { symbol: "BTC".into(), ..Default::default() };
        let c = client(&server, false)
            .exact_candle_columns(query)
            .await
            .unwrap_or_else(|e| panic!("{body}: {e}"));
        assert_eq!(c.open_time, [1, 2]);
        assert_eq!(c.open, [d("65000.10"), d("0.00008329")], "{body}");
        assert_eq!(c.close[0].unwrap().to_string(), "65000.30", "the server's own digits, trailing zero too");
        assert_eq!(c.volume, [None, None], "null and missing are None, never a made-up number");
        // 0.1 + 0.2 in doubles is 0.30000000000000004.
        assert_eq!(*c.high[0].unwrap() + *c.low[0].unwrap(), *d("0.3").unwrap(), "{body}");
    }
    let err = history(serde_json::json!([{"t": 1, "o": "NaN"}])).await;
    let query = HistoryQuery { symbol: "BTC".into(), ..Default::default() };
    let err = client(&err, false).exact_candle_columns(query).await.unwrap_err();
    assert!(matches!(&err, Error::Decode { path: Some(p), .. } if p.starts_with("$[0]")), "{err:?}");
}

#[tokio::test]
async fn a_candle_history_in_an_unknown_shape_is_an_error_that_names_it() {
    let err = columns_of(serde_json::json!({"symbol": "BTC", "bars": []})).await.unwrap_err();
    match &err {
        Error::Decode { message, .. } => {
            assert!(message.contains("keys [symbol, bars]"), "{message}");
            assert!(message.contains("candles, data, items, result"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    // Postgres numerics may hold NaN and Infinity, which TypeORM sends as text: never a price.
    let columns =
        columns_of(serde_json::json!([{"openTime": 1, "open": "NaN", "close": "Infinity", "high": "1e400"}]))
            .await
            .unwrap_err();
    assert!(matches!(columns, Error::Decode { .. }), "{columns:?}");
    let err = columns_of(serde_json::json!(["a", "b"])).await.unwrap_err();
    match &err {
        Error::Decode { message, path, .. } => {
            assert!(message.contains("string \"a\""), "{message}");
            assert_eq!(path.as_deref(), Some("$[0]"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn no_current_trade_is_none_however_the_server_says_it() {
    let answers = [
        // A NestJS handler that returns `null`: 200, no body, no Content-Type.
        common::hostile::http("200 OK", &[], ""),
        common::hostile::json("200 OK", Value::Null),
        common::hostile::json(
            "404 Not Found",
            serde_json::json!({"statusCode": 404, "message": "No active trade"}),
        ),
    ];
    for answer in answers {
        let answer = std::sync::Mutex::new(Some(answer));
        let server = common::hostile::with_login(move |_| {
            answer.lock().unwrap().take().unwrap_or_else(|| common::hostile::http("500 Oops", &[], ""))
        })
        .await;
        let trade = client(&server, false).current_trade().await.unwrap();
        assert_eq!(trade, None);
    }
    let server = common::hostile::with_login(|_| {
        common::hostile::json("200 OK", serde_json::json!({"id": "t-1", "pnl": "1.50", "positions": []}))
    })
    .await;
    let trade = client(&server, false).current_trade().await.unwrap().expect("a trade");
    assert_eq!(
        (trade.id.as_deref(), trade.pnl),
        (Some("t-1"), Some("1.50".parse().unwrap())),
        "pnl sent as a string is read"
    );
}

#[tokio::test]
async fn money_sent_as_strings_is_read_by_the_typed_api_and_strict_refuses_it() {
    let server = common::hostile::with_login(|_| {
        common::hostile::json(
            "200 OK",
            serde_json::json!({"id": "u-1", "address": "0xabc", "balance": "10000.000000", "totalDeposited": 250, "pnl": null}),
        )
    })
    .await;
    let profile = client(&server, false).api().get_profile().send().await.unwrap().into_inner();
    let exact = |n: i64| Some(alura::Decimal::from(n));
    assert_eq!((profile.balance, profile.total_deposited, profile.pnl), (exact(10000), exact(250), None));
    assert_eq!(profile.balance.unwrap().to_string(), "10000.000000", "the digits the server wrote");
    let raw: Value =
        client(&server, false).call("get_profile", Map::new()).await.unwrap().to_value().unwrap();
    assert_eq!(raw["balance"], "10000.000000", "the untyped answer is the server's, as it came");
    match client(&server, true).call("get_profile", Map::new()).await.unwrap_err() {
        Error::Decode { path, message, .. } => {
            assert_eq!(path.as_deref(), Some("$.balance"));
            assert!(
                message.contains("invalid type: string \"10000.000000\", expected a decimal number"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
}
