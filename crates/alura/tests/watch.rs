//! Watches in simulated time: the watch's clock is the simulator's, and sleeping moves
//! it, so an hour of candles passes in milliseconds.

use std::sync::Arc;
use std::time::Duration;

mod common;

use alura::{CandleEvent, Client, SignalEvent, TradeEvent, WatchCandles};
use alura_mock::{Config, Fault, MockServer};
use common::Simulated;
use serde_json::Value;

const MINUTE: i64 = 60_000;

fn watch(mock: &Arc<MockServer>) -> WatchCandles {
    let client = Client::builder().base_url(mock.url()).no_retry().build().unwrap();
    client.watch_candles("BTC", "1m").unwrap().clock(Arc::new(Simulated(mock.clock()))).jitter(Duration::ZERO)
}

fn open_time(candle: &Value) -> i64 {
    candle["openTime"].as_i64().unwrap()
}

fn assert_consecutive(times: &[i64]) {
    for pair in times.windows(2) {
        assert_eq!(pair[1] - pair[0], MINUTE, "no gap and no duplicate: {times:?}");
    }
}

/// Ten closed candles across a five-minute outage (every poll refused meanwhile): each once, in
/// order, none missing; the failed polls said so as errors.
#[tokio::test]
async fn ten_candles_across_an_outage_with_no_gap_and_no_duplicate() {
    let mock = Arc::new(MockServer::start(Config::default()).unwrap());
    let mut watch = watch(&mock);
    let (mut closed, mut errors) = (Vec::new(), 0);
    while closed.len() < 10 {
        if closed.len() == 3 && errors == 0 {
            mock.inject(
                "get_candles",
                (0..4).map(|_| Fault::Status { status: 503, headers: Default::default(), body: None }),
            );
            mock.advance_clock(Duration::from_secs(5 * 60));
        }
        match watch.next().await {
            Ok(CandleEvent::Closed(candle)) => closed.push(open_time(&candle)),
            Ok(other) => panic!("only closed candles here: {other:?}"),
            Err(_) => errors += 1,
        }
    }
    assert_eq!(errors, 4, "each refused poll is an error, and the watch goes on");
    assert_consecutive(&closed);
    // Yielded only once closed: each ended before the simulator's now.
    assert!(closed.iter().all(|t| t + MINUTE <= mock.now_ms()));
}

/// Two days asleep: more candles missed than one call of recent candles holds, so the history
/// fills in the rest, in order.
#[tokio::test]
async fn a_long_sleep_is_filled_from_the_history() {
    let mock = Arc::new(MockServer::start(Config::default()).unwrap());
    let mut watch = watch(&mock);
    let first = match watch.next().await.unwrap() {
        CandleEvent::Closed(c) => open_time(&c),
        other => panic!("{other:?}"),
    };
    mock.advance_clock(Duration::from_secs(2 * 24 * 3600));
    let mut closed = vec![first];
    while closed.len() < 2 * 24 * 60 {
        match watch.next().await.unwrap() {
            CandleEvent::Closed(c) => closed.push(open_time(&c)),
            other => panic!("{other:?}"),
        }
    }
    assert_consecutive(&closed);
    let history = mock.requests(Some("get_candle_history"));
    assert_eq!(history.len(), 1, "one history call fills what the recent candles lack");
}

/// A hole the history cannot fill is said, as a gap with its times, never passed over silently.
#[tokio::test]
async fn a_gap_the_history_cannot_fill_is_an_event() {
    let mock = Arc::new(MockServer::start(Config::default()).unwrap());
    let mut watch = watch(&mock);
    let CandleEvent::Closed(first) = watch.next().await.unwrap() else { panic!() };
    let first = open_time(&first);
    mock.advance_clock(Duration::from_secs(2 * 24 * 3600));
    mock.inject(
        "get_candle_history",
        [Fault::Raw { status: 200, headers: Default::default(), body: "[]".into() }],
    );
    let CandleEvent::Gap { from_ms, to_ms } = watch.next().await.unwrap() else { panic!("a gap first") };
    assert_eq!(from_ms, first + MINUTE);
    let CandleEvent::Closed(next) = watch.next().await.unwrap() else { panic!("then the candles it has") };
    assert_eq!(open_time(&next), to_ms + MINUTE);
}

