//! Every wait a call makes is bounded by the call's own time, and nothing slow runs while
//! other calls wait for the login.

mod common;

use std::sync::mpsc;
use std::time::{Duration, Instant};

use alloy_signer_local::PrivateKeySigner;
use alura::{Client, Error};
use common::hostile::{Hostile, json, with_login};
use serde_json::json as value;

/// A server that holds every login off with `Retry-After: 30`: a call with a 2-second timeout
/// gives up after about 2 seconds, as a timeout during the login, not after the minute the
/// login's own retries would wait.
#[tokio::test]
async fn a_login_held_off_with_retry_after_is_bounded_by_the_calls_timeout() {
    let server = Hostile::start(|req| match req.path.as_str() {
        "/auth/evm/challenge" => common::hostile::http(
            "429 Too Many Requests",
            &[("retry-after", "30"), ("content-type", "application/json")],
            r#"{"statusCode":429,"message":"ThrottlerException: Too Many Requests"}"#,
        ),
        _ => json("200 OK", value!({"address": "0x0"})),
    })
    .await;
    let client = Client::builder()
        .base_url(&server.url)
        .signer(PrivateKeySigner::random())
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.api().get_profile().send().await.map_err(Error::from).unwrap_err();
    let took = started.elapsed();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(err.call_info().is_some_and(|c| c.during_login), "{err}");
    assert!(err.to_string().contains("while logging in"), "{err}");
    assert!(took < Duration::from_secs(4), "the call waited {took:?} for a login held off for 30 s");
    assert!(took >= Duration::from_millis(1900), "it gave the login its time: {took:?}");
}

/// `on_token` runs once the login lock is released: a callback that takes its time (a slow
/// store, a lock of the caller's) holds up no other call that needs the token.
#[tokio::test(flavor = "multi_thread", worker_threads = 3)]
async fn on_token_runs_outside_the_login_lock() {
    let server = with_login(|_| json("200 OK", value!({"address": "0xabc"}))).await;
    let (started_tx, started_rx) = mpsc::channel::<()>();
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let done_rx = std::sync::Mutex::new(done_rx);
    let client = Client::builder()
        .base_url(&server.url)
        .signer(PrivateKeySigner::random())
        .on_token(move |_| {
            let _ = started_tx.send(());
            // Until the other call is done, or 5 s: under the lock, it could never be. Off the
            // worker, as the bindings run their callbacks, so the runtime goes on meanwhile.
            tokio::task::block_in_place(|| {
                let _ = done_rx.lock().unwrap().recv_timeout(Duration::from_secs(5));
            });
        })
        .build()
        .unwrap();
    let first = tokio::spawn({
        let client = client.clone();
        async move { client.api().get_profile().send().await.map_err(Error::from) }
    });
    tokio::task::spawn_blocking(move || started_rx.recv_timeout(Duration::from_secs(5)).unwrap())
        .await
        .unwrap();
    let other = tokio::time::timeout(Duration::from_secs(3), client.api().get_profile().send()).await;
    let _ = done_tx.send(());
    assert!(other.is_ok(), "a call waited for on_token to return");
    other.unwrap().unwrap();
    first.await.unwrap().unwrap();
}

/// `is_timeout()` says whether the call ran out of time, whichever class that made it: a GET
/// gives up as a `Timeout`, a POST that got no answer in time is an unknown outcome that timed
/// out, and one that heard a 503 did not.
#[tokio::test]
async fn is_timeout_says_whether_the_call_ran_out_of_time() {
    use alura_mock::Fault;
    let mock = common::mock();
    let waits = std::sync::Arc::new(common::Waits::default());
    let client =
        common::builder(&mock, &waits).timeout(Duration::from_millis(300)).no_retry().build().unwrap();
    client.login().await.unwrap();
    mock.inject("get_symbols", [Fault::Delay { ms: 1500 }]);
    let get = client.api().get_symbols().send().await.map_err(Error::from).unwrap_err();
    assert!(matches!(get, Error::Timeout { .. }) && get.is_timeout(), "{get:?}");
    let trade = || alura::QuickTrade::new(alura::Asset::BTC, 100, 40);
    mock.inject("create_trading_session", [Fault::Delay { ms: 1500 }]);
    let post = client.quick_trade(trade()).await.unwrap_err();
    assert!(matches!(post, Error::OutcomeUnknown { .. }) && post.is_timeout(), "{post:?}");
    mock.inject("create_trading_session", [common::status(503, &[])]);
    let failed = client.quick_trade(trade()).await.unwrap_err();
    assert!(matches!(failed, Error::OutcomeUnknown { .. }) && !failed.is_timeout(), "{failed:?}");
}

/// A login started by a call whose runtime then stops running (an event loop closed or busy, a
/// thread's runtime left idle) ends on its own when logins run on `login_tasks`, and the calls of
/// every other runtime share it; in the call's own task it held the login lock until that
/// runtime ran again, and every other runtime's call timed out.
#[test]
fn a_login_started_on_a_runtime_that_stops_running_still_serves_other_runtimes() {
    let mock = alura_mock::MockServer::start(alura_mock::Config::default()).unwrap();
    mock.inject("verify_signature", [alura_mock::Fault::Delay { ms: 400 }]);
    let background =
        tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let handle = background.handle().clone();
    let client = Client::builder()
        .base_url(mock.url())
        .signer(PrivateKeySigner::random())
        .timeout(Duration::from_secs(3))
        .login_tasks(std::sync::Arc::new(move |task| {
            handle.spawn(task);
            true
        }))
        .build()
        .unwrap();
    let stalled = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let first_client = client.clone();
    let first =
        stalled.spawn(async move { first_client.call("get_profile", Default::default()).await.map(drop) });
    // Long enough for the call to start its login, which the server holds for 400 ms; then this
    // runtime is not run again until the end.
    stalled.block_on(async { tokio::time::sleep(Duration::from_millis(100)).await });
    assert!(!first.is_finished());

    let other = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let started = Instant::now();
    let profile = other.block_on(client.call("get_profile", Default::default())).and_then(|r| r.to_value());
    assert!(profile.is_ok(), "{profile:?}");
    assert!(started.elapsed() < Duration::from_millis(2500), "took {:?}", started.elapsed());
    assert_eq!(mock.counters()["verify_signature"], 1, "one login for both runtimes' calls");
    stalled.block_on(first).unwrap().expect("the first call, run again, has the token");
}
