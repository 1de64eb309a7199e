//! Helpers for the SDK's tests against the simulator.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use alloy_signer_local::PrivateKeySigner;
use alura::{Client, ClientBuilder, Sleeper};
use alura_mock::{Config, Fault, MockServer};

pub mod hostile;
pub mod untrusted_tls;

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

/// A builder for `mock` with a fresh wallet and a recording sleeper, strict: against our own
/// simulator any answer that does not fit the spec is a bug in one of them.
pub fn builder(mock: &MockServer, waits: &Arc<Waits>) -> ClientBuilder {
    Client::builder()
        .base_url(mock.url())
        .signer(PrivateKeySigner::random())
        .sleeper(waits.clone())
        .strict(true)
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

/// Everything a tracing subscriber writes, kept for a test to read.
#[derive(Clone, Default)]
pub struct Capture(Arc<Mutex<Vec<u8>>>);

impl Capture {
    /// Installs a subscriber at `level` on this thread writing here; keep the guard alive.
    pub fn install(&self, level: tracing::Level) -> tracing::subscriber::DefaultGuard {
        let writer = self.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(level)
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_default(subscriber)
    }

    /// What was written since the last take.
    pub fn take(&self) -> String {
        String::from_utf8(std::mem::take(&mut *self.0.lock().unwrap())).unwrap()
    }
}

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The simulator's clock as a watch's market clock: a watch that sleeps moves it, so hours of
/// candles pass in milliseconds.
pub struct Simulated(pub alura_mock::SimulatedClock);

impl alura::MarketClock for Simulated {
    fn now_ms(&self) -> i64 {
        self.0.now_ms()
    }

    fn sleep(&self, duration: Duration) -> alura::BoxFuture<'static, ()> {
        self.0.advance(duration);
        Box::pin(tokio::task::yield_now())
    }
}
