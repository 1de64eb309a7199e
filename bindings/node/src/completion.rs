//! Where an async call runs, and how its outcome reaches JavaScript.
//!
//! Calls run on the JS thread's own Tokio runtime, which its libuv loop runs (`loop_runtime.rs`):
//! a call at concurrency 1 then sleeps once, in libuv's poll, as undici's does, instead of
//! waking a Tokio thread and being woken back by it. A call that ends while the loop runs that
//! runtime is settled right after the run. Without libuv's exports (Bun, Deno, Windows) or
//! behind an environment proxy, calls run on napi-rs' Tokio worker.
//!
//! Either way a JS thread has one queue and one thread-safe function for all its calls
//! (napi-rs' `async fn` makes one per call: a libuv handle opened and closed, an env cleanup
//! hook added and removed, one wake-up each). A call finished on another thread pushes its
//! outcome and calls the function only when the queue was empty, so the loop wakes once for
//! all the calls that finished together. The function holds the loop open only while calls
//! are pending.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::c_void;
use std::future::Future;
use std::ptr;
use std::sync::{Arc, Mutex, PoisonError};

use alura_ffi::event_loop::LoopRuntime;
use napi::bindgen_prelude::*;
use napi::sys;

use crate::loop_runtime::Libuv;

/// Makes a finished call's outcome into its JS value, on the JS thread.
type Settle = Box<dyn FnOnce(sys::napi_env) -> Result<sys::napi_value> + Send>;

struct Finished {
    id: u64,
    settle: Settle,
}

/// What Tokio threads share with one JS thread.
#[derive(Default)]
struct Queue {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    finished: Vec<Finished>,
    /// None once the JS thread's environment is gone: nobody is left to answer.
    wake: Option<Wake>,
}

/// N-API lets any thread call a thread-safe function.
struct Wake(sys::napi_threadsafe_function);
unsafe impl Send for Wake {}

impl Queue {
    fn push(&self, done: Finished) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(wake) = &state.wake else { return };
        let wake = wake.0;
        state.finished.push(done);
        // A call that ends in a run of the loop's runtime is settled right after it.
        if state.finished.len() == 1 && !alura_ffi::event_loop::running() {
            Self::call(wake);
        }
    }

    /// Has the loop call `drain` on its next turn, from any thread.
    fn wake(&self) {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(Wake(wake)) = &state.wake {
            Self::call(*wake);
        }
    }

    /// Called under the lock, so the environment's teardown cannot release it meanwhile.
    fn call(wake: sys::napi_threadsafe_function) {
        unsafe {
            sys::napi_call_threadsafe_function(
                wake,
                ptr::null_mut(),
                sys::ThreadsafeFunctionCallMode::nonblocking,
            )
        };
    }
}

/// The JS thread's side: its queue, and the promises its calls will settle.
struct Thread {
    queue: Arc<Queue>,
    tsfn: sys::napi_threadsafe_function,
    pending: HashMap<u64, sys::napi_deferred>,
    next_id: u64,
    env: sys::napi_env,
    /// The loop's own runtime and its libuv side, when libuv can be used.
    driven: Option<(Arc<LoopRuntime>, Arc<Libuv>)>,
    /// What promises settled from libuv's own callbacks are settled in (for async hooks).
    async_context: sys::napi_async_context,
}

thread_local! {
    static THREAD: RefCell<Option<Thread>> = const { RefCell::new(None) };
}

fn check(status: sys::napi_status, what: &str) -> Result<()> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(Error::from_reason(format!("{what} failed ({status})")))
    }
}

/// This JS thread's queue and thread-safe function, made on its first call.
fn start(env: sys::napi_env) -> Result<()> {
    if THREAD.with_borrow(Option::is_some) {
        return Ok(());
    }
    crate::callback::settle_with(settle_soon);
    let mut name = ptr::null_mut();
    let label = "alura";
    check(
        unsafe { sys::napi_create_string_utf8(env, label.as_ptr().cast(), label.len() as isize, &mut name) },
        "naming the queue",
    )?;
    let mut tsfn = ptr::null_mut();
    check(
        unsafe {
            sys::napi_create_threadsafe_function(
                env,
                ptr::null_mut(),
                ptr::null_mut(),
                name,
                0,
                1,
                ptr::null_mut(),
                None,
                ptr::null_mut(),
                Some(drain),
                &mut tsfn,
            )
        },
        "creating the queue",
    )?;
    // Idle, it must not keep the process alive; a pending call refs it.
    check(unsafe { sys::napi_unref_threadsafe_function(env, tsfn) }, "unreferencing the queue")?;
    let queue = Arc::new(Queue::default());
    queue.state.lock().unwrap_or_else(PoisonError::into_inner).wake = Some(Wake(tsfn));
    check(
        unsafe { sys::napi_add_env_cleanup_hook(env, Some(teardown), ptr::null_mut()) },
        "hooking teardown",
    )?;
    let driven = crate::uv::uv(env).and_then(|uv| driven(env, uv, &queue));
    let mut async_context = ptr::null_mut();
    if driven.is_some() {
        let mut resource = ptr::null_mut();
        check(unsafe { sys::napi_create_object(env, &mut resource) }, "making the async resource")?;
        check(
            unsafe { sys::napi_async_init(env, resource, name, &mut async_context) },
            "making the async context",
        )?;
    }
    THREAD.set(Some(Thread { queue, tsfn, pending: HashMap::new(), next_id: 0, env, driven, async_context }));
    Ok(())
}

