//! `Client::call`: every operation by id with JSON arguments, as the bindings use it.

mod common;

use alura::Error;
use common::{client, mock, sent};
use serde_json::{Map, Value, json};

fn args(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

#[tokio::test]
async fn every_operation_id_is_dispatched() {
    let mock = mock();
    let (client, _) = client(&mock);
    for op in alura_api::operations::OPERATIONS {
        if let Err(Error::InvalidInput { message }) = client.call(op.id, Map::new()).await {
            assert!(!message.contains("unknown operation"), "{}: {message}", op.id);
        }
    }
    let err = client.call("no_such_operation", Map::new()).await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { message } if message.contains("unknown operation")),
        "{err:?}"
    );
}

#[tokio::test]
async fn arguments_by_wire_name_reach_the_server() {
    let mock = mock();
    let (client, _) = client(&mock);
    let session = client
        .call(
            "create_trading_session",
            args(json!({"budget": 100, "profitTarget": 40, "assetIndex": 1, "maxPositions": 2})),
        )
        .await
        .unwrap()
        .to_value()
        .unwrap();
    assert_eq!(session["assetIndex"], 1);
    assert_eq!(session["maxPositions"], 2);
    let trade = client.call("get_current_trade", Map::new()).await.unwrap().to_value().unwrap();
    let logs = client
        .call("get_trade_logs", args(json!({"tradeId": trade["id"], "page": 1, "limit": 5, "unused": null})))
        .await;
    assert!(
        matches!(&logs, Err(Error::InvalidInput { message }) if message.contains("no argument unused")),
        "{logs:?}"
    );
    let logs = client
        .call("get_trade_logs", args(json!({"tradeId": trade["id"], "page": 1, "limit": 5})))
        .await
        .unwrap()
        .to_value()
        .unwrap();
    assert_eq!(logs["limit"], 5);
    let candles = client
        .call("get_candle_history", args(json!({"symbol": "XRP", "interval": "5m", "limit": 3})))
        .await
        .unwrap()
        .to_value()
        .unwrap();
    assert_eq!(candles.as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn wrong_types_and_values_are_refused_before_sending() {
    let mock = mock();
    let (client, _) = client(&mock);
    client.login().await.unwrap();
    let cases = [
        json!({"budget": "lots", "profitTarget": 40, "assetIndex": 0}),
        json!({"budget": 100, "profitTarget": 40}),
        json!({"budget": 100, "profitTarget": 900, "assetIndex": 0}),
    ];
    for case in cases {
        let err = client.call("create_trading_session", args(case.clone())).await.unwrap_err();
        assert!(matches!(err, Error::InvalidInput { .. }), "{case}: {err:?}");
    }
    let bad_enum =
        json!({"amount": 100, "executionStrategy": "YOLO", "strategyDuration": "1D", "assetIndex": 0});
    let err = client.call("create_advance_trading_session", args(bad_enum)).await.unwrap_err();
    assert!(matches!(&err, Error::InvalidInput { message } if message.contains("YOLO")), "{err:?}");
    let err = client.call("get_trade_logs", args(json!({"tradeId": "t", "page": 0}))).await.unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
    let err = client.call("get_session_logs", Map::new()).await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { message } if message == "get_session_logs(): sessionId is required"),
        "{err:?}"
    );
    assert_eq!(sent(&mock, "create_trading_session") + sent(&mock, "create_advance_trading_session"), 0);
    assert_eq!(sent(&mock, "get_trade_logs") + sent(&mock, "get_session_logs"), 0);
}

#[tokio::test]
async fn an_asset_goes_by_index_or_symbol_wherever_one_is_meant_and_a_bad_one_lists_the_good() {
    let mock = mock();
    let (client, _) = client(&mock);
    let session = client
        .call("create_trading_session", args(json!({"budget": 100, "profitTarget": 40, "assetIndex": "eth"})))
        .await
        .unwrap()
        .to_value()
        .unwrap();
    assert_eq!(session["assetIndex"], 1, "a symbol, in any case, is its index");
    let candles =
        client.call("get_candles", args(json!({"symbol": 2, "interval": "1h", "limit": 3}))).await.unwrap();
    assert_eq!(candles.to_value().unwrap().as_array().unwrap().len(), 3, "an index is its symbol");
    assert_eq!(mock.requests(Some("get_candles"))[0].path, "/api/indicators/candles/SOL/1h");
    let err = client
        .call(
            "create_trading_session",
            args(json!({"budget": 100, "profitTarget": 40, "assetIndex": "PEPE"})),
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid input: create_trading_session(): assetIndex: unknown asset \"PEPE\": expected an index or one of BTC, ETH, SOL, XRP, DOGE, AVAX"
    );
    let err = client.call("get_candles", args(json!({"symbol": "BTC", "interval": "2h"}))).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid input: get_candles(): interval: unknown variant `2h`, expected one of `1m`, `5m`, `15m`, `1h`, `4h`, `1d`"
    );
    let err = client
        .call("get_candles", args(json!({"symbol": "BTC", "interval": "1h", "limit": 0})))
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("limit: must be at least 1, not 0")
            || err.to_string().contains("limit must not be less than 1"),
        "{err}"
    );
}
