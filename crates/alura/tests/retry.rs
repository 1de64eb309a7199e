//! The retry matrix: each fault from the simulator, and how often the call reached the server.

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use alura::{Asset, Error, QuickTrade, RetryPolicy};
use alura_mock::Fault;
use common::{Waits, builder, client, mock, sent, status};

fn quick() -> QuickTrade {
    QuickTrade::new(Asset::BTC, 100, 40)
}

#[tokio::test]
async fn a_429_waits_exactly_what_retry_after_says() {
    let mock = mock();
    let (client, waits) = client(&mock);
    mock.inject("get_symbols", [status(429, &[("Retry-After", "1")])]);
    client.api().get_symbols().send().await.unwrap();
    assert_eq!(waits.all(), [Duration::from_secs(1)]);
    assert_eq!(sent(&mock, "get_symbols"), 2);
}

#[tokio::test]
async fn a_429_on_a_post_is_retried_with_the_same_idempotency_key() {
    let mock = mock();
    let (client, waits) = client(&mock);
    client.login().await.unwrap();
    mock.inject("create_trading_session", [status(429, &[("Retry-After", "2")])]);
    client.quick_trade(quick()).await.unwrap();
    assert_eq!(waits.all(), [Duration::from_secs(2)]);
    let log = mock.requests(Some("create_trading_session"));
    assert_eq!(log.len(), 2);
    assert!(log[0].idempotency_key.is_some());
    assert_eq!(log[0].idempotency_key, log[1].idempotency_key);
    assert_eq!(log[0].body_sha256, log[1].body_sha256);
    let active = client.api().list_active_sessions().send().await.unwrap().into_inner();
    assert_eq!(active.len(), 1, "one session, not two");
}

#[tokio::test]
async fn every_post_has_its_own_idempotency_key() {
    let mock = mock();
    let (client, _) = client(&mock);
    client.quick_trade(quick()).await.unwrap();
    client.quick_trade(QuickTrade::new(Asset::ETH, 100, 40)).await.unwrap();
    let keys: BTreeSet<_> = mock
        .requests(None)
        .into_iter()
        .filter(|r| r.method == "POST")
        .map(|r| r.idempotency_key.unwrap())
        .collect();
    assert_eq!(keys.len(), 4, "challenge, verify and two sessions: {keys:?}");
}

#[tokio::test]
async fn a_503_burst_on_a_get_is_ridden_out_with_capped_backoff() {
    let mock = mock();
    let waits = Arc::new(Waits::default());
    let policy = RetryPolicy {
        max_retries: 3,
        base_delay: Duration::from_millis(100),
        max_delay: Duration::from_millis(250),
        ..Default::default()
    };
    let client = builder(&mock, &waits).retry(policy).build().unwrap();
    mock.inject("get_candles", [status(503, &[]), status(503, &[]), status(503, &[])]);
    let candles = client.api().get_candles().symbol("ETH").interval("1h").limit(3).send().await.unwrap();
    assert_eq!(candles.len(), 3);
    assert_eq!(sent(&mock, "get_candles"), 4);
    let w = waits.all();
    assert_eq!(w.len(), 3);
    assert!(
        w[0] <= Duration::from_millis(100)
            && w[1] <= Duration::from_millis(200)
            && w[2] <= Duration::from_millis(250),
        "{w:?}"
    );
}

#[tokio::test]
async fn a_503_on_a_post_is_outcome_unknown_and_sent_once() {
    let mock = mock();
    let (client, waits) = client(&mock);
    client.login().await.unwrap();
    mock.inject("create_trading_session", [status(503, &[("Retry-After", "1")])]);
    let err = client.quick_trade(quick()).await.unwrap_err();
    assert!(
        matches!(&err, Error::OutcomeUnknown { status: Some(503), operation, .. } if operation == "create_trading_session"),
        "{err:?}"
    );
    assert_eq!(sent(&mock, "create_trading_session"), 1);
    assert!(waits.all().is_empty());
}

#[tokio::test]
async fn a_dropped_connection_is_retried_for_a_get_but_not_for_a_post() {
    let mock = mock();
    let (client, _) = client(&mock);
    client.login().await.unwrap();
    mock.inject("get_profile", [Fault::Close]);
    client.api().get_profile().send().await.unwrap();
    assert_eq!(sent(&mock, "get_profile"), 2);

    mock.inject("create_trading_session", [Fault::Close]);
    let err = client.quick_trade(quick()).await.unwrap_err();
    assert!(matches!(err, Error::OutcomeUnknown { status: None, .. }), "{err:?}");
    assert_eq!(sent(&mock, "create_trading_session"), 1);
}

#[tokio::test]
async fn a_refused_connection_is_a_network_error_after_the_retries() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let waits = Arc::new(Waits::default());
    let client = alura::Client::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .sleeper(waits.clone())
        .build()
        .unwrap();
    let err = Error::from(client.api().health_check().send().await.unwrap_err());
    assert!(matches!(err, Error::Network { .. }), "{err:?}");
    assert!(std::error::Error::source(&err).is_some(), "the cause is kept");
    assert_eq!(waits.all().len(), 2, "two retries by default");
    // Nothing was sent, so even a POST may be retried.
    let err = Error::from(
        client.api().check_referral_code().body_map(|b| b.code("X".to_owned())).send().await.unwrap_err(),
    );
    assert!(matches!(err, Error::Network { .. }), "{err:?}");
    assert_eq!(waits.all().len(), 4);
}

