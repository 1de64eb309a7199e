//! `NativeCandleWatch`: a candle watch (`alura::WatchCandles`), stepped from Python, waited for
//! without the GIL (sync) or on the event loop (async). `alura/_watch.py` makes iterators of it.

use std::sync::Arc;
use std::time::Duration;

use pyo3::prelude::*;
use tokio::sync::Mutex;

use crate::client::{NativeClient, guarded, raise, select_interruptible};
use crate::completion;
use crate::mock::NativeMockServer;
use crate::to_python::json::value_to_py;

#[pyclass(frozen, module = "alura._native")]
pub struct NativeCandleWatch {
    watch: Arc<Mutex<alura::WatchCandles>>,
    start: completion::Start,
    signer: Option<crate::signer::PySigner>,
}

#[pymethods]
impl NativeCandleWatch {
    #[new]
    #[pyo3(signature = (client, symbol, interval, include_open=false, stale_after=3, jitter=0.25, clock=None))]
    fn new(
        client: PyRef<'_, NativeClient>,
        symbol: String,
        interval: String,
        include_open: bool,
        stale_after: u32,
        jitter: f64,
        clock: Option<PyRef<'_, NativeMockServer>>,
    ) -> PyResult<Self> {
        let py = client.py();
        let jitter = Duration::try_from_secs_f64(jitter).map_err(|_| {
            crate::errors::validation(py, format!("jitter must be seconds of 0 or more, not {jitter}"))
        })?;
        let mut watch = client
            .client
            .watch_candles(symbol, interval)
            .map_err(|e| crate::errors::to_py(py, e))?
            .include_open(include_open)
            .stale_after(stale_after)
            .jitter(jitter);
        if let Some(mock) = clock {
            watch = watch.clock(Arc::new(alura_ffi::watch::Simulated(mock.clock()?)));
        }
        Ok(Self {
            watch: Arc::new(Mutex::new(watch)),
            start: client.start(true),
            signer: client.signer.clone(),
        })
    }

    /// The next event, waited for on this thread (Ctrl-C interrupts it).
    fn next<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let watch = self.watch.clone();
        let event = select_interruptible(py, guarded(async move { watch.lock().await.next().await }))?;
        match event {
            Ok(event) => value_to_py(py, &alura_ffi::watch::event_json(event)),
            Err(e) => Err(raise(py, &self.signer, e)),
        }
    }

    /// The next event, as a coroutine.
    fn next_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let (watch, signer) = (self.watch.clone(), self.signer.clone());
        let work = guarded(async move { watch.lock().await.next().await });
        completion::spawn(py, self.start, work, move |py, outcome| match outcome {
            Ok(event) => value_to_py(py, &alura_ffi::watch::event_json(event)),
            Err(e) => Err(raise(py, &signer, e)),
        })
    }
}