/// A server whose newest candle stops moving (its feed stalled, though every call succeeds): one
/// `Stale` event once three intervals pass with no candle closing, and no candle made up.
#[tokio::test]
async fn a_feed_that_stops_moving_is_said_to_be_stale_once() {
    let mock = Arc::new(MockServer::start(Config::default()).unwrap());
    let now = mock.now_ms() / MINUTE * MINUTE;
    let candle = |t: i64| serde_json::json!({"openTime": t, "open": 1.0, "high": 1.0, "low": 1.0, "close": 1.0, "volume": 1.0});
    let frozen = serde_json::json!([candle(now - 2 * MINUTE), candle(now - MINUTE), candle(now)]).to_string();
    let fault = || Fault::Raw { status: 200, headers: Default::default(), body: frozen.clone() };
    mock.inject("get_candles", (0..40).map(|_| fault()));
    let mut watch = watch(&mock).stale_after(3);
    let started = mock.now_ms();
    match watch.next().await.unwrap() {
        CandleEvent::Stale { intervals } => assert!(intervals >= 3, "{intervals}"),
        other => panic!("stale first, and no candle: {other:?}"),
    }
    assert!(mock.now_ms() - started >= 3 * MINUTE, "only after three intervals");
    // Said once: the next event is a candle, once the feed moves again (the frozen answers run
    // out), however many frozen answers come first.
    assert!(matches!(watch.next().await.unwrap(), CandleEvent::Closed(_)));
}

/// A trade's log followed: only entries added after the watch began, each once, as positions
/// and then the trade close.
#[tokio::test]
async fn a_trades_new_log_entries_each_once() {
    let mock = Arc::new(MockServer::start(Config::default()).unwrap());
    let client = Client::builder()
        .base_url(mock.url())
        .signer(alloy_signer_local::PrivateKeySigner::random())
        .build()
        .unwrap();
    let open = serde_json::json!({"budget": 300, "profitTarget": 40, "assetIndex": 0, "maxPositions": 2});
    let Value::Object(open) = open else { unreachable!() };
    client.call("create_trading_session", open).await.unwrap();
    let trade = client.call("get_current_trade", Default::default()).await.unwrap().to_value().unwrap();
    let (trade_id, first) = (trade["id"].as_str().unwrap().to_owned(), trade["positions"][0]["id"].clone());
    let mut follow = client
        .follow_trade_logs(&trade_id)
        .every(Duration::from_millis(10))
        .clock(Arc::new(Simulated(mock.clock())));
    let close = async {
        // Once the watch has read the log as it was, a position closes.
        while mock.requests(Some("get_trade_logs")).is_empty() {
            tokio::task::yield_now().await;
        }
        let mut args = serde_json::Map::new();
        args.insert("positionId".into(), first.clone());
        client.call("close_position", args).await.unwrap();
    };
    let (entry, ()) = tokio::join!(follow.next(), close);
    let entry = entry.unwrap();
    assert_eq!(
        entry.message.as_deref(),
        Some(format!("Position {} closed", first.as_str().unwrap()).as_str())
    );
    let mut args = serde_json::Map::new();
    args.insert("tradeId".into(), Value::from(trade_id.clone()));
    client.call("close_trade", args).await.unwrap();
    let second = trade["positions"][1]["id"].as_str().unwrap();
    let next = follow.next().await.unwrap();
    assert_eq!(
        next.message.as_deref(),
        Some(format!("Position {second} closed").as_str()),
        "the other, once"
    );
}

/// A signal each time a candle closes, each once, with a poll or two per interval, not a
/// stream of polls.
#[tokio::test]
async fn a_new_signal_each_interval_each_once() {
    let mock = Arc::new(MockServer::start(Config::default()).unwrap());
    let client = Client::builder().base_url(mock.url()).no_retry().build().unwrap();
    let mut watch = client
        .watch_signals("ETH", "5m")
        .unwrap()
        .clock(Arc::new(Simulated(mock.clock())))
        .jitter(Duration::ZERO);
    let mut times = Vec::new();
    while times.len() < 6 {
        match watch.next().await.unwrap() {
            SignalEvent::Signal(signal) => times.push(signal["timestamp"].as_i64().unwrap()),
            other => panic!("{other:?}"),
        }
    }
    for pair in times.windows(2) {
        assert_eq!(pair[1] - pair[0], 5 * MINUTE, "one per interval, none twice: {times:?}");
    }
    let polls = mock.requests(Some("get_signals")).len();
    assert!(polls <= 7, "polled at the intervals' ends, not in between: {polls} polls");
}

