//! The rate budget the client keeps: against a throttled server, calls wait their turn instead of
//! meeting the throttler; against one that says nothing of a limit, nothing waits.

use std::time::{Duration, Instant};

use alura::{Client, Error};
use alura_mock::{Config, Fault, MockServer};
use futures_util::future::join_all;
use serde_json::Map;

async fn symbols(client: &Client, n: usize) -> Vec<Result<(), Error>> {
    join_all((0..n).map(|_| async { client.call("get_symbols", Map::new()).await.map(drop) })).await
}

/// 300 calls at once against a server throttled to 100 a second, as `@nestjs/throttler` does:
/// all of them answered, about 300 requests sent (not 600: no call retried into the same wall),
/// in about the three windows the limit allows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_wait_their_turn_instead_of_meeting_the_throttler() {
    let mock = MockServer::start(Config { rate_limit: Some("100/1s".parse().unwrap()), ..Config::default() })
        .unwrap();
    let client = Client::builder().base_url(mock.url()).build().unwrap();
    assert_eq!(client.rate_limit(), None, "nothing known before an answer");
    let started = Instant::now();
    let outcomes = symbols(&client, 300).await;
    let elapsed = started.elapsed();
    let failed: Vec<_> = outcomes.iter().filter_map(|o| o.as_ref().err()).collect();
    assert!(failed.is_empty(), "{} failed, the first: {:?}", failed.len(), failed.first());
    let sent = mock.requests(Some("get_symbols"));
    let refused = sent.iter().filter(|r| r.status == Some(429)).count();
    assert!(refused <= 3, "at most one 429 a window, {refused} in all");
    assert_eq!(sent.len(), 300 + refused, "each call sent once, and again only after a 429");
    assert!(elapsed >= Duration::from_secs(2), "three windows' worth: {elapsed:?}");
    assert!(elapsed < Duration::from_secs(8), "and not much more: {elapsed:?}");
    let known = client.rate_limit().expect("the throttler's headers were read");
    assert_eq!((known.operation.as_str(), known.limit), ("get_symbols", 100));
    // Every client of this process calling as the same user shares the budget.
    let other = Client::builder().base_url(mock.url()).build().unwrap();
    assert_eq!(other.rate_limit().map(|r| r.limit), Some(100));
}

/// A server that sends no limit: after the first answer says so, calls go at once, together.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_limit_nothing_waits() {
    let mock = MockServer::start(Config::default()).unwrap();
    mock.inject("get_symbols", (0..40).map(|_| Fault::Delay { ms: 300 }));
    let client = Client::builder().base_url(mock.url()).build().unwrap();
    let started = Instant::now();
    assert!(symbols(&client, 40).await.iter().all(Result::is_ok));
    // The first alone (300 ms), then the other 39 together: 12 s if they went one by one.
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    assert_eq!(client.rate_limit(), None);
}

/// A ceiling of the user's own (`max_rate`) holds under any server: 15 calls at once with at most
/// 5 a second never send a sixth within a second.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ceiling_of_ones_own_holds_whatever_the_server_allows() {
    let mock = MockServer::start(Config::default()).unwrap();
    let client = Client::builder().base_url(mock.url()).max_rate("5/s".parse().unwrap()).build().unwrap();
    let started = Instant::now();
    assert!(symbols(&client, 15).await.iter().all(Result::is_ok));
    assert!(started.elapsed() >= Duration::from_secs(2), "{:?}", started.elapsed());
    let at: Vec<i64> = mock.requests(Some("get_symbols")).iter().map(|r| r.at_ms).collect();
    for (i, first) in at.iter().enumerate() {
        let within = at[i..].iter().take_while(|t| **t < first + 1000).count();
        assert!(within <= 5, "{within} requests within a second of {first}: {at:?}");
    }
    assert_eq!(client.rate_limit(), None, "a ceiling of one's own is not the server's limit");
    // Refused as the option is spelled, in the user's words.
    let wrong = alura::ClientOptions { max_rate: Some("fast".into()), ..alura::ClientOptions::default() };
    let err = wrong.into_builder().expect_err("refused");
    assert!(err.to_string().contains("max_rate"), "{err}");
}
