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
    assert!(matches!(&err, Error::InvalidInput { message } if message == "sessionId is required"), "{err:?}");
    assert_eq!(sent(&mock, "create_trading_session") + sent(&mock, "create_advance_trading_session"), 0);
    assert_eq!(sent(&mock, "get_trade_logs") + sent(&mock, "get_session_logs"), 0);
}
