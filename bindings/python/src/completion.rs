//! How an async call's outcome reaches asyncio: one queue per event loop, drained on the loop's
//! own thread, where each outcome becomes Python.
//!
//! Most calls run on the loop's own runtime (`loop_runtime.rs`), on the loop's thread: a call
//! that ends while the loop runs that runtime is queued and settled right after the run. A call
//! woken from another thread, or one on the shared worker (a loop without `add_reader`, a
//! client behind a proxy), pushes its outcome from that thread and, only if the queue was
//! empty, writes one byte to a socket the loop watches (`loop.add_reader`): the loop wakes once
//! for all the calls that finished together, and the other thread never takes the GIL.
//! (pyo3-async-runtimes' `future_into_py`, used before, took the GIL on a Tokio thread and
//! called `call_soon_threadsafe` once per call: bench/notes/journal.md has what each cost.)
//!
//! A loop without `add_reader` (Windows' proactor loop) is woken with `call_soon_threadsafe`,
//! which takes the GIL, still once per batch.

use std::future::Future;
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;
use pyo3::{IntoPyObjectExt, intern};
use pyo3_async_runtimes::TaskLocals;

use alura::forks::Born;
use alura_ffi::event_loop::LoopRuntime;

use crate::loop_runtime::Asyncio;

/// Turns a finished call's outcome into its Python result, on the loop's thread.
type Settle = Box<dyn FnOnce(Python<'_>) -> PyResult<Py<PyAny>> + Send>;

struct Finished {
    future: Py<PyAny>,
    settle: Settle,
}

/// The finished calls of one event loop, and how to wake it.
struct Queue {
    finished: Mutex<Vec<Finished>>,
    wake: Wake,
    /// The loop's own runtime, where its calls run (a loop that can watch sockets).
    driven: Option<Arc<LoopRuntime>>,
    /// The process that made it.
    born: Born,
    /// The loop, for a signer's coroutine (`pyo3_async_runtimes::tokio::into_future` finds it
    /// here); an `Arc`, so a call clones and drops it without the GIL.
    locals: TaskLocals,
}

enum Wake {
    #[cfg(unix)]
    Socket(std::os::unix::net::UnixStream),
    Threadsafe {
        call_soon_threadsafe: Py<PyAny>,
        drain: OnceLock<Py<Drain>>,
    },
}

impl Queue {
    fn push(&self, done: Finished) {
        let first = {
            let mut finished = self.finished.lock().unwrap_or_else(PoisonError::into_inner);
            finished.push(done);
            finished.len() == 1
        };
        // A call that ends in a pump is settled right after it, on the loop's thread.
        if first && !alura_ffi::event_loop::running() {
            self.wake();
        }
    }

    fn wake(&self) {
        match &self.wake {
            #[cfg(unix)]
            Wake::Socket(socket) => crate::loop_runtime::wake_by_byte(socket),
            Wake::Threadsafe { call_soon_threadsafe, drain } => Python::attach(|py| {
                if let Some(drain) = drain.get() {
                    // Fails only once the loop is closed, when nobody waits for the answer.
                    let _ = call_soon_threadsafe.call1(py, (drain.clone_ref(py),));
                }
            }),
        }
    }
}

/// The loop's callback: runs the loop's runtime, if it has one, then settles every call that
/// finished since the last time.
#[pyclass(frozen, module = "alura._native")]
struct Drain {
    queue: Weak<Queue>,
    #[cfg(unix)]
    reader: Option<std::os::unix::net::UnixStream>,
    /// The timer's: the next one waits longer.
    tick: bool,
}

#[pymethods]
impl Drain {
    fn __call__(&self, py: Python<'_>) {
        #[cfg(unix)]
        if let Some(reader) = &self.reader {
            use std::io::Read;
            let mut buf = [0u8; 256];
            while matches!((&*reader).read(&mut buf), Ok(n) if n == buf.len()) {}
        }
        let Some(queue) = self.queue.upgrade() else { return };
        match &queue.driven {
            Some(driven) if self.tick => driven.tick(),
            Some(driven) => driven.run(),
            None => {}
        }
        queue.settle(py);
    }
}

impl Queue {
    /// Settles every call that finished since the last time, on the loop's thread; then, with
    /// a runtime of the loop's own, keeps its timer going.
    fn settle(&self, py: Python<'_>) {
        let batch = std::mem::take(&mut *self.finished.lock().unwrap_or_else(PoisonError::into_inner));
        for Finished { future, settle } in batch {
            let future = future.bind(py);
            // A cancelled call: nobody wants its answer.
            if future.call_method0(intern!(py, "done")).and_then(|d| d.is_truthy()).unwrap_or(true) {
                continue;
            }
            // A bug of ours while converting fails this call alone, never the rest of the batch.
            let settled = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| settle(py)))
                .unwrap_or_else(|panic| Err(crate::errors::to_py(py, alura::Error::from_panic(&*panic))));
            let _ = match settled {
                Ok(value) => future.call_method1(intern!(py, "set_result"), (value,)),
                Err(error) => future.call_method1(intern!(py, "set_exception"), (error.into_value(py),)),
            };
        }
        if let Some(driven) = &self.driven {
            driven.keep_ticking();
        }
    }
}

