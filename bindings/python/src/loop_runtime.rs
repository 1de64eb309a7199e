//! An event loop's own Tokio runtime, run by the loop's thread: async calls then do their HTTP
//! where asyncio runs, and a call at concurrency 1 sleeps once, in the loop's `select`, like
//! aiohttp's, instead of waking a Tokio thread and being woken back by it (bench/README.md:
//! what each cost).
//!
//! The runtime is current-thread and runs only when the loop's thread runs it, which never
//! blocks (it looks at its sockets, runs every task that can go on, and returns). It runs:
//! - when a call starts alone, inside the call, so its request leaves at once (calls started
//!   together, as by `gather`, run together on the loop's next turn);
//! - when a connection's socket is readable: the core tells the loop of each one
//!   (`alura::event_loop`), which the loop watches with `add_reader`;
//! - when a call's task is woken from elsewhere (a DNS lookup's thread, a signer's coroutine,
//!   a cancelled call): through the socket the loop watches for finished calls;
//! - on a timer while calls are in flight: every 50 ms for Tokio's own timers (timeouts, retry
//!   waits), and after 1, 2, 4... ms while a TCP connection is being made (its socket is told
//!   to the loop only once connected).

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use alura::event_loop::{Socket, SocketWatcher};
use pyo3::intern;
use pyo3::prelude::*;
use tokio::runtime::Runtime;
use tokio::task::AbortHandle;

const FIRST_TICK: Duration = Duration::from_millis(1);
const SLOW_TICK: Duration = Duration::from_millis(50);

/// Rounds a pump runs at most; the timer runs the runtime again for what is left.
const MAX_ROUNDS: u32 = 16;

thread_local! {
    /// The runtime this thread runs now (its `Driven`'s address; 0 for none): a task of it woken
    /// then runs in the same run, while one of another loop's must be nudged.
    static PUMPING: Cell<usize> = const { Cell::new(0) };
    /// How many times calls' tasks were polled on this thread: a run's measure of progress.
    static POLLS: Cell<u64> = const { Cell::new(0) };
    /// A call's task of the running runtime was woken in this round.
    static WOKEN: Cell<bool> = const { Cell::new(false) };
}

/// Whether this thread is running a loop's runtime now.
pub fn pumping() -> bool {
    PUMPING.get() != 0
}

/// What wakes the loop from any thread (the byte on the socket it watches).
pub trait Nudge: Send + Sync + 'static {
    fn nudge(&self);
}

/// One event loop's runtime.
pub struct Driven {
    runtime: Mutex<Option<Arc<Runtime>>>,
    /// The process that made it.
    pid: u32,
    in_flight: AtomicUsize,
    /// A run is already asked for with `call_soon`.
    soon: AtomicBool,
    tick: Mutex<Tick>,
    event_loop: Py<PyAny>,
    /// The loop's callbacks: run the runtime then settle what finished (`after`, also what a
    /// readable socket calls), and the timer's.
    callbacks: OnceLock<(Py<PyAny>, Py<PyAny>)>,
    watcher: Arc<LoopWatcher>,
    /// The same, as the core takes it.
    watching: Arc<dyn SocketWatcher>,
}

/// The timer that runs the runtime while calls are in flight.
struct Tick {
    armed: Option<Py<PyAny>>,
    after: Duration,
}

impl Driven {
    // Made only for a loop with `add_reader` on Unix (Windows' proactor loop has none).
    #[cfg_attr(not(unix), allow(dead_code))]
    pub fn new(event_loop: &Bound<'_, PyAny>) -> PyResult<Arc<Self>> {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let py = event_loop.py();
        let watcher = Arc::new(LoopWatcher {
            add_reader: event_loop.getattr(intern!(py, "add_reader"))?.unbind(),
            remove_reader: event_loop.getattr(intern!(py, "remove_reader"))?.unbind(),
            callback: OnceLock::new(),
            connecting: AtomicBool::new(false),
        });
        Ok(Arc::new(Self {
            runtime: Mutex::new(Some(Arc::new(runtime))),
            pid: std::process::id(),
            in_flight: AtomicUsize::new(0),
            soon: AtomicBool::new(false),
            tick: Mutex::new(Tick { armed: None, after: SLOW_TICK }),
            event_loop: event_loop.clone().unbind(),
            callbacks: OnceLock::new(),
            watching: watcher.clone(),
            watcher,
        }))
    }

