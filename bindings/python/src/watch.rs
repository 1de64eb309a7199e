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
    /// An event taken from the watch whose asyncio future was cancelled before it was handed
    /// over: the next call hands it over first.
    undelivered: Slot,
    start: completion::Start,
    signer: Option<crate::signer::PySigner>,
}

type Slot = Arc<std::sync::Mutex<Option<String>>>;

/// An event on its way to Python: put back in its slot if it is dropped undelivered (its future
/// was cancelled as the poll finished), so no event is lost to a cancellation.
struct OnItsWay(Option<String>, Slot);

impl OnItsWay {
    fn deliver(mut self) -> String {
        self.0.take().unwrap_or_default()
    }
}

impl Drop for OnItsWay {
    fn drop(&mut self) {
        if let Some(event) = self.0.take() {
            *self.1.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(event);
        }
    }
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
            undelivered: Slot::default(),
            start: client.start(true),
            signer: client.signer.clone(),
        })
    }

    /// The next event, waited for on this thread (Ctrl-C interrupts it).
    fn next<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let event = select_interruptible(py, guarded(next(self.watch.clone(), self.undelivered.clone())))?;
        match event {
            Ok(json) => event_to_py(py, &json.deliver()),
            Err(e) => Err(raise(py, &self.signer, e)),
        }
    }

    /// The next event, as a coroutine.
    fn next_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let signer = self.signer.clone();
        let work = guarded(next(self.watch.clone(), self.undelivered.clone()));
        completion::spawn(py, self.start, work, move |py, outcome| match outcome {
            Ok(json) => event_to_py(py, &json.deliver()),
            Err(e) => Err(raise(py, &signer, e)),
        })
    }
}

/// Watch polls under way in this process, for tests: a cancelled watch leaves none.
#[pyfunction]
pub fn watch_polls_in_flight() -> usize {
    alura_ffi::watch::polls_in_flight()
}

/// The event left undelivered, else the watch's next.
async fn next(watch: Arc<Mutex<Watch>>, undelivered: Slot) -> alura::Result<OnItsWay> {
    let mut watch = watch.lock().await;
    let left = undelivered.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
    let event = match left {
        Some(event) => event,
        None => watch.next_json().await?,
    };
    Ok(OnItsWay(Some(event), undelivered))
}

/// An event's JSON as Python objects, money as `Decimal`.
fn event_to_py<'py>(py: Python<'py>, json: &str) -> PyResult<Bound<'py, PyAny>> {
    crate::to_python::json::to_py(py, json.as_bytes())
        .map_err(|e| crate::errors::to_py(py, alura::Error::decode(e.0)))
}
