//! How asyncio runs an event loop's own Tokio runtime (`alura_ffi::event_loop::LoopRuntime`, which
//! says when and why): `call_soon` for the next turn, `call_later` for the timer, `add_reader`
//! for each connection's socket, and a byte on a socket the loop watches for wake-ups from
//! other threads. A run releases the GIL.

use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Duration;

use alura::sockets::Socket;
use alura_ffi::event_loop::EventLoop;
use pyo3::intern;
use pyo3::prelude::*;

/// One asyncio loop, as its runtime sees it.
pub struct Asyncio {
    event_loop: Py<PyAny>,
    add_reader: Py<PyAny>,
    remove_reader: Py<PyAny>,
    /// The loop's callbacks, once made: `after` runs the runtime and settles what finished (a
    /// readable socket calls it too); `tick` is the timer's.
    callbacks: OnceLock<(Py<PyAny>, Py<PyAny>)>,
    /// The timer set last, to cancel.
    timer: Mutex<Option<Py<PyAny>>>,
    /// Written to wake the loop from another thread (the loop watches its other end).
    #[cfg(unix)]
    wake: std::os::unix::net::UnixStream,
}

impl Asyncio {
    // Made only for a loop with `add_reader` on Unix (Windows' proactor loop has none).
    #[cfg(unix)]
    pub fn new(event_loop: &Bound<'_, PyAny>, wake: std::os::unix::net::UnixStream) -> PyResult<Self> {
        let py = event_loop.py();
        Ok(Self {
            event_loop: event_loop.clone().unbind(),
            add_reader: event_loop.getattr(intern!(py, "add_reader"))?.unbind(),
            remove_reader: event_loop.getattr(intern!(py, "remove_reader"))?.unbind(),
            callbacks: OnceLock::new(),
            timer: Mutex::new(None),
            wake,
        })
    }

    #[cfg_attr(not(unix), allow(dead_code))]
    pub fn set_callbacks(&self, after: Py<PyAny>, tick: Py<PyAny>) {
        let _ = self.callbacks.set((after, tick));
    }

    fn warn(e: PyErr) {
        tracing::warn!("cannot schedule the event loop's next run of the SDK's runtime: {e}");
    }
}

/// Wakes the loop that watches `socket`'s other end, from any thread.
#[cfg(unix)]
pub fn wake_by_byte(socket: &std::os::unix::net::UnixStream) {
    use std::io::Write;
    // Non-blocking: a full buffer means a wake-up is already pending.
    let _ = (&*socket).write(&[1]);
}

impl EventLoop for Asyncio {
    fn run_soon(&self) {
        let Some((after, _)) = self.callbacks.get() else { return };
        Python::attach(|py| {
            if let Err(e) = self.event_loop.call_method1(py, intern!(py, "call_soon"), (after.clone_ref(py),))
            {
                Self::warn(e);
            }
        });
    }

    fn set_timer(&self, after: Duration) {
        let Some((_, tick)) = self.callbacks.get() else { return };
        Python::attach(|py| {
            let set = self.event_loop.call_method1(
                py,
                intern!(py, "call_later"),
                (after.as_secs_f64(), tick.clone_ref(py)),
            );
            match set {
                Ok(set) => {
                    let old = self.timer.lock().unwrap_or_else(PoisonError::into_inner).replace(set);
                    // Cancelled without the lock: Python may run code that comes back here.
                    if let Some(old) = old {
                        let _ = old.call_method0(py, intern!(py, "cancel"));
                    }
                }
                Err(e) => Self::warn(e),
            }
        });
    }

    fn cancel_timer(&self) {
        let Some(old) = self.timer.lock().unwrap_or_else(PoisonError::into_inner).take() else { return };
        Python::attach(|py| drop(old.call_method0(py, intern!(py, "cancel"))));
    }

    fn nudge(&self) {
        #[cfg(unix)]
        wake_by_byte(&self.wake);
    }

    fn watch(&self, socket: Socket) {
        let Some((after, _)) = self.callbacks.get() else { return };
        Python::attach(|py| {
            if let Err(e) = self.add_reader.call1(py, (socket, after.clone_ref(py))) {
                tracing::warn!("cannot watch a connection on the event loop: {e}");
            }
        });
    }

    fn unwatch(&self, socket: Socket) {
        // During the interpreter's shutdown there is no loop left to tell.
        Python::try_attach(|py| {
            // False (nothing to remove) or an error once the loop is closed: either way it watches
            // nothing.
            let _ = self.remove_reader.call1(py, (socket,));
        });
    }

    fn unlocked(&self, f: &mut (dyn FnMut() + Send)) {
        Python::attach(|py| py.detach(f));
    }
}
