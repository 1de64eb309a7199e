//! Watches against servers that are not our simulator's shape: answers written in the test and
//! served by the simulator as they are (`Fault::Raw`), in simulated time or, where a watch's own
//! waits are what is tested, real time.

mod common;

use std::sync::Arc;
use std::time::Duration;

use alura::{Client, SignalEvent, TradeEvent};
use alura_mock::{Config, Fault, MockServer};
use common::Simulated;
use serde_json::{Value, json};

const MINUTE: i64 = 60_000;

fn raw(body: Value) -> Fault {
    Fault::Raw { status: 200, headers: Default::default(), body: body.to_string() }
}

fn trader(mock: &MockServer) -> Client {
    Client::builder()
        .base_url(mock.url())
        .signer(alloy_signer_local::PrivateKeySigner::random())
        .no_retry()
        .build()
        .unwrap()
}

/// A `next()` cancelled again and again (a `select!` with a shorter tick, a caller's timeout
/// around each step) does not put the next poll off for ever: the trade opened meanwhile is seen.
#[tokio::test]
async fn a_watch_whose_next_is_cancelled_again_and_again_still_polls() {
    let mock = MockServer::start(Config::default()).unwrap();
    let client = trader(&mock);
    let mut watch = client.watch_current_trade().every(Duration::from_millis(150));
    let mut seen = None;
    for round in 0..40 {
        if round == 1 {
            let open = json!({"budget": 100, "profitTarget": 40, "assetIndex": 0});
            client.call("create_trading_session", open.as_object().unwrap().clone()).await.unwrap();
        }
        if let Ok(event) = tokio::time::timeout(Duration::from_millis(100), watch.next()).await {
            seen = Some(event.unwrap());
            break;
        }
    }
    assert!(matches!(seen, Some(TradeEvent::Opened(_))), "{seen:?}");
}

/// Trades and positions without ids: the same trade is known by its session and opening time;
/// positions by how many are open on each asset and side, so one of two alike closing is said
/// once, and a new one once.
#[tokio::test]
async fn trades_and_positions_without_ids() {
    let mock = MockServer::start(Config::default()).unwrap();
    let client = trader(&mock);
    let long = json!({"assetIndex": 0, "side": "long", "status": "open", "entryPrice": 100});
    let short = json!({"assetIndex": 0, "side": "short", "status": "open", "entryPrice": 101});
    let trade = |positions: Value, session: &str, pnl: &str| {
        raw(json!({"sessionId": session, "openedAt": "2026-12-01T00:00:00Z", "positions": positions,
            "pnl": pnl.parse::<f64>().unwrap(), "status": "open"}))
    };
    mock.inject(
        "get_current_trade",
        [
            trade(json!([long, long]), "s1", "1"),
            trade(json!([long]), "s1", "1"),
            trade(json!([long, short]), "s1", "1"),
            trade(json!([long, short]), "s1", "-1"),
            // A PnL too large to subtract from the last one said: a move, not a panic.
            Fault::Raw {
                status: 200,
                headers: Default::default(),
                body: format!(
                    r#"{{"sessionId": "s1", "openedAt": "2026-12-01T00:00:00Z", "positions": [{long}, {short}], "pnl": 79228162514264337593543950335}}"#
                ),
            },
            trade(json!([]), "s2", "0"),
        ],
    );
    let mut watch = client
        .watch_current_trade()
        .every(Duration::from_millis(10))
        .clock(Arc::new(Simulated(mock.clock())));
    let mut kinds = Vec::new();
    while kinds.len() < 7 {
        kinds.push(match watch.next().await.unwrap() {
            TradeEvent::Opened(t) => format!("opened {}", t.session_id.unwrap()),
            TradeEvent::PositionOpened(p) => format!("position opened {}", p.side.unwrap()),
            TradeEvent::PositionClosed(p) => format!("position closed {}", p.side.unwrap()),
            TradeEvent::Pnl { pnl, .. } => format!("pnl {pnl}"),
            TradeEvent::Closed(t) => format!("closed {}", t.session_id.unwrap()),
            other => format!("{other:?}"),
        });
    }
    assert_eq!(
        kinds,
        [
            "opened s1",
            "position closed long",
            "position opened short",
            "pnl -1.0",
            "pnl 79228162514264337593543950335",
            "closed s1",
            "opened s2"
        ]
    );
}

/// A log of 1,500 entries when the watch begins: its first look reads 1,000 and the next 500,
/// and none of them is new; the entry added after is the first yielded.
#[tokio::test]
async fn a_long_log_yields_nothing_that_was_there_before() {
    let mock = MockServer::start(Config::default()).unwrap();
    let client = trader(&mock);
    let page = |page: u64, first: u64, last: u64, total: u64| {
        let data: Vec<Value> = (first..=last)
            .map(|i| json!({"id": format!("log-{i}"), "message": format!("entry {i}")}))
            .collect();
        raw(json!({"data": data, "page": page, "limit": 50, "total": total}))
    };
    let mut answers: Vec<Fault> = (1..=30).map(|p| page(p, p * 50 - 49, p * 50, 1500)).collect();
    answers.push(page(31, 1501, 1501, 1501));
    mock.inject("get_trade_logs", answers);
    let mut follow = client
        .follow_trade_logs("trade-1")
        .every(Duration::from_millis(10))
        .clock(Arc::new(Simulated(mock.clock())));
    let entry = follow.next().await.unwrap();
    assert_eq!(entry.message.as_deref(), Some("entry 1501"));
}

/// A server that stamps each signal with the candle that closed last (not the open one): the
/// next poll still comes as the open interval ends, not at once and then in a growing wait.
#[tokio::test]
async fn signals_stamped_with_the_last_closed_candle_are_polled_at_the_intervals_end() {
    let mock = MockServer::start(Config::default()).unwrap();
    let client = Client::builder().base_url(mock.url()).no_retry().build().unwrap();
    let open = mock.now_ms() / (5 * MINUTE) * (5 * MINUTE);
    let signal =
        |t: i64, word: &str| raw(json!({"symbol": "BTC", "interval": "5m", "signal": word, "timestamp": t}));
    mock.inject("get_signals", [signal(open - 5 * MINUTE, "buy"), signal(open, "sell")]);
    let mut watch = client
        .watch_signals("BTC", "5m")
        .unwrap()
        .jitter(Duration::ZERO)
        .clock(Arc::new(Simulated(mock.clock())));
    for want in ["buy", "sell"] {
        let SignalEvent::Signal(s) = watch.next().await.unwrap() else { panic!("a signal") };
        assert_eq!(s["signal"], want);
    }
    let polls = mock.requests(Some("get_signals"));
    assert_eq!(polls.len(), 2);
    assert!(polls[1].at_ms >= open + 5 * MINUTE, "the second poll waited for the interval's end");
}