    /// The loop's callbacks, once made: `after` runs the runtime and settles what finished; a
    /// readable socket calls it too. `tick` is the timer's.
    #[cfg_attr(not(unix), allow(dead_code))]
    pub fn set_callbacks(&self, py: Python<'_>, after: Py<PyAny>, tick: Py<PyAny>) {
        let _ = self.watcher.callback.set(after.clone_ref(py));
        let _ = self.callbacks.set((after, tick));
    }

    fn id(&self) -> usize {
        std::ptr::from_ref(self) as usize
    }

    /// Starts `work` on the loop's runtime. The only call in flight runs at once, on the
    /// caller's (the loop's) thread, so its request leaves before this returns; calls started
    /// together (`gather`) run together on the loop's next turn: running the runtime once per
    /// call cost a third of the calls per second at concurrency 64.
    pub fn spawn<F>(self: &Arc<Self>, py: Python<'_>, nudge: Arc<dyn Nudge>, work: F) -> PyResult<AbortHandle>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let alone = self.in_flight.fetch_add(1, Ordering::AcqRel) == 0;
        let in_flight = InFlight(self.clone());
        let work = Box::pin(async move {
            let _in_flight = in_flight;
            work.await
        });
        let work = Notifying { inner: work, nudge: Arc::downgrade(&nudge), runtime: self.id(), cached: None };
        let closed =
            || pyo3::exceptions::PyRuntimeError::new_err("the event loop's SDK runtime is shut down");
        if alone && self.may_run() {
            // Spawned inside the runtime, so it is queued there without waking anything.
            let ran = self.run(py, Some(move || tokio::spawn(work).abort_handle()));
            let (Some(task), more) = ran.ok_or_else(closed)? else { return Err(closed()) };
            if more {
                self.run_soon(py)?;
            }
            return Ok(task);
        }
        let runtime =
            self.runtime.lock().unwrap_or_else(PoisonError::into_inner).clone().ok_or_else(closed)?;
        let task = runtime.spawn(work).abort_handle();
        self.run_soon(py)?;
        Ok(task)
    }

    /// Asks the loop to run the runtime on its next turn.
    pub fn run_soon(&self, py: Python<'_>) -> PyResult<()> {
        if self.soon.swap(true, Ordering::AcqRel) {
            return Ok(());
        }
        let Some((after, _)) = self.callbacks.get() else { return Ok(()) };
        self.event_loop.call_method1(py, intern!(py, "call_soon"), (after.clone_ref(py),)).map(drop)
    }

    /// Whether this thread may run the runtime now: not from code a run (or any other Tokio
    /// runtime) is running, such as a logging handler, a finalizer, or a loop run again inside
    /// one (`nest_asyncio`), where Tokio cannot nest.
    fn may_run(&self) -> bool {
        !pumping() && tokio::runtime::Handle::try_current().is_err()
    }

    /// Runs the runtime without ever blocking, or asks the loop for it on its next turn when
    /// it cannot run now or left work behind.
    pub fn pump(&self, py: Python<'_>) -> PyResult<()> {
        self.soon.store(false, Ordering::Release);
        let more = !self.may_run() || self.run(py, None::<fn()>).is_some_and(|(_, more)| more);
        if more { self.run_soon(py) } else { Ok(()) }
    }

    /// Runs the runtime, after calling `first` inside it, in rounds: each runs every task that
    /// can go on, then looks at the sockets and timers (and wakes what `yield_now` put off). It
    /// stops after a round, from the second on (the first only finds what is ready), in which
    /// no call's task moved or was woken, and never blocks. `more`: it stopped at the last
    /// round with work left.
    fn run<T: Send>(
        &self,
        py: Python<'_>,
        first: Option<impl FnOnce() -> T + Send>,
    ) -> Option<(Option<T>, bool)> {
        let runtime = self.runtime.lock().unwrap_or_else(PoisonError::into_inner).clone()?;
        let (id, watcher) = (self.id(), &self.watching);
        Some(py.detach(|| {
            struct Restore(usize);
            impl Drop for Restore {
                fn drop(&mut self) {
                    PUMPING.set(self.0);
                }
            }
            let _restore = Restore(PUMPING.replace(id));
            alura::event_loop::watching(watcher, || {
                runtime.block_on(async {
                    let out = first.map(|f| f());
                    for round in 1..=MAX_ROUNDS {
                        let before = POLLS.get();
                        WOKEN.set(false);
                        tokio::task::yield_now().await;
                        if round >= 2 && POLLS.get() == before && !WOKEN.get() {
                            return (out, false);
                        }
                    }
                    (out, true)
                })
            })
        }))
    }

    /// The timer fired: the next one waits longer.
    pub fn tick_fired(&self) {
        let mut tick = self.tick.lock().unwrap_or_else(PoisonError::into_inner);
        tick.armed = None;
        tick.after = (tick.after * 2).min(SLOW_TICK);
    }