/// The JS thread's own runtime, run by its libuv loop.
fn driven(
    env: sys::napi_env,
    uv: &'static crate::uv::Uv,
    queue: &Arc<Queue>,
) -> Option<(Arc<LoopRuntime>, Arc<Libuv>)> {
    let mut event_loop = ptr::null_mut();
    if unsafe { sys::napi_get_uv_event_loop(env, &mut event_loop) } != sys::Status::napi_ok
        || event_loop.is_null()
    {
        return None;
    }
    let queue = Arc::downgrade(queue);
    let wake = Box::new(move || {
        if let Some(queue) = queue.upgrade() {
            queue.wake();
        }
    });
    let libuv = Arc::new(Libuv::new(uv, event_loop.cast(), wake, readable, timer_fired)?);
    let runtime = LoopRuntime::new(libuv.clone()).ok()?;
    Some((runtime, libuv))
}

/// The environment is going away: calls still running find no one to answer.
unsafe extern "C" fn teardown(_: *mut c_void) {
    crate::callback::discard_held();
    if let Some(thread) = THREAD.take() {
        if let Some((runtime, libuv)) = &thread.driven {
            // Its connections' handles close as their connections drop, then the rest.
            runtime.shut_down();
            libuv.close();
            unsafe { sys::napi_async_destroy(thread.env, thread.async_context) };
        }
        let mut state = thread.queue.state.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(Wake(tsfn)) = state.wake.take() {
            unsafe { sys::napi_release_threadsafe_function(tsfn, sys::ThreadsafeFunctionReleaseMode::abort) };
        }
        state.finished.clear();
    }
}

/// The thread-safe function's callback, on the JS thread: settles every call that finished
/// since the last time.
unsafe extern "C" fn drain(env: sys::napi_env, _: sys::napi_value, _: *mut c_void, _: *mut c_void) {
    if env.is_null() {
        return;
    }
    if let Some(runtime) = runtime() {
        // A panic must not unwind into N-API.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| runtime.run()));
    }
    settle(env);
}

/// Has this JS thread settle on its loop's next turn, if it runs its calls on the loop;
/// whether it does.
pub fn settle_soon() -> bool {
    let queue = THREAD.with(|t| {
        let t = t.try_borrow().ok()?;
        t.as_ref().filter(|t| t.driven.is_some()).map(|t| t.queue.clone())
    });
    queue.map(|queue| queue.wake()).is_some()
}

fn runtime() -> Option<Arc<LoopRuntime>> {
    THREAD.with_borrow(|t| t.as_ref()?.driven.as_ref().map(|(runtime, _)| runtime.clone()))
}

/// libuv's callback for a connection's readable socket.
unsafe extern "C" fn readable(_: *mut crate::uv::Handle, _status: std::ffi::c_int, _events: std::ffi::c_int) {
    from_libuv(LoopRuntime::run);
}

/// libuv's callback for the runtime's timer.
unsafe extern "C" fn timer_fired(_: *mut crate::uv::Handle) {
    from_libuv(LoopRuntime::tick);
}

/// Runs the runtime from a libuv callback, where no JS is on the stack: promises are settled in
/// a callback scope, whose end runs their reactions (microtasks) as any of Node's callbacks do.
fn from_libuv(run: fn(&LoopRuntime)) {
    let Some((env, runtime, async_context, queue)) = THREAD.with_borrow(|t| {
        let t = t.as_ref()?;
        Some((t.env, t.driven.as_ref()?.0.clone(), t.async_context, t.queue.clone()))
    }) else {
        return;
    };
    // A panic must not unwind into libuv.
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(&runtime)));
    if queue.state.lock().unwrap_or_else(PoisonError::into_inner).finished.is_empty()
        && !crate::callback::held()
    {
        runtime.keep_ticking();
        return;
    }
    unsafe {
        let (mut handles, mut resource, mut scope) = (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
        if sys::napi_open_handle_scope(env, &mut handles) != sys::Status::napi_ok {
            return;
        }
        if sys::napi_create_object(env, &mut resource) == sys::Status::napi_ok
            && sys::napi_open_callback_scope(env, resource, async_context, &mut scope) == sys::Status::napi_ok
        {
            settle(env);
            sys::napi_close_callback_scope(env, scope);
        }
        sys::napi_close_handle_scope(env, handles);
    }
}

