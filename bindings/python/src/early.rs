//! A long answer turned into Python objects on a thread of its own while the core checks the
//! same bytes against the schema. For 100,000 candles the check takes about 85 ms and the
//! objects 200-260 ms; side by side on two cores, the check leaves the caller's wait
//! (bench/notes/journal.md, "The 100,000-candle decode").

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use pyo3::prelude::*;
use tokio::sync::oneshot;

use crate::to_python::json;

type Converted = Result<Py<PyAny>, crate::to_python::json::NotJson>;

/// A long body the call read, and its objects to come.
type Started = Option<(Bytes, oneshot::Receiver<Converted>)>;

#[derive(Default, Clone)]
pub struct Early(Arc<Mutex<Started>>);

impl Early {
    fn started(&self) -> MutexGuard<'_, Started> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// What `Client::call_observing` hands each successful body: a long one starts its
    /// conversion at once, on a new thread (a login's short answers never do).
    pub fn observer(&self) -> impl Fn(&Bytes) + Send + Sync + 'static {
        let early = self.clone();
        move |body: &Bytes| {
            if body.len() < alura::LONG_ANSWER_BYTES {
                return;
            }
            let (done, objects) = oneshot::channel();
            let bytes = body.clone();
            // Objects the caller stopped waiting for are dropped here, with the GIL held. During
            // the interpreter's shutdown nothing is converted: the caller's wait ends, and it
            // converts (or is gone).
            let convert = move || {
                Python::try_attach(|py| drop(done.send(json::to_py(py, &bytes).map(Bound::unbind))));
            };
            // A thread that cannot start only means the caller converts the body itself.
            if std::thread::Builder::new().name("alura-json".into()).spawn(convert).is_ok() {
                *early.started() = Some((body.clone(), objects));
            }
        }
    }

    /// The objects of `body`, if a conversion of these same bytes was started (one of a body
    /// the call did not end with is not the answer).
    fn take(&self, body: Option<&Bytes>) -> Option<oneshot::Receiver<Converted>> {
        let (started, objects) = self.started().take()?;
        let body = body?;
        (started.as_ptr() == body.as_ptr() && started.len() == body.len()).then_some(objects)
    }

    /// For a sync call: waits (without the GIL, which the converting thread needs) for the
    /// objects of `body`. `None` when none were started, their conversion failed, or it takes
    /// far longer than it should: the caller then converts, and raises, as it would have.
    ///
    /// The wait is bounded because the converting thread runs Python: on Python 3.11 and
    /// earlier the garbage collector can run a finalizer there, and one that takes a lock
    /// the caller holds would wait for the caller while the caller waits for it.
    pub fn wait<'py>(&self, py: Python<'py>, body: Option<&Bytes>) -> Option<Bound<'py, PyAny>> {
        let len = u64::try_from(body?.len()).unwrap_or(u64::MAX);
        let objects = self.take(body)?;
        // About 60 MB/s of JSON is converted here; this allows 4 MB/s, and a second more.
        let bound = Duration::from_secs(1).saturating_add(Duration::from_nanos(len.saturating_mul(250)));
        let converted = py.detach(|| {
            // Made inside the runtime: a timer needs one.
            crate::runtime::block_on(async { tokio::time::timeout(bound, objects).await }).ok()?.ok()?.ok()
        })?;
        converted.ok().map(|objects| objects.into_bound(py))
    }

    /// For an async call: the same, awaited on the runtime.
    pub async fn converted(&self, body: Option<&Bytes>) -> Option<Py<PyAny>> {
        self.take(body)?.await.ok()?.ok()
    }
}
