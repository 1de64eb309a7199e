//! Answers as Arrow record batches: candles from the simulator, and lists in shapes a real
//! server may send, with money exact.

use alura::arrow::{DataType, records_batch};
use alura::{Client, HistoryQuery};
use alura_mock::{Config, Fault, MockServer};
use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type, TimestampMillisecondType};
use arrow_array::{Array, Decimal128Array};

/// 500 candles: open times a minute apart in UTC milliseconds, prices as the columns have them.
#[tokio::test]
async fn candles_as_a_record_batch() {
    let mock = MockServer::start(Config::default()).unwrap();
    let client = Client::builder().base_url(mock.url()).build().unwrap();
    let query = HistoryQuery {
        symbol: "BTC".into(),
        interval: Some("1m".into()),
        limit: Some(500),
        ..Default::default()
    };
    let batch = client.candles_arrow(query.clone()).await.unwrap();
    let names: Vec<_> = batch.schema().fields().iter().map(|f| f.name().clone()).collect();
    assert_eq!(names, ["open_time", "open", "high", "low", "close", "volume"]);
    assert_eq!(batch.num_rows(), 500);
    let times = batch.column(0).as_primitive::<TimestampMillisecondType>();
    assert!(
        matches!(batch.schema().field(0).data_type(), DataType::Timestamp(_, Some(tz)) if &**tz == "UTC")
    );
    assert!(times.values().windows(2).all(|w| w[1] - w[0] == 60_000));
    let columns = client.candle_columns(query).await.unwrap();
    assert_eq!(batch.column(4).as_primitive::<Float64Type>().values().to_vec(), columns.close);
}

/// A candle whose close the server left out is null, not NaN.
#[tokio::test]
async fn a_price_left_out_is_null() {
    let mock = MockServer::start(Config::default()).unwrap();
    let body = r#"[{"openTime": 0, "open": 1, "high": 2, "low": 0.5, "close": null, "volume": 3}]"#;
    mock.inject(
        "get_candle_history",
        [Fault::Raw { status: 200, headers: Default::default(), body: body.into() }],
    );
    let client = Client::builder().base_url(mock.url()).build().unwrap();
    let query = HistoryQuery { symbol: "BTC".into(), ..Default::default() };
    let batch = client.candles_arrow(query).await.unwrap();
    assert!(batch.column(4).is_null(0) && batch.column(1).is_valid(0));
}

/// Money, whatever its form (numbers with more digits than a double holds, TypeORM's strings
/// with trailing zeros), is Decimal128 at the largest scale, exactly; other columns by kind.
#[test]
fn a_list_with_money_in_every_form() {
    let json = br#"{"data": [
        {"address": "0xa", "pnl": 1.23456789012345678901, "trades": 3, "winRate": 0.5, "tags": ["x"], "active": true},
        {"address": "0xb", "pnl": "10000.000000", "trades": 4, "winRate": 1, "active": false, "extra": "here"},
        {"address": "0xc", "pnl": null, "trades": null}
    ], "total": 3}"#;
    let batch = records_batch(json).unwrap();
    let names: Vec<_> = batch.schema().fields().iter().map(|f| f.name().clone()).collect();
    assert_eq!(names, ["address", "pnl", "trades", "winRate", "tags", "active", "extra"]);
    let pnl = batch.column_by_name("pnl").unwrap().as_any().downcast_ref::<Decimal128Array>().unwrap();
    assert_eq!(pnl.scale(), 20);
    assert_eq!(pnl.value_as_string(0), "1.23456789012345678901");
    assert_eq!(pnl.value_as_string(1), "10000.00000000000000000000");
    assert!(pnl.is_null(2));
    assert_eq!(batch.column_by_name("trades").unwrap().as_primitive::<Int64Type>().value(1), 4);
    assert_eq!(batch.column_by_name("winRate").unwrap().data_type(), &DataType::Float64);
    assert_eq!(batch.column_by_name("tags").unwrap().as_string::<i32>().value(0), r#"["x"]"#);
    assert_eq!(batch.column_by_name("active").unwrap().data_type(), &DataType::Boolean);
    assert!(batch.column_by_name("extra").unwrap().is_null(0));
}

/// Money that no Decimal128 holds, or that is not a number, stays the server's text: never a
/// double.
#[test]
fn money_that_does_not_fit_stays_text() {
    let batch = records_batch(br#"[{"balance": 1e400}, {"balance": "lots"}]"#).unwrap();
    let balance = batch.column(0).as_string::<i32>();
    assert_eq!((balance.value(0), balance.value(1)), ("1e400", "lots"));
    let batch = records_batch(
        br#"[{"amount": 123456789012345678901234567.5}, {"amount": 0.0000000000000000000000000001}]"#,
    )
    .unwrap();
    assert_eq!(batch.column(0).data_type(), &DataType::Utf8, "28 decimal places on 27 digits is past 38");
}

/// What an operation answers, through the client: a server's own list, as it sent it.
#[tokio::test]
async fn an_operations_list_through_the_client() {
    let mock = MockServer::start(Config::default()).unwrap();
    let body = r#"{"data": [{"rank": 1, "address": "0xa", "pnl": "12.50"}, {"rank": 2, "address": "0xb", "pnl": "-3.125"}], "page": 1}"#;
    mock.inject("get_rankings", [Fault::Raw { status: 200, headers: Default::default(), body: body.into() }]);
    let client = Client::builder().base_url(mock.url()).build().unwrap();
    let batch = client.records_arrow("get_rankings", Default::default()).await.unwrap();
    let pnl = batch.column_by_name("pnl").unwrap().as_any().downcast_ref::<Decimal128Array>().unwrap();
    assert_eq!((pnl.value_as_string(0), pnl.value_as_string(1)), ("12.500".into(), "-3.125".into()));
    let error = records_batch(br#"[1, 2]"#).unwrap_err();
    assert!(error.contains("not an object"), "{error}");
}

/// Digits a decimal would round (more than 28), and whole numbers past i64, stay text; a null
/// list is no rows, and a null item a row of nulls.
#[test]
fn nothing_is_rounded_and_empty_answers_are_empty_tables() {
    let batch = records_batch(
        br#"[{"pnl": 0.000000000000000000000000000001234}, {"pnl": "123456789012.123456789012345678"}]"#,
    )
    .unwrap();
    let pnl = batch.column(0).as_string::<i32>();
    assert_eq!(
        (pnl.value(0), pnl.value(1)),
        ("0.000000000000000000000000000001234", "123456789012.123456789012345678")
    );
    let batch = records_batch(br#"[{"tradeId": 12345678901234567891}, {"tradeId": 1}]"#).unwrap();
    assert_eq!(batch.column(0).as_string::<i32>().value(0), "12345678901234567891");
    let batch = records_batch(br#"[{"rank": 1}, {"rank": 2.5}]"#).unwrap();
    assert_eq!(batch.column(0).data_type(), &DataType::Float64, "written as a double: read as one");
    assert_eq!(records_batch(br#"{"data": null, "total": 0}"#).unwrap().num_rows(), 0);
    let batch = records_batch(br#"[{"a": 1}, null, {"a": 3}]"#).unwrap();
    assert_eq!((batch.num_rows(), batch.column(0).null_count()), (3, 1));
    assert!(records_batch(br#"{"data": 5}"#).unwrap_err().contains("data is not a list"));
}
