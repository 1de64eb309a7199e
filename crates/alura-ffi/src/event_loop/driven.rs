//! A current-thread Tokio runtime that a language's event loop runs on its own thread (asyncio's,
//! libuv's), so a call at concurrency 1 sleeps once, in the loop's poll, instead of waking a
//! Tokio thread and being woken back by it (bench/notes/journal.md: what each cost).
//!
//! The loop runs the runtime without ever blocking: it looks at its sockets, runs every task that
//! can go on, and returns. The loop runs it:
//! - when a call starts alone, inside the call, so its request leaves at once (calls started
//!   together run together on the loop's next turn: running the runtime once per call cost a
//!   third of the calls per second at concurrency 64);
//! - when a connection's socket is readable (each one is reported to the loop as it opens,
//!   through [`SocketWatcher`]);
//! - when a call's task is woken from another thread (a DNS lookup, a signer, a cancelled
//!   call): [`EventLoop::nudge`];
//! - on a timer while calls are in flight: every 50 ms for Tokio's own timers (timeouts, retry
//!   waits), and after 1, 2, 4... ms while a TCP connection is being made (its socket is told to
//!   the loop only once connected).
//!
//! What is the same for every language lives here; a binding says how its loop does each thing
//! ([`EventLoop`]) and settles the calls that finished after each run.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use tokio::runtime::Runtime;
use tokio::task::AbortHandle;

use alura::forks::Born;
use alura::sockets::{Socket, SocketWatcher};

const FIRST_TICK: Duration = Duration::from_millis(1);
const SLOW_TICK: Duration = Duration::from_millis(50);

/// Rounds a run goes through at most; the loop runs the runtime again for what is left.
const MAX_ROUNDS: u32 = 16;

thread_local! {
    /// The runtime this thread runs now (its `LoopRuntime`'s address; 0 for none): a task of it
    /// woken then runs in the same run, while one of another loop's must be nudged.
    static RUNNING: Cell<usize> = const { Cell::new(0) };
    /// How many times calls' tasks were polled on this thread: a run's measure of progress.
    static POLLS: Cell<u64> = const { Cell::new(0) };
    /// A call's task of the running runtime was woken in this round.
    static WOKEN: Cell<bool> = const { Cell::new(false) };
}

/// Whether this thread is running a loop's runtime now: a call that ends then is settled right
/// after the run, on this thread, and needs no wake-up.
pub fn running() -> bool {
    RUNNING.get() != 0
}

/// What a language's event loop does for the runtime it runs. Every method but `nudge` is called
/// on the loop's thread.
pub trait EventLoop: Send + Sync + 'static {
    /// Call [`LoopRuntime::run`] on the loop's next turn.
    fn run_soon(&self);
    /// Call [`LoopRuntime::tick`] after `after`, in place of any timer set before.
    fn set_timer(&self, after: Duration);
    /// Forget the timer set before, if any.
    fn cancel_timer(&self);
    /// From any thread: wake the loop, which then calls [`LoopRuntime::run`].
    fn nudge(&self);
    /// Call [`LoopRuntime::run`] whenever `socket` is readable.
    fn watch(&self, socket: Socket);
    /// Stop: `socket` closes right after this returns.
    fn unwatch(&self, socket: Socket);
    /// Runs `f` with the language's own lock released (Python's GIL): a run is Rust alone.
    fn unlocked(&self, f: &mut (dyn FnMut() + Send)) {
        f()
    }
}

/// The runtime was shut down (its loop closed).
#[derive(Debug)]
pub struct Closed;

impl std::fmt::Display for Closed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the event loop's SDK runtime is shut down")
    }
}

impl std::error::Error for Closed {}

/// One event loop's runtime.
pub struct LoopRuntime {
    runtime: Mutex<Option<Arc<Runtime>>>,
    /// The process that made it.
    born: Born,
    in_flight: AtomicUsize,
    /// A run is already asked for with `run_soon`.
    soon: AtomicBool,
    tick: Mutex<Tick>,
    watcher: Arc<Reporter>,
    /// The same, as [`watching`](super::watching) takes it.
    watching: Arc<dyn SocketWatcher>,
}

/// The timer that runs the runtime while calls are in flight.
struct Tick {
    set: bool,
    after: Duration,
}

impl LoopRuntime {
    /// A runtime for `event_loop`, which runs it from then on.
    pub fn new(event_loop: Arc<dyn EventLoop>) -> std::io::Result<Arc<Self>> {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let watcher = Arc::new(Reporter { event_loop, connecting: AtomicBool::new(false) });
        Ok(Arc::new(Self {
            runtime: Mutex::new(Some(Arc::new(runtime))),
            born: Born::here(),
            in_flight: AtomicUsize::new(0),
            soon: AtomicBool::new(false),
            tick: Mutex::new(Tick { set: false, after: SLOW_TICK }),
            watching: watcher.clone(),
            watcher,
        }))
    }

    fn event_loop(&self) -> &dyn EventLoop {
        &*self.watcher.event_loop
    }

    fn id(&self) -> usize {
        std::ptr::from_ref(self) as usize
    }

