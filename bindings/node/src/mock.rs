//! `NativeMockServer`: the Rust simulator in-process, for tests.

use std::sync::Mutex;
use std::time::Duration;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::{Value, json};

#[napi(object)]
pub struct MockOptions {
    pub port: Option<u16>,
    pub token_ttl: Option<u32>,
    pub seed: Option<u32>,
    /// Requests per window, as `100/5s` (`lib/testing.js` writes a number as per second).
    pub rate_limit: Option<String>,
    /// Answers like a backend whose shapes differ from the spec (extra fields, decimals as
    /// strings, nulls, missing optional fields).
    pub drift: Option<bool>,
}

#[napi]
pub struct NativeMockServer {
    server: Mutex<Option<alura_mock::MockServer>>,
    url: String,
}

impl NativeMockServer {
    fn with<T>(&self, f: impl FnOnce(&alura_mock::MockServer) -> T) -> Result<T> {
        let guard = self.server.lock().map_err(|_| Error::from_reason("the simulator lock is poisoned"))?;
        guard.as_ref().map(f).ok_or_else(|| Error::from_reason("the simulator was closed"))
    }

    /// Its clock, for a watch stream to run on in tests.
    pub fn clock(&self) -> Result<alura_mock::SimulatedClock> {
        self.with(alura_mock::MockServer::clock)
    }
}

#[napi]
impl NativeMockServer {
    #[napi(constructor)]
    pub fn new(options: Option<MockOptions>) -> Result<Self> {
        let o = options.unwrap_or(MockOptions {
            port: None,
            token_ttl: None,
            seed: None,
            rate_limit: None,
            drift: None,
        });
        let d = alura_mock::Config::default();
        let config = alura_mock::Config {
            port: o.port.unwrap_or(d.port),
            token_ttl_secs: o.token_ttl.map_or(d.token_ttl_secs, u64::from),
            seed: o.seed.map_or(d.seed, u64::from),
            rate_limit: match o.rate_limit {
                Some(rate) => Some(rate.parse().map_err(Error::from_reason)?),
                None => d.rate_limit,
            },
            drift: o.drift.unwrap_or(d.drift),
            ..d
        };
        let server = alura_mock::MockServer::start(config)
            .map_err(|e| Error::from_reason(format!("cannot start the simulator: {e}")))?;
        let url = server.url().to_owned();
        Ok(Self { server: Mutex::new(Some(server)), url })
    }

    #[napi(getter)]
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// Queues faults (`{kind: 'status', status: 503}`, ...) for the next requests to `operation`.
    #[napi]
    pub fn inject(&self, operation: String, faults: Value) -> Result<()> {
        if alura_api::find(&operation).is_none() {
            return Err(crate::invalid(format!("unknown operation {operation:?}")));
        }
        let faults: Vec<alura_mock::Fault> = serde_json::from_value(faults)
            .map_err(|e| crate::invalid(format!("not a list of faults: {e}")))?;
        self.with(|s| s.inject(&operation, faults))
    }

    /// The request log, oldest first, optionally for one operation.
    #[napi]
    pub fn requests(&self, operation: Option<String>) -> Result<Value> {
        let records = self.with(|s| s.requests(operation.as_deref()))?;
        serde_json::to_value(records).map_err(|e| Error::from_reason(e.to_string()))
    }

    #[napi]
    pub fn counters(&self) -> Result<Value> {
        self.with(|s| json!(s.counters()))
    }

    #[napi]
    pub fn reset(&self) -> Result<()> {
        self.with(|s| s.reset())
    }

    #[napi]
    pub fn clear_requests(&self) -> Result<()> {
        self.with(|s| s.clear_requests())
    }

    /// Turns drift mode on or off while it runs.
    #[napi]
    pub fn set_drift(&self, enabled: bool) -> Result<()> {
        self.with(|s| s.set_drift(enabled))
    }

    #[napi]
    pub fn open_connections(&self) -> Result<u32> {
        self.with(|s| u32::try_from(s.open_connections()).unwrap_or(u32::MAX))
    }

    #[napi]
    pub fn advance_clock(&self, seconds: f64) -> Result<()> {
        let by = Duration::try_from_secs_f64(seconds).map_err(|e| Error::from_reason(e.to_string()))?;
        self.with(|s| s.advance_clock(by))
    }

    /// Stops the simulator.
    #[napi]
    pub fn close(&self) -> Result<()> {
        let server =
            self.server.lock().map_err(|_| Error::from_reason("the simulator lock is poisoned"))?.take();
        drop(server);
        Ok(())
    }
}