/// The loop's queue, kept in the registry while the loop lives.
#[pyclass(frozen, module = "alura._native")]
struct LoopQueue(Arc<Queue>);

/// Aborts the call when its asyncio future is done: a no-op once the call has finished, and
/// what stops the request when the future is cancelled.
#[pyclass(frozen, module = "alura._native")]
struct Abort(tokio::task::AbortHandle, Option<Arc<LoopRuntime>>);

#[pymethods]
impl Abort {
    fn __call__(&self, _future: &Bound<'_, PyAny>) {
        self.0.abort();
        match &self.1 {
            // The loop's runtime drops the aborted task (and its request) when it next runs.
            Some(driven) if !self.0.is_finished() => driven.run_soon(),
            _ => {}
        }
    }
}

/// Each running loop's queue (a dict keyed by the loop).
static QUEUES: PyOnceLock<Py<PyDict>> = PyOnceLock::new();

fn queue_for(py: Python<'_>, event_loop: &Bound<'_, PyAny>) -> PyResult<Arc<Queue>> {
    let queues = QUEUES.get_or_init(py, || PyDict::new(py).unbind()).bind(py);
    if let Some(found) = queues.get_item(event_loop)? {
        let found = found.cast::<LoopQueue>()?.get().0.clone();
        if found.born.is_here() {
            return Ok(found);
        }
        // A parent's, in a forked child: its runtime's epoll instance is the parent's too, so it
        // is never run or dropped here.
        std::mem::forget(found);
    }
    // Loops come and go (`asyncio.run` makes one each time): forget the closed ones.
    let closed: Vec<_> = queues
        .keys()
        .into_iter()
        .filter(|l| l.call_method0(intern!(py, "is_closed")).and_then(|c| c.is_truthy()).unwrap_or(true))
        .collect();
    for l in closed {
        if let Some(driven) = queues
            .get_item(&l)?
            .and_then(|q| q.cast::<LoopQueue>().ok().and_then(|q| q.get().0.driven.clone()))
        {
            driven.shut_down();
        }
        // Another thread may have forgotten it first (is_closed can switch threads).
        let _ = queues.del_item(l);
    }
    let queue = new_queue(py, event_loop)?;
    queues.set_item(event_loop, LoopQueue(queue.clone()))?;
    Ok(queue)
}