    /// Starts `work`, on the loop's thread. The only call in flight runs at once, so its request
    /// leaves before this returns; calls started together run together on the loop's next turn.
    /// The caller settles what finished once this returns.
    pub fn spawn<F>(self: &Arc<Self>, work: F) -> Result<AbortHandle, Closed>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let alone = self.in_flight.fetch_add(1, Ordering::AcqRel) == 0;
        let in_flight = InFlight(self.clone());
        let work = Box::pin(async move {
            let _in_flight = in_flight;
            work.await
        });
        let event_loop = Arc::downgrade(&self.watcher.event_loop);
        let work = Notifying { inner: work, event_loop, runtime: self.id(), cached: None };
        if alone && may_run() {
            // Spawned inside the runtime, so it is queued there without waking anything.
            let (task, more) =
                self.run_rounds(Some(move || tokio::spawn(work).abort_handle())).ok_or(Closed)?;
            if more {
                self.run_soon();
            }
            return task.ok_or(Closed);
        }
        let runtime = self.runtime.lock().unwrap_or_else(PoisonError::into_inner).clone().ok_or(Closed)?;
        let task = runtime.spawn(work).abort_handle();
        self.run_soon();
        Ok(task)
    }

    /// Asks the loop to run the runtime on its next turn (once, however often asked meanwhile).
    pub fn run_soon(&self) {
        if !self.soon.swap(true, Ordering::AcqRel) {
            self.event_loop().run_soon();
        }
    }

    /// Runs the runtime without ever blocking, or asks the loop for it on its next turn when it
    /// cannot run now or left work behind. The caller settles what finished once this returns.
    pub fn run(&self) {
        self.soon.store(false, Ordering::Release);
        let more = !may_run() || self.run_rounds(None::<fn()>).is_some_and(|(_, more)| more);
        if more {
            self.run_soon();
        }
    }

    /// The timer fired: runs the runtime, and the next timer waits longer.
    pub fn tick(&self) {
        {
            let mut tick = self.tick.lock().unwrap_or_else(PoisonError::into_inner);
            tick.set = false;
            tick.after = (tick.after * 2).min(SLOW_TICK);
        }
        self.run();
    }

    /// Runs the runtime, after calling `first` inside it, in rounds: each runs every task that
    /// can go on, then looks at the sockets and timers (and wakes what `yield_now` put off). It
    /// stops after a round, from the second on (the first only finds what is ready), in which no
    /// call's task moved or was woken, and never blocks. `more`: it stopped at the last round
    /// with work left. None once shut down.
    fn run_rounds<T: Send>(&self, first: Option<impl FnOnce() -> T + Send>) -> Option<(Option<T>, bool)> {
        let runtime = self.runtime.lock().unwrap_or_else(PoisonError::into_inner).clone()?;
        let (id, watcher) = (self.id(), &self.watching);
        let mut first = first;
        let mut out = None;
        self.event_loop().unlocked(&mut || {
            struct Restore(usize);
            impl Drop for Restore {
                fn drop(&mut self) {
                    RUNNING.set(self.0);
                }
            }
            let _restore = Restore(RUNNING.replace(id));
            let first = first.take();
            out = Some(alura::sockets::watching(watcher, || {
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
            }));
        });
        out
    }

    /// After a run and its settling: while calls are in flight, a timer runs the runtime again
    /// for what no socket announces: Tokio's timers (timeouts, retry waits) every 50 ms, and a
    /// connection being made after 1 ms, then 2, 4, and so on.
    pub fn keep_ticking(&self) {
        let (cancel, set) = {
            let mut tick = self.tick.lock().unwrap_or_else(PoisonError::into_inner);
            let mut cancel = false;
            if self.watcher.connecting.swap(false, Ordering::AcqRel) {
                cancel = std::mem::take(&mut tick.set);
                tick.after = FIRST_TICK;
            }
            let idle = self.in_flight.load(Ordering::Acquire) == 0;
            let set = (!idle && !tick.set).then_some(tick.after);
            tick.set |= set.is_some();
            (cancel, set)
        };
        // Without the lock: the loop may run code that comes back here.
        match set {
            Some(after) => self.event_loop().set_timer(after),
            None if cancel => self.event_loop().cancel_timer(),
            None => {}
        }
    }

    /// The loop closed: its runtime stops, and with it every call and connection left. Never
    /// waits (a blocking task still holding a thread of its pool is left to finish).
    pub fn shut_down(&self) {
        let runtime = self.runtime.lock().unwrap_or_else(PoisonError::into_inner).take();
        if !self.born.is_here() {
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

impl Drop for LoopRuntime {
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// Whether this thread may run a runtime now: not from code a run (or any other Tokio runtime) is
/// running, such as a logging handler, a finalizer, or a loop run again inside one, where Tokio
/// cannot nest.
fn may_run() -> bool {
    !running() && tokio::runtime::Handle::try_current().is_err()
}

/// Counts a call as in flight until its task ends or is dropped (cancelled).
struct InFlight(Arc<LoopRuntime>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Tells the loop of the runtime's connections, and notes when one is being made.
struct Reporter {
    event_loop: Arc<dyn EventLoop>,
    /// A connection was started since the timer was last set.
    connecting: AtomicBool,
}

impl SocketWatcher for Reporter {
    fn connecting(&self) {
        self.connecting.store(true, Ordering::Release);
    }

    fn watch(&self, socket: Socket) {
        self.event_loop.watch(socket);
    }

    fn unwatch(&self, socket: Socket) {
        self.event_loop.unwatch(socket);
    }
}

/// A call's task, which nudges the loop when woken from outside a run: a run runs what it wakes
/// itself, but nothing else runs the runtime.
struct Notifying<F> {
    inner: F,
    event_loop: Weak<dyn EventLoop>,
    /// Its runtime's `LoopRuntime`, by address.
    runtime: usize,
    /// The waker handed to `inner`, and the runtime's waker it wraps.
    cached: Option<(Waker, Waker)>,
}

struct NotifyingWaker {
    inner: Waker,
    event_loop: Weak<dyn EventLoop>,
    runtime: usize,
}

impl Wake for NotifyingWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.inner.wake_by_ref();
        if RUNNING.get() == self.runtime {
            WOKEN.set(true);
        } else if let Some(event_loop) = self.event_loop.upgrade() {
            event_loop.nudge();
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
                event_loop: this.event_loop.clone(),
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
