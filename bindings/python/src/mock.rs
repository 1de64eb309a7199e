//! `NativeMockServer`: the Rust simulator in-process, for tests and notebooks.

use std::sync::Mutex;
use std::time::Duration;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors;
use crate::from_python::from_py;
use crate::to_python::json::value_to_py;

#[pyclass(frozen, module = "alura._native")]
pub struct NativeMockServer {
    server: Mutex<Option<alura_mock::MockServer>>,
    url: String,
}

impl NativeMockServer {
    fn with<T>(&self, f: impl FnOnce(&alura_mock::MockServer) -> T) -> PyResult<T> {
        let guard =
            self.server.lock().map_err(|_| PyRuntimeError::new_err("the simulator lock is poisoned"))?;
        guard.as_ref().map(f).ok_or_else(|| PyRuntimeError::new_err("the simulator was closed"))
    }

    /// Its clock, for a watch stream to run on in tests.
    pub fn clock(&self) -> PyResult<alura_mock::SimulatedClock> {
        self.with(alura_mock::MockServer::clock)
    }
}

#[pymethods]
impl NativeMockServer {
    #[new]
    #[pyo3(signature = (port=0, token_ttl=86_400, seed=42, rate_limit=None, drift=false))]
    fn new(
        py: Python<'_>,
        port: u16,
        token_ttl: u64,
        seed: u64,
        rate_limit: Option<&str>,
        drift: bool,
    ) -> PyResult<Self> {
        let rate_limit =
            rate_limit.map(str::parse).transpose().map_err(pyo3::exceptions::PyValueError::new_err)?;
        let config = alura_mock::Config {
            port,
            token_ttl_secs: token_ttl,
            seed,
            rate_limit,
            drift,
            ..Default::default()
        };
        let server = py
            .detach(|| alura_mock::MockServer::start(config))
            .map_err(|e| PyRuntimeError::new_err(format!("cannot start the simulator: {e}")))?;
        let url = server.url().to_owned();
        Ok(Self { server: Mutex::new(Some(server)), url })
    }

    #[getter]
    fn url(&self) -> &str {
        &self.url
    }

    /// Queues faults (dicts like `{"kind": "status", "status": 503}`) for `operation`.
    fn inject(&self, py: Python<'_>, operation: &str, faults: Vec<Bound<'_, PyDict>>) -> PyResult<()> {
        if alura_api::find(operation).is_none() {
            return Err(errors::validation(py, format!("unknown operation {operation:?}")));
        }
        let mut parsed = Vec::new();
        for fault in faults {
            let value = from_py(fault.as_any(), "fault")?;
            let fault: alura_mock::Fault = serde_json::from_value(value)
                .map_err(|e| errors::validation(py, format!("not a fault: {e}")))?;
            parsed.push(fault);
        }
        self.with(|s| s.inject(operation, parsed))
    }

    /// The request log, oldest first, optionally for one operation.
    #[pyo3(signature = (operation=None))]
    fn requests<'py>(&self, py: Python<'py>, operation: Option<&str>) -> PyResult<Bound<'py, PyAny>> {
        let records = self.with(|s| s.requests(operation))?;
        let value = serde_json::to_value(records).map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        value_to_py(py, &value)
    }

    fn counters(&self) -> PyResult<std::collections::BTreeMap<String, usize>> {
        self.with(|s| s.counters())
    }

    fn reset(&self) -> PyResult<()> {
        self.with(|s| s.reset())
    }

    fn clear_requests(&self) -> PyResult<()> {
        self.with(|s| s.clear_requests())
    }

    fn set_drift(&self, enabled: bool) -> PyResult<()> {
        self.with(|s| s.set_drift(enabled))
    }

    fn open_connections(&self) -> PyResult<usize> {
        self.with(alura_mock::MockServer::open_connections)
    }

    fn advance_clock(&self, seconds: f64) -> PyResult<()> {
        let by = Duration::try_from_secs_f64(seconds).map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        self.with(|s| s.advance_clock(by))
    }

    /// Stops the simulator (also done when it is garbage-collected).
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        let server =
            self.server.lock().map_err(|_| PyRuntimeError::new_err("the simulator lock is poisoned"))?.take();
        py.detach(move || drop(server));
        Ok(())
    }
}
