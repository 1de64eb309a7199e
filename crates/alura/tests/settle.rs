//! `Client::settle`: what became of a POST whose outcome is unknown, found out without sending
//! it again.

mod common;

use std::time::Duration;

use alura::{Asset, Error, QuickTrade, Settlement};
use alura_mock::Fault;
use common::{Waits, builder, mock, sent, status};

fn trade() -> QuickTrade {
    QuickTrade::new(Asset::BTC, 100, 40)
}

fn client(mock: &alura_mock::MockServer) -> alura::Client {
    let waits = std::sync::Arc::new(Waits::default());
    builder(mock, &waits).timeout(Duration::from_secs(2)).build().unwrap()
}

/// Handled, then the answer stalls after its first bytes until the client gives up: the
/// server acted, and the client cannot tell.
fn stalled() -> Fault {
    Fault::Stall { after_bytes: 5, ms: 10_000 }
}

#[tokio::test]
async fn a_session_the_server_opened_before_the_answer_was_lost_has_landed() {
    let mock = mock();
    let client = client(&mock);
    client.login().await.unwrap();
    mock.inject("create_trading_session", [stalled()]);
    let err = client.quick_trade(trade()).await.unwrap_err();
    assert!(matches!(err, Error::OutcomeUnknown { .. }), "{err:?}");
    let settled = client.settle(&err).await.unwrap();
    let Settlement::Landed { result } = settled else { panic!("not landed: {settled:?}") };
    assert_eq!(result["assetIndex"], 0);
    assert_eq!(result["status"], "active");
    assert_eq!(sent(&mock, "create_trading_session"), 1, "never sent again");
}

#[tokio::test]
async fn a_request_the_server_never_handled_has_not_landed() {
    let mock = mock();
    let client = client(&mock);
    client.login().await.unwrap();
    mock.inject("create_trading_session", [Fault::Close]);
    let err = client.quick_trade(trade()).await.unwrap_err();
    assert!(matches!(client.settle(&err).await.unwrap(), Settlement::NotLanded { .. }));
    assert_eq!(sent(&mock, "create_trading_session"), 1);
}

#[tokio::test]
async fn a_second_session_for_an_asset_the_server_refused_has_not_landed() {
    let mock = mock();
    let client = client(&mock);
    client.quick_trade(trade()).await.unwrap();
    // Later than the two clocks may differ by, so the session is clearly older than the call.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    mock.inject("create_trading_session", [Fault::Close]);
    let err = client.quick_trade(trade()).await.unwrap_err();
    let settled = client.settle(&err).await.unwrap();
    let Settlement::NotLanded { reason } = settled else { panic!("landed? {settled:?}") };
    assert!(reason.contains("opened before the call"), "{reason}");
}

#[tokio::test]
async fn a_lookup_that_fails_leaves_it_unknown() {
    let mock = mock();
    let client = client(&mock);
    client.login().await.unwrap();
    mock.inject("create_trading_session", [Fault::Close]);
    mock.inject("list_active_sessions", [status(503, &[]), status(503, &[]), status(503, &[])]);
    let err = client.quick_trade(trade()).await.unwrap_err();
    let Settlement::StillUnknown { reason } = client.settle(&err).await.unwrap() else { panic!("known?") };
    assert!(reason.contains("could not be read"), "{reason}");
}

#[tokio::test]
async fn a_trade_closed_before_the_answer_was_lost_has_landed_and_other_errors_are_refused() {
    let mock = mock();
    let client = client(&mock);
    client.quick_trade(trade()).await.unwrap();
    let current = client.api().get_current_trade().send().await.unwrap().into_inner();
    let id = current.id.clone().unwrap();
    mock.inject("close_trade", [stalled()]);
    let err = client.api().close_trade().trade_id(&id).send().await.map_err(Error::from).unwrap_err();
    assert!(matches!(err, Error::OutcomeUnknown { .. }), "{err:?}");
    assert!(matches!(client.settle(&err).await.unwrap(), Settlement::Landed { .. }));

    let refused = client.settle(&Error::Timeout { elapsed: Duration::ZERO, call: Box::default() }).await;
    assert!(matches!(refused, Err(Error::InvalidInput { .. })), "{refused:?}");
}

#[tokio::test]
async fn a_session_with_other_terms_or_another_open_trade_leaves_it_unknown() {
    let mock = mock();
    let client = client(&mock);
    client.quick_trade(trade()).await.unwrap();
    // Within the clocks' slack of the first, for the same asset, but for another budget.
    mock.inject("create_trading_session", [Fault::Close]);
    let err = client.quick_trade(QuickTrade::new(Asset::BTC, 50, 40)).await.unwrap_err();
    let settled = client.settle(&err).await.unwrap();
    assert!(
        matches!(&settled, Settlement::StillUnknown { reason } if reason.contains("other terms")),
        "{settled:?}"
    );

    // Two open trades: only the newest shows, so the older one's close cannot be told.
    let older = client.api().get_current_trade().send().await.unwrap().into_inner().id.unwrap();
    client.quick_trade(QuickTrade::new(Asset::ETH, 100, 40)).await.unwrap();
    mock.inject("close_trade", [Fault::Close]);
    let err = client.api().close_trade().trade_id(&older).send().await.map_err(Error::from).unwrap_err();
    assert!(matches!(err, Error::OutcomeUnknown { .. }), "{err:?}");
    let settled = client.settle(&err).await.unwrap();
    assert!(matches!(settled, Settlement::StillUnknown { .. }), "not closed: {settled:?}");
}
