//! Helpers for the SDK's tests against the simulator.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use alloy_signer_local::PrivateKeySigner;
use alura::{Client, ClientBuilder, Sleeper};
use alura_mock::{Config, Fault, MockServer};

/// Records every wait and returns at once, so tests see the backoff without sleeping.
#[derive(Default)]
pub struct Waits(Mutex<Vec<Duration>>);

impl Waits {
    pub fn all(&self) -> Vec<Duration> {
        self.0.lock().unwrap().clone()
    }
}

impl Sleeper for Waits {
    fn sleep(&self, duration: Duration) -> alura_api::BoxFuture<'static, ()> {
        self.0.lock().unwrap().push(duration);
        Box::pin(std::future::ready(()))
    }
}

pub fn mock() -> MockServer {
    MockServer::start(Config::default()).unwrap()
}

/// A builder for `mock` with a fresh wallet and a recording sleeper.
pub fn builder(mock: &MockServer, waits: &Arc<Waits>) -> ClientBuilder {
    Client::builder().base_url(mock.url()).signer(PrivateKeySigner::random()).sleeper(waits.clone())
}

pub fn client(mock: &MockServer) -> (Client, Arc<Waits>) {
    let waits = Arc::new(Waits::default());
    (builder(mock, &waits).build().unwrap(), waits)
}

pub fn status(code: u16, headers: &[(&str, &str)]) -> Fault {
    Fault::Status {
        status: code,
        headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        body: None,
    }
}

/// How often the simulator received `operation`.
pub fn sent(mock: &MockServer, operation: &str) -> usize {
    mock.requests(Some(operation)).len()
}
