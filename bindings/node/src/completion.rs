//! How an async call's outcome reaches JavaScript: one queue per JS thread, drained by one
//! thread-safe function.
//!
//! napi-rs' `async fn` makes a promise with its own thread-safe function per call (a libuv
//! handle opened and closed, an env cleanup hook added and removed, one wake-up each). Here a
//! JS thread has one thread-safe function for all its calls. A finished call pushes its
//! outcome onto the thread's queue and calls the function only when the queue was empty, so
//! the event loop wakes once for all the calls that finished together and settles each
//! promise on its own thread. The function holds the loop open only while calls are pending.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::c_void;
use std::future::Future;
use std::ptr;
use std::sync::{Arc, Mutex, PoisonError};

use napi::bindgen_prelude::*;
use napi::sys;

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
        if state.finished.len() == 1 {
            // Under the lock, so the environment's teardown cannot release it meanwhile.
            unsafe {
                sys::napi_call_threadsafe_function(
                    wake,
                    ptr::null_mut(),
                    sys::ThreadsafeFunctionCallMode::nonblocking,
                )
            };
        }
    }
}

/// The JS thread's side: its queue, and the promises its calls will settle.
struct Thread {
    queue: Arc<Queue>,
    tsfn: sys::napi_threadsafe_function,
    pending: HashMap<u64, sys::napi_deferred>,
    next_id: u64,
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
    THREAD.set(Some(Thread { queue, tsfn, pending: HashMap::new(), next_id: 0 }));
    Ok(())
}

/// The environment is going away: calls still running find no one to answer.
unsafe extern "C" fn teardown(_: *mut c_void) {
    if let Some(thread) = THREAD.take() {
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
}

/// Runs `work` on the runtime and returns a promise that its outcome settles on this JS thread.
pub fn spawn<T, W>(env: &Env, work: W) -> Result<Unknown<'static>>
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
    napi::bindgen_prelude::spawn(async move {
        // Every call is answered, even one whose work panicked: its promise would otherwise hold
        // the process open forever.
        let out = futures_util::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(work))
            .await
            .unwrap_or_else(|panic| Err(crate::to_js(alura::Error::from_panic(&*panic))));
        let settle: Settle =
            Box::new(move |env| out.and_then(|value| unsafe { T::to_napi_value(env, value) }));
        queue.push(Finished { id, settle });
    });
    Ok(unsafe { Unknown::from_raw_unchecked(env, promise) })
}