fn new_queue(py: Python<'_>, event_loop: &Bound<'_, PyAny>) -> PyResult<Arc<Queue>> {
    let locals = TaskLocals::new(event_loop.clone());
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        let (reader, writer) = std::os::unix::net::UnixStream::pair()?;
        reader.set_nonblocking(true)?;
        writer.set_nonblocking(true)?;
        let fd = reader.as_raw_fd();
        let asyncio = Arc::new(Asyncio::new(event_loop, writer.try_clone()?)?);
        let driven = LoopRuntime::new(asyncio.clone())?;
        let queue = Arc::new(Queue {
            finished: Mutex::default(),
            wake: Wake::Socket(writer),
            driven: Some(driven.clone()),
            born: Born::here(),
            locals: locals.clone(),
        });
        let woken = Drain { queue: Arc::downgrade(&queue), reader: Some(reader), tick: false };
        match event_loop.call_method1(intern!(py, "add_reader"), (fd, woken)) {
            Ok(_) => {
                let after = Drain { queue: Arc::downgrade(&queue), reader: None, tick: false };
                let tick = Drain { queue: Arc::downgrade(&queue), reader: None, tick: true };
                asyncio.set_callbacks(Py::new(py, after)?.into_any(), Py::new(py, tick)?.into_any());
                return Ok(queue);
            }
            Err(e) if e.is_instance_of::<pyo3::exceptions::PyNotImplementedError>(py) => driven.shut_down(),
            Err(e) => return Err(e),
        }
    }
    let call_soon_threadsafe = event_loop.getattr(intern!(py, "call_soon_threadsafe"))?.unbind();
    let wake = Wake::Threadsafe { call_soon_threadsafe, drain: OnceLock::new() };
    let queue =
        Arc::new(Queue { finished: Mutex::default(), wake, driven: None, born: Born::here(), locals });
    let drain = Drain {
        queue: Arc::downgrade(&queue),
        #[cfg(unix)]
        reader: None,
        tick: false,
    };
    if let Wake::Threadsafe { drain: slot, .. } = &queue.wake {
        let _ = slot.set(Py::new(py, drain)?);
    }
    Ok(queue)
}

/// How an async call starts.
#[derive(Clone, Copy)]
pub struct Start {
    /// A coroutine the call awaits (a signer's) runs in the caller's `contextvars` context,
    /// copied now; otherwise in the loop's.
    pub caller_context: bool,
    /// The call may run on the loop's own runtime (its connections can be watched).
    pub on_loop: bool,
}

/// Starts `work` and returns an asyncio future of the running loop, which `settle` resolves on
/// the loop's thread once `work` is done. Cancelling the future drops `work` (and its request).
pub fn spawn<'py, T, W, S>(py: Python<'py>, start: Start, work: W, settle: S) -> PyResult<Bound<'py, PyAny>>
where
    T: Send + 'static,
    W: Future<Output = T> + Send + 'static,
    S: FnOnce(Python<'_>, T) -> PyResult<Bound<'_, PyAny>> + Send + 'static,
{
    let event_loop = pyo3_async_runtimes::get_running_loop(py)?;
    let queue = queue_for(py, &event_loop)?;
    let future = event_loop.call_method0(intern!(py, "create_future"))?;
    let answer = future.clone().unbind();
    let locals =
        if start.caller_context { queue.locals.clone().copy_context(py)? } else { queue.locals.clone() };
    let driven = queue.driven.clone().filter(|_| start.on_loop);
    let queue_of_driven = queue.clone();
    // Boxed first: a call's future is kilobytes, and each wrapper below would copy it whole
    // (10.6k instructions a call in memcpy before).
    let work = Box::pin(work);
    let work = pyo3_async_runtimes::tokio::scope(locals, async move {
        let out = work.await;
        let settle: Settle = Box::new(move |py| settle(py, out).map(Bound::unbind));
        queue.push(Finished { future: answer, settle });
    });
    let task = match &driven {
        Some(driven) => {
            let task =
                driven.spawn(work).map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
            // Calls whose answers the run read are settled now, not on the loop's next turn.
            queue_of_driven.settle(py);
            task
        }
        None => crate::runtime::handle()?.spawn(work).abort_handle(),
    };
    future.call_method1(intern!(py, "add_done_callback"), (Abort(task, driven).into_py_any(py)?,))?;
    Ok(future)
}