    /// After a run: while calls are in flight, a timer runs the runtime again for what no
    /// socket announces: Tokio's timers (timeouts, retry waits) every 50 ms, and a connection
    /// being made after 1 ms, then 2, 4, and so on. (Python is called without the lock held.)
    pub fn keep_ticking(&self, py: Python<'_>) -> PyResult<()> {
        let (cancel, after) = {
            let mut tick = self.tick.lock().unwrap_or_else(PoisonError::into_inner);
            let mut cancel = None;
            if self.watcher.connecting.swap(false, Ordering::AcqRel) {
                cancel = tick.armed.take();
                tick.after = FIRST_TICK;
            }
            let idle = self.in_flight.load(Ordering::Acquire) == 0;
            (cancel, (!idle && tick.armed.is_none()).then_some(tick.after))
        };
        if let Some(armed) = cancel {
            armed.call_method0(py, intern!(py, "cancel"))?;
        }
        let (Some(after), Some((_, callback))) = (after, self.callbacks.get()) else { return Ok(()) };
        let armed = self.event_loop.call_method1(
            py,
            intern!(py, "call_later"),
            (after.as_secs_f64(), callback.clone_ref(py)),
        )?;
        let mut tick = self.tick.lock().unwrap_or_else(PoisonError::into_inner);
        match tick.armed {
            // Armed meanwhile (by code this call ran): one timer is enough.
            Some(_) => drop(armed.call_method0(py, intern!(py, "cancel"))),
            None => tick.armed = Some(armed),
        }
        Ok(())
    }

    /// The loop closed: its runtime stops, and with it every call and connection left. Never
    /// waits (a signer still blocking a thread of its pool is left to finish).
    pub fn shut_down(&self) {
        let runtime = self.runtime.lock().unwrap_or_else(PoisonError::into_inner).take();
        if self.pid != std::process::id() {
            // A parent's, in a forked child: stopping it would take the parent's sockets out of
            // the epoll instance both processes share.
            std::mem::forget(runtime);
            return;
        }
        if let Some(runtime) = runtime.and_then(|r| Arc::try_unwrap(r).ok()) {
            runtime.shutdown_background();
        }
    }
}

impl Drop for Driven {
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// Counts a call as in flight until its task ends or is dropped (cancelled).
struct InFlight(Arc<Driven>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Adds and removes the loop's readers for the core's connections.
struct LoopWatcher {
    add_reader: Py<PyAny>,
    remove_reader: Py<PyAny>,
    callback: OnceLock<Py<PyAny>>,
    /// A connection was started since the timer was last set.
    connecting: AtomicBool,
}

impl SocketWatcher for LoopWatcher {
    fn connecting(&self) {
        self.connecting.store(true, Ordering::Release);
    }

    fn watch(&self, socket: Socket) {
        Python::attach(|py| {
            if let Some(Err(e)) =
                self.callback.get().map(|c| self.add_reader.call1(py, (socket, c.clone_ref(py))))
            {
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
}

/// A call's task, which nudges the loop when woken from outside a pump: a pump runs what it
/// wakes itself, but nothing else runs the runtime.
struct Notifying<F> {
    inner: F,
    nudge: Weak<dyn Nudge>,
    /// Its runtime's `Driven`, by address.
    runtime: usize,
    /// The waker handed to `inner`, and the runtime's waker it wraps.
    cached: Option<(Waker, Waker)>,
}

struct NotifyingWaker {
    inner: Waker,
    nudge: Weak<dyn Nudge>,
    runtime: usize,
}

impl Wake for NotifyingWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.inner.wake_by_ref();
        if PUMPING.get() == self.runtime {
            WOKEN.set(true);
        } else if let Some(nudge) = self.nudge.upgrade() {
            nudge.nudge();
        }
    }
}

impl<F: Future + Unpin> Future for Notifying<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        POLLS.set(POLLS.get().wrapping_add(1));
        let this = &mut *self;
        let stale = this.cached.as_ref().is_none_or(|(_, runtime)| !runtime.will_wake(cx.waker()));
        if stale {
            let waker = NotifyingWaker {
                inner: cx.waker().clone(),
                nudge: this.nudge.clone(),
                runtime: this.runtime,
            };
            this.cached = Some((Waker::from(Arc::new(waker)), cx.waker().clone()));
        }
        match &this.cached {
            Some((waker, _)) => Pin::new(&mut this.inner).poll(&mut Context::from_waker(waker)),
            None => Pin::new(&mut this.inner).poll(cx),
        }
    }
}
