//! `NativeWatch`: any watch stream (`alura_ffi::watch::Watch`: candles, signals, the current
//! trade, a trade's log), stepped from Python, waited for without the GIL (sync) or on the event
//! loop (async). `alura/_watch.py` makes iterators of it.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use alura_ffi::watch::{Of, Options, Watch};
use pyo3::prelude::*;
use tokio::sync::Mutex;

use crate::client::{NativeClient, guarded, raise, select_interruptible};
use crate::completion;
use crate::errors::validation;
use crate::mock::NativeMockServer;

#[pyclass(frozen, module = "alura._native")]
pub struct NativeWatch {
    watch: Arc<Mutex<Watch>>,
    start: completion::Start,
    signer: Option<crate::signer::PySigner>,
}

/// Seconds from Python as a duration, or a `ValidationError` naming the option.
fn seconds(py: Python<'_>, name: &str, value: Option<f64>) -> PyResult<Option<Duration>> {
    value
        .map(|s| {
            Duration::try_from_secs_f64(s)
                .map_err(|_| validation(py, format!("{name} must be seconds of 0 or more, not {s}")))
        })
        .transpose()
}

#[pymethods]
impl NativeWatch {
    /// `kind` is `candles`, `signals`, `current_trade` or `trade_logs`; `target` the symbol or
    /// the trade id.
    #[new]
    #[pyo3(signature = (client, kind, target=None, interval=None, include_open=None, stale_after=None, jitter=None, every=None, pnl_step=None, clock=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        client: PyRef<'_, NativeClient>,
        kind: &str,
        target: Option<String>,
        interval: Option<String>,
        include_open: Option<bool>,
        stale_after: Option<u32>,
        jitter: Option<f64>,
        every: Option<f64>,
        pnl_step: Option<String>,
        clock: Option<PyRef<'_, NativeMockServer>>,
    ) -> PyResult<Self> {
        let py = client.py();
        let (target, interval) = (target.unwrap_or_default(), interval.unwrap_or_default());
        let of = match kind {
            "candles" => Of::Candles { symbol: target, interval },
            "signals" => Of::Signals { symbol: target, interval },
            "current_trade" => Of::CurrentTrade,
            "trade_logs" => Of::TradeLogs { trade_id: target },
            other => return Err(validation(py, format!("no watch of {other:?}"))),
        };
        let pnl_step = pnl_step
            .map(|s| alura::Decimal::from_str(&s).map_err(|e| validation(py, format!("pnl_step: {e}"))))
            .transpose()?;
        let clock = match clock {
            Some(mock) => {
                Some(Arc::new(alura_ffi::watch::Simulated(mock.clock()?)) as Arc<dyn alura::MarketClock>)
            }
            None => None,
        };
        let options = Options {
            include_open,
            stale_after,
            jitter: seconds(py, "jitter", jitter)?,
            every: seconds(py, "every", every)?,
            pnl_step,
            clock,
        };
        let watch = Watch::open(&client.client, of, options).map_err(|e| crate::errors::to_py(py, e))?;
        Ok(Self {
            watch: Arc::new(Mutex::new(watch)),
            start: client.start(true),
            signer: client.signer.clone(),
        })
    }

    /// The next event, waited for on this thread (Ctrl-C interrupts it).
    fn next<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let watch = self.watch.clone();
        let event = select_interruptible(py, guarded(async move { watch.lock().await.next_json().await }))?;
        match event {
            Ok(json) => event_to_py(py, &json),
            Err(e) => Err(raise(py, &self.signer, e)),
        }
    }

    /// The next event, as a coroutine.
    fn next_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let (watch, signer) = (self.watch.clone(), self.signer.clone());
        let work = guarded(async move { watch.lock().await.next_json().await });
        completion::spawn(py, self.start, work, move |py, outcome| match outcome {
            Ok(json) => event_to_py(py, &json),
            Err(e) => Err(raise(py, &signer, e)),
        })
    }
}

/// An event's JSON as Python objects, money as `Decimal`.
fn event_to_py<'py>(py: Python<'py>, json: &str) -> PyResult<Bound<'py, PyAny>> {
    crate::to_python::json::to_py(py, json.as_bytes())
        .map_err(|e| crate::errors::to_py(py, alura::Error::decode(e.0)))
}