/// Settles every call that finished since the last time, on the JS thread; then, with a runtime
/// of the loop's own, keeps its timer going.
fn settle(env: sys::napi_env) {
    // Log records and new tokens of the calls about to settle come first.
    crate::callback::make_held_calls(env);
    let Some(queue) = THREAD.with_borrow(|t| t.as_ref().map(|t| t.queue.clone())) else { return };
    let batch = std::mem::take(&mut queue.state.lock().unwrap_or_else(PoisonError::into_inner).finished);
    for Finished { id, settle } in batch {
        let Some(deferred) = THREAD.with_borrow_mut(|t| t.as_mut().and_then(|t| t.pending.remove(&id)))
        else {
            continue;
        };
        // A panic must not unwind out of this C callback (that aborts node): it fails this call.
        let settled = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| settle(env)))
            .unwrap_or_else(|panic| Err(crate::to_js(alura::Error::from_panic(&*panic))));
        unsafe {
            match settled {
                Ok(value) => sys::napi_resolve_deferred(env, deferred, value),
                Err(error) => sys::napi_reject_deferred(env, deferred, JsError::from(error).into_value(env)),
            };
        }
    }
    THREAD.with_borrow(|t| {
        if let Some(t) = t.as_ref().filter(|t| t.pending.is_empty()) {
            unsafe { sys::napi_unref_threadsafe_function(env, t.tsfn) };
        }
    });
    if let Some(runtime) = runtime() {
        runtime.keep_ticking();
    }
}

/// Runs `work` and returns a promise that its outcome settles on this JS thread: on the
/// thread's own runtime when `on_loop` (the client's connections can be watched), else on the
/// Tokio worker.
pub fn spawn<T, W>(env: &Env, on_loop: bool, work: W) -> Result<Unknown<'static>>
where
    T: ToNapiValue + Send + 'static,
    W: Future<Output = Result<T>> + Send + 'static,
{
    let env = env.raw();
    start(env)?;
    let (mut deferred, mut promise) = (ptr::null_mut(), ptr::null_mut());
    check(unsafe { sys::napi_create_promise(env, &mut deferred, &mut promise) }, "creating a promise")?;
    let (id, queue) = THREAD.with_borrow_mut(|t| {
        let t = t.as_mut().ok_or_else(|| Error::from_reason("the environment is shutting down"))?;
        let id = t.next_id;
        t.next_id += 1;
        t.pending.insert(id, deferred);
        if t.pending.len() == 1 {
            unsafe { sys::napi_ref_threadsafe_function(env, t.tsfn) };
        }
        Ok::<_, Error>((id, t.queue.clone()))
    })?;
    let our_queue = queue.clone();
    // Boxed first: a call's future is kilobytes, and each wrapper would copy it whole.
    let work = Box::pin(work);
    let work = async move {
        // Every call is answered, even one whose work panicked: its promise would otherwise hold
        // the process open forever.
        let out = futures_util::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(work))
            .await
            .unwrap_or_else(|panic| Err(crate::to_js(alura::Error::from_panic(&*panic))));
        let settle: Settle =
            Box::new(move |env| out.and_then(|value| unsafe { T::to_napi_value(env, value) }));
        queue.push(Finished { id, settle });
    };
    match runtime().filter(|_| on_loop) {
        Some(runtime) => {
            if let Err(closed) = runtime.spawn(work) {
                // Nothing will settle it: forgotten, and the loop no longer held open for it.
                THREAD.with_borrow_mut(|t| {
                    let t = t.as_mut()?;
                    t.pending.remove(&id)?;
                    if t.pending.is_empty() {
                        unsafe { sys::napi_unref_threadsafe_function(env, t.tsfn) };
                    }
                    Some(())
                });
                return Err(Error::from_reason(closed.to_string()));
            }
            // What the run finished (an answer already there, a refused argument) and the log
            // records it made are settled on the loop's next turn, not inside this method: user
            // code (a logger, onToken) never runs inside a call that starts another.
            let finished =
                !our_queue.state.lock().unwrap_or_else(PoisonError::into_inner).finished.is_empty();
            if finished || crate::callback::held() {
                our_queue.wake();
            } else {
                runtime.keep_ticking();
            }
        }
        None => drop(napi::bindgen_prelude::spawn(work)),
    }
    Ok(unsafe { Unknown::from_raw_unchecked(env, promise) })
}
