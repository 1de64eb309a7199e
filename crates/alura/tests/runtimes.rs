//! One client, several Tokio runtimes: what `#[tokio::test]`s sharing a client meet, or a
//! program with a runtime per thread (the Python binding's sync calls).

use std::time::{Duration, Instant};

use alura::{Client, Error, RetryPolicy};
use alura_mock::{Config, MockServer};
use tokio::runtime::Runtime;

fn current_thread() -> Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

async fn latest(client: &Client) -> Result<usize, Error> {
    Ok(client.api().get_latest_candles().send().await?.into_inner().len())
}

#[test]
fn a_client_shared_by_two_runtimes_answers_on_each() {
    let mock = MockServer::start(Config::default()).unwrap();
    let client = Client::builder()
        .base_url(mock.url())
        .timeout(Duration::from_secs(2))
        .retry(RetryPolicy { max_retries: 0, ..RetryPolicy::default() })
        .build()
        .unwrap();
    let first = current_thread();
    assert_eq!(first.block_on(latest(&client)).unwrap(), 6);
    // `first` lives on, idle: nothing runs its tasks, among them the connection it opened.
    let second = current_thread();
    let started = Instant::now();
    let answer = second.block_on(latest(&client));
    assert_eq!(answer.unwrap(), 6, "the second runtime's call must not wait on the first's connection");
    assert!(started.elapsed() < Duration::from_secs(1), "took {:?}", started.elapsed());
    assert_eq!(first.block_on(latest(&client)).unwrap(), 6);
    // A runtime that is gone leaves nothing behind that a later call could pick.
    drop(first);
    let third = current_thread();
    assert_eq!(third.block_on(latest(&client)).unwrap(), 6);
}