fn trader(mock: &MockServer) -> Client {
    Client::builder()
        .base_url(mock.url())
        .signer(alloy_signer_local::PrivateKeySigner::random())
        .build()
        .unwrap()
}

fn args(pairs: &[(&str, Value)]) -> serde_json::Map<String, Value> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect()
}

/// Opens a quick trade on BTC with `positions` positions: one is a long; two are a long and a
/// short, whose PnLs cancel out.
async fn open_trade(client: &Client, positions: u32) {
    let open = args(&[
        ("budget", 300.into()),
        ("profitTarget", 40.into()),
        ("assetIndex", 0.into()),
        ("maxPositions", positions.into()),
    ]);
    client.call("create_trading_session", open).await.unwrap();
}

fn watch_trade(client: &Client, mock: &MockServer) -> alura::WatchCurrentTrade {
    client.watch_current_trade().every(Duration::from_millis(10)).clock(Arc::new(Simulated(mock.clock())))
}

/// The open trade watched: it opens, its PnL moves with the market (exactly what the server
/// says), and it closes: each said once, in that order.
#[tokio::test]
async fn the_current_trade_opens_moves_and_closes() {
    let mock = Arc::new(MockServer::start(Config::default()).unwrap());
    let client = trader(&mock);
    open_trade(&client, 1).await;
    let mut watch = watch_trade(&client, &mock);
    let TradeEvent::Opened(trade) = watch.next().await.unwrap() else { panic!("the open trade first") };
    mock.advance_clock(Duration::from_secs(600));
    match watch.next().await.unwrap() {
        TradeEvent::Pnl { pnl, trade: now } => assert!(Some(pnl) != trade.pnl && now.id == trade.id),
        other => panic!("the PnL moved: {other:?}"),
    }
    // A PnL with more digits than a double holds comes through exactly.
    let mut served = serde_json::to_string(&alura::types::Trade { pnl: None, ..trade.clone() }).unwrap();
    served.insert_str(1, r#""pnl": 1.23456789012345678901, "#);
    mock.inject("get_current_trade", [Fault::Raw { status: 200, headers: Default::default(), body: served }]);
    let TradeEvent::Pnl { pnl, .. } = watch.next().await.unwrap() else { panic!("the PnL moved") };
    assert_eq!(pnl.to_string(), "1.23456789012345678901");
    client.call("close_trade", args(&[("tradeId", trade.id.clone().unwrap().into())])).await.unwrap();
    let TradeEvent::Closed(last) = watch.next().await.unwrap() else { panic!("the trade closed") };
    assert_eq!(last.id, trade.id);
}

/// A position of the open trade closes: said once, as that position; the PnL of a long and a
/// short that cancel out never moves, so nothing else is said.
#[tokio::test]
async fn a_position_that_closes_is_said_once() {
    let mock = Arc::new(MockServer::start(Config::default()).unwrap());
    let client = trader(&mock);
    open_trade(&client, 2).await;
    let mut watch = watch_trade(&client, &mock);
    let TradeEvent::Opened(trade) = watch.next().await.unwrap() else { panic!() };
    assert_eq!(trade.positions.len(), 2);
    mock.advance_clock(Duration::from_secs(600));
    let first = trade.positions[0].id.clone().unwrap();
    client.call("close_position", args(&[("positionId", first.clone().into())])).await.unwrap();
    let TradeEvent::PositionClosed(position) = watch.next().await.unwrap() else { panic!() };
    assert_eq!((position.id.as_deref(), position.status.as_deref()), (Some(first.as_str()), Some("closed")));
}

/// With a PnL step larger than any move, no PnL is said: the next event is the trade closing,
/// however far the market moved.
#[tokio::test]
async fn pnl_moves_under_the_step_are_not_said() {
    let mock = Arc::new(MockServer::start(Config::default()).unwrap());
    let client = trader(&mock);
    open_trade(&client, 1).await;
    let mut watch = watch_trade(&client, &mock).pnl_step(1_000_000);
    let TradeEvent::Opened(trade) = watch.next().await.unwrap() else { panic!() };
    for _ in 0..5 {
        mock.advance_clock(Duration::from_secs(600));
        // Nothing to say: the watch keeps polling, so give it a bound.
        assert!(tokio::time::timeout(Duration::from_millis(50), watch.next()).await.is_err());
    }
    client.call("close_trade", args(&[("tradeId", trade.id.unwrap().into())])).await.unwrap();
    assert!(matches!(watch.next().await.unwrap(), TradeEvent::Closed(_)));
}
