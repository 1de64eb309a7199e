//! One test per endpoint group, through the public API, against the simulator.

mod common;

use alura::{AdvanceTrade, Asset, Error, ExecutionStrategy, QuickTrade, StrategyDuration};
use common::{client, mock};
use futures_util::TryStreamExt;

#[tokio::test]
async fn auth() {
    let mock = mock();
    let (client, _) = client(&mock);
    client.login().await.unwrap();
    let key = client.api().get_trading_key().send().await.unwrap().into_inner();
    let agent = key.agent_address.unwrap();
    assert!(agent.starts_with("0x") && agent.len() == 42);
    assert_ne!(agent.parse().ok(), client.address(), "the agent is not the user's wallet");
}

#[tokio::test]
async fn trading_sessions() {
    let mock = mock();
    let (client, _) = client(&mock);
    let quick = client
        .quick_trade(QuickTrade { max_positions: Some(3), ..QuickTrade::new(Asset::SOL, 150, 25) })
        .await
        .unwrap();
    assert_eq!((quick.asset_index, quick.status.as_deref()), (Some(2), Some("active")));
    let quick_id = quick.id.unwrap();

    for (asset, strategy) in [
        (Asset::ETH, ExecutionStrategy::Conservative),
        (Asset::XRP, ExecutionStrategy::Aggressive),
        (Asset::DOGE, ExecutionStrategy::Degen),
    ] {
        let s = client
            .advance_trade(AdvanceTrade::new(asset, 50, strategy, StrategyDuration::X7d))
            .await
            .unwrap();
        assert_eq!(s.execution_strategy.as_deref(), Some(strategy.to_string().as_str()));
        assert_eq!(s.strategy_duration.as_deref(), Some("7D"));
    }
    let active = client.api().list_active_sessions().send().await.unwrap().into_inner();
    assert_eq!(active.len(), 4);

    let err = client.quick_trade(QuickTrade::new(Asset::SOL, 50, 10)).await.unwrap_err();
    assert!(
        matches!(&err, Error::Api { status: 400, messages, .. }
        if messages == &["Duplicate asset index: you already have an active trading session for this asset"]),
        "{err:?}"
    );

    let logs = client.api().get_session_logs().session_id(&quick_id).send().await.unwrap().into_inner();
    assert!(!logs.is_empty());
    let trade = client.api().get_current_trade().send().await.unwrap().into_inner();
    let position_id = trade.positions[0].id.clone().unwrap();
    let trade_id = trade.id.unwrap();
    let signed = client
        .api()
        .get_close_position_signature()
        .position_id(&position_id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(signed.signature.map(|s| s.len()), Some(132));
    client.api().close_position().position_id(&position_id).send().await.unwrap();
    let closed = client.api().close_trade().trade_id(&trade_id).send().await.unwrap().into_inner();
    assert_eq!(closed.success, Some(true));
    let entries: Vec<_> = client.trade_logs(&trade_id).try_collect().await.unwrap();
    assert!(
        entries.iter().any(|e| e.message.as_deref().is_some_and(|m| m.contains("closed"))),
        "{entries:?}"
    );
    client.api().trigger_cron().send().await.unwrap();
}

#[tokio::test]
async fn user() {
    let mock = mock();
    let (client, _) = client(&mock);
    let before = client.api().get_profile().send().await.unwrap().into_inner();
    client.quick_trade(QuickTrade::new(Asset::AVAX, 100, 40)).await.unwrap();
    let by_asset =
        client.api().close_position_by_asset().body_map(|b| b.asset_index(5)).send().await.unwrap();
    assert_eq!(by_asset.closed, Some(1));
    let all = client.api().close_all_positions().send().await.unwrap();
    assert_eq!(all.closed, Some(0));
    assert_eq!(client.api().sync_fills().send().await.unwrap().synced, Some(1));
    client.api().withdraw().body_map(|b| b.amount(25.0)).send().await.unwrap();
    let to = alloy_signer_local::PrivateKeySigner::random().address().to_checksum(None);
    client.api().send_usdc().body_map(|b| b.destination(to).amount(10.0)).send().await.unwrap();
    let after = client.api().get_profile().send().await.unwrap().into_inner();
    let spent = before.balance.unwrap() - after.balance.unwrap();
    assert!(
        (spent - alura::Decimal::from(35)).abs() < 1.into(),
        "withdrew 25 and sent 10 (plus a tiny PnL): {spent}"
    );
    let err = Error::from(client.api().claim_reward().send().await.unwrap_err());
    assert!(
        matches!(&err, Error::Api { status: 400, messages, .. } if messages == &["No rewards to claim"]),
        "{err:?}"
    );
}

#[tokio::test]
async fn indicators() {
    let mock = mock();
    let (client, _) = client(&mock);
    let api = client.api();
    assert_eq!(api.get_indicators_health().send().await.unwrap().status.as_deref(), Some("ok"));
    let latest = api.get_latest_candles().symbols("BTC,ETH").send().await.unwrap().into_inner();
    assert_eq!(latest.iter().map(|c| c.symbol.clone().unwrap()).collect::<Vec<_>>(), ["BTC", "ETH"]);
    let history =
        api.get_candle_history().symbol("SOL").interval("1m").limit(500).send().await.unwrap().into_inner();
    assert_eq!(history.len(), 500);
    assert!(history.windows(2).all(|w| w[1].open_time.unwrap() - w[0].open_time.unwrap() == 60_000));
    for asset in Asset::ALL {
        let candles = api.get_candles().symbol(asset.symbol()).interval("4h").limit(10).send().await.unwrap();
        assert_eq!(candles.len(), 10);
        let signal = api.get_signals().symbol(asset.symbol()).interval("1h").send().await.unwrap();
        assert!(["BUY", "SELL", "HOLD"].contains(&signal.signal.as_deref().unwrap()));
    }
    assert_eq!(api.get_symbols().send().await.unwrap().symbols.len(), 6);
    assert_eq!(api.get_all_signals().interval("1d").send().await.unwrap().len(), 6);
    // The intervals are one list, checked before sending; the error lists them.
    let err = Error::from(api.get_candles().symbol("BTC").interval("7m").send().await.unwrap_err());
    assert_eq!(err.to_string(), "invalid input: interval must be one of 1m, 5m, 15m, 1h, 4h, 1d");
}

#[tokio::test]
async fn leaderboard() {
    let mock = mock();
    let (client, _) = client(&mock);
    let me = client.api().get_profile().send().await.unwrap().into_inner();
    client.quick_trade(QuickTrade::new(Asset::BTC, 100, 40)).await.unwrap();
    let api = client.api();
    assert_eq!(api.get_leaderboard_stats().send().await.unwrap().total_users, Some(1));
    let rankings = api.get_rankings().page(1).limit(10).period("all").send().await.unwrap().into_inner();
    assert_eq!(rankings.data[0].user_id, me.id);
    let me_id = me.id.unwrap();
    assert_eq!(api.get_user_ranking().user_id(&me_id).send().await.unwrap().rank, Some(1));
    assert_eq!(api.get_leaderboard_analytics().send().await.unwrap().top_performers.len(), 1);
    assert_eq!(api.get_leaderboard_health().send().await.unwrap().status.as_deref(), Some("ok"));
    let err = Error::from(api.get_user_ranking().user_id("nobody").send().await.unwrap_err());
    assert!(matches!(err, Error::Api { status: 404, .. }), "{err:?}");
}

#[tokio::test]
async fn referrals() {
    let mock = mock();
    let (client, _) = client(&mock);
    let me = client.api().get_profile().send().await.unwrap().into_inner();
    let me_id = me.id.unwrap();
    let code = client
        .api()
        .create_referral_code()
        .user_id(&me_id)
        .body_map(|b| b.code("MOON2026".to_owned()))
        .send()
        .await
        .unwrap();
    assert_eq!(code.code.as_deref(), Some("MOON2026"));
    let check =
        client.api().check_referral_code().body_map(|b| b.code("moon2026".to_owned())).send().await.unwrap();
    assert_eq!((check.valid, check.referrer_id.as_deref()), (Some(true), Some(me_id.as_str())));
    let info = client.api().get_referral_info().user_id(&me_id).send().await.unwrap();
    assert_eq!(info.referral_code.as_deref(), Some("MOON2026"));
    assert_eq!(
        client.api().get_referral_stats().user_id(&me_id).send().await.unwrap().total_referrals,
        Some(0)
    );
    let (other, _) = common::client(&mock);
    let err = Error::from(other.api().get_referral_info().user_id(&me_id).send().await.unwrap_err());
    assert!(matches!(err, Error::Api { status: 403, .. }), "{err:?}");
}

#[tokio::test]
async fn usdc_verification() {
    let mock = mock();
    let (client, _) = client(&mock);
    let tx = format!("0x{}", "7f".repeat(32));
    let deposit =
        client.api().verify_usdc_deposit().body_map(|b| b.tx_hash(tx.clone())).send().await.unwrap();
    assert_eq!(deposit.status.as_deref(), Some("verified"));
    let mine = client.api().list_my_transactions().send().await.unwrap();
    assert_eq!(mine[0].tx_hash.as_ref(), Some(&tx));
    assert_eq!(client.api().get_total_deposited().send().await.unwrap().total, deposit.amount);
    let err =
        Error::from(client.api().verify_usdc_deposit().body_map(|b| b.tx_hash(tx)).send().await.unwrap_err());
    assert!(matches!(err, Error::Api { status: 409, .. }), "{err:?}");
}

#[tokio::test]
async fn health() {
    let mock = mock();
    let (client, _) = client(&mock);
    assert_eq!(client.api().health_check().send().await.unwrap().status.as_deref(), Some("ok"));
    assert_eq!(client.api().kafka_health_check().send().await.unwrap().status.as_deref(), Some("ok"));
}