#[tokio::test]
async fn a_timeout_is_retried_for_a_get_and_outcome_unknown_for_a_post() {
    let mock = mock();
    let waits = Arc::new(Waits::default());
    let client = builder(&mock, &waits).timeout(Duration::from_millis(300)).build().unwrap();
    client.login().await.unwrap();
    mock.inject("get_profile", [Fault::Delay { ms: 1500 }]);
    client.api().get_profile().send().await.unwrap();
    assert_eq!(sent(&mock, "get_profile"), 2);

    mock.inject("create_trading_session", [Fault::Delay { ms: 1500 }]);
    let err = client.quick_trade(quick()).await.unwrap_err();
    assert!(matches!(&err, Error::OutcomeUnknown { reason, .. } if reason.contains("timeout")), "{err:?}");
    assert_eq!(sent(&mock, "create_trading_session"), 1);
}

#[tokio::test]
async fn a_malformed_or_truncated_body_is_a_decode_error_and_not_resent() {
    let mock = mock();
    let (client, _) = client(&mock);
    mock.inject("get_leaderboard_stats", [Fault::Malformed, Fault::Truncated]);
    for _ in 0..2 {
        let err = Error::from(client.api().get_leaderboard_stats().send().await.unwrap_err());
        assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    }
    assert_eq!(sent(&mock, "get_leaderboard_stats"), 2);
}

#[tokio::test]
async fn a_retry_after_beyond_the_deadline_fails_at_once() {
    let mock = mock();
    let waits = Arc::new(Waits::default());
    let policy = RetryPolicy { deadline: Duration::from_secs(5), ..Default::default() };
    let client = builder(&mock, &waits).retry(policy).build().unwrap();
    mock.inject("get_symbols", [status(429, &[("Retry-After", "30")])]);
    let err = Error::from(client.api().get_symbols().send().await.unwrap_err());
    assert!(
        matches!(err, Error::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(30)),
        "{err:?}"
    );
    assert!(waits.all().is_empty());
    assert_eq!(sent(&mock, "get_symbols"), 1);
}

#[tokio::test]
async fn the_deadline_bounds_the_whole_call() {
    let mock = mock();
    let policy = RetryPolicy { max_retries: 10, deadline: Duration::from_millis(900), ..Default::default() };
    let client = alura::Client::builder()
        .base_url(mock.url())
        .timeout(Duration::from_millis(400))
        .retry(policy)
        .build()
        .unwrap();
    mock.inject("get_symbols", (0..10).map(|_| Fault::Delay { ms: 3000 }));
    let started = Instant::now();
    let err = Error::from(client.api().get_symbols().send().await.unwrap_err());
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_millis(2500),
        "stopped near the deadline: {:?}",
        started.elapsed()
    );
    assert!(sent(&mock, "get_symbols") <= 3, "no attempt starts after the deadline");
}

#[tokio::test]
async fn retries_off_sends_once() {
    let mock = mock();
    let waits = Arc::new(Waits::default());
    let client = builder(&mock, &waits).no_retry().build().unwrap();
    mock.inject("health_check", [status(503, &[])]);
    let err = Error::from(client.api().health_check().send().await.unwrap_err());
    assert!(matches!(err, Error::Api { status: 503, .. }), "{err:?}");
    assert_eq!(sent(&mock, "health_check"), 1);
    // The same client with retries on shares the connection pool and the token.
    mock.inject("health_check", [status(503, &[])]);
    client.with_retry(RetryPolicy::default()).api().health_check().send().await.unwrap();
    assert_eq!(sent(&mock, "health_check"), 3);
}

#[tokio::test]
async fn with_timeout_sets_the_limit_either_way_from_the_builders() {
    let mock = mock();
    let retry = RetryPolicy { max_retries: 0, ..Default::default() };
    let base = alura::Client::builder().base_url(mock.url()).retry(retry).timeout(Duration::from_millis(300));
    let client = base.build().unwrap();
    // Longer than the builder's limit: a 700 ms answer arrives.
    mock.inject("get_symbols", [Fault::Delay { ms: 700 }]);
    client.with_timeout(Duration::from_secs(5)).api().get_symbols().send().await.unwrap();
    // The builder's own limit still holds for the client it made.
    mock.inject("get_symbols", [Fault::Delay { ms: 700 }]);
    let err = Error::from(client.api().get_symbols().send().await.unwrap_err());
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    // Shorter than the builder's limit.
    let patient = alura::Client::builder().base_url(mock.url()).retry(retry).build().unwrap();
    mock.inject("get_symbols", [Fault::Delay { ms: 700 }]);
    let err = Error::from(
        patient.with_timeout(Duration::from_millis(200)).api().get_symbols().send().await.unwrap_err(),
    );
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert_eq!(sent(&mock, "get_symbols"), 3);
}
