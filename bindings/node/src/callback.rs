//! A JS function the core calls back (a logger, `onToken`), from wherever the call runs.
//!
//! From a Tokio thread it goes through a thread-safe function. On the function's own JS thread,
//! when that thread's loop runs the SDK's runtime (where calls run, `completion.rs`), it is held
//! instead, and called in order right before the calls that finished meanwhile settle: through
//! the thread-safe function it would come only once the loop comes round, after the call's
//! promise settled (a chain of awaited calls answered within their own runs would hold it back
//! until the chain ends), while from a Tokio thread it always came first.

use std::cell::RefCell;
use std::sync::Arc;
use std::thread::ThreadId;

use napi::bindgen_prelude::*;
use napi::sys;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};

/// Has this JS thread's loop settle the SDK's calls on its next turn, if it runs them; whether
/// it does. Given by `completion.rs`, which owns that loop, when it first starts one: this
/// module calls it without knowing the loop.
static SETTLE_SOON: std::sync::OnceLock<fn() -> bool> = std::sync::OnceLock::new();

pub fn settle_with(settle_soon: fn() -> bool) {
    let _ = SETTLE_SOON.set(settle_soon);
}

/// A JS function with arguments `T`; weak, so it never keeps the process alive.
pub struct Callback<T: JsValuesTupleIntoVec + 'static, R: FromNapiValue + 'static> {
    sink: ThreadsafeFunction<T, R, T, Status, false, true>,
    direct: Arc<Direct>,
}

impl<T: JsValuesTupleIntoVec + Send + 'static, R: FromNapiValue + 'static> Callback<T, R> {
    pub fn new(function: &Function<'_, T, R>) -> Result<Self> {
        let value = function.value();
        let direct = Direct::new(value.env, value.value)?;
        let sink = function.build_threadsafe_function().callee_handled::<false>().weak::<true>().build()?;
        Ok(Self { sink, direct })
    }

    pub fn call(&self, args: T) {
        // Outside a run (a client being built), the loop is asked to settle on its next turn, so
        // the record still comes before those of later calls.
        let settle_soon = || SETTLE_SOON.get().is_some_and(|settle| settle());
        if self.direct.here() && (alura_ffi::event_loop::running() || settle_soon()) {
            let args: Args = Box::new(move |env| args.into_vec(env));
            HELD.with_borrow_mut(|held| held.push((self.direct.clone(), args)));
        } else {
            self.sink.call(args, ThreadsafeFunctionCallMode::NonBlocking);
        }
    }
}

/// A reference to the function, usable only on the thread that made it.
struct Direct {
    env: sys::napi_env,
    function: sys::napi_ref,
    thread: ThreadId,
}

// Its pointers are used only on `thread` (checked at each use).
unsafe impl Send for Direct {}
unsafe impl Sync for Direct {}

impl Direct {
    fn new(env: sys::napi_env, function: sys::napi_value) -> Result<Arc<Self>> {
        let mut reference = std::ptr::null_mut();
        let status = unsafe { sys::napi_create_reference(env, function, 1, &mut reference) };
        if status != sys::Status::napi_ok {
            return Err(Error::from_reason(format!("keeping a callback failed ({status})")));
        }
        Ok(Arc::new(Self { env, function: reference, thread: std::thread::current().id() }))
    }

    fn here(&self) -> bool {
        std::thread::current().id() == self.thread
    }

    /// Calls the function with `args` (on its thread); what it throws is uncaught, as from the
    /// thread-safe function.
    unsafe fn call(&self, env: sys::napi_env, args: &[sys::napi_value]) {
        unsafe {
            let (mut function, mut this, mut ignored) =
                (std::ptr::null_mut(), std::ptr::null_mut(), std::ptr::null_mut());
            if sys::napi_get_reference_value(env, self.function, &mut function) != sys::Status::napi_ok
                || function.is_null()
            {
                return;
            }
            sys::napi_get_undefined(env, &mut this);
            if sys::napi_call_function(env, this, function, args.len(), args.as_ptr(), &mut ignored)
                != sys::Status::napi_ok
            {
                let mut exception = std::ptr::null_mut();
                if sys::napi_get_and_clear_last_exception(env, &mut exception) == sys::Status::napi_ok {
                    sys::napi_fatal_exception(env, exception);
                }
            }
        }
    }
}

impl Drop for Direct {
    fn drop(&mut self) {
        // Elsewhere (a client dropped on another thread) the reference is left to the
        // environment's end.
        if self.here() {
            unsafe { sys::napi_delete_reference(self.env, self.function) };
        }
    }
}

type Args = Box<dyn FnOnce(sys::napi_env) -> Result<Vec<sys::napi_value>>>;

thread_local! {
    /// Calls held on this JS thread until its next settling.
    static HELD: RefCell<Vec<(Arc<Direct>, Args)>> = const { RefCell::new(Vec::new()) };
}

/// The environment is going away: held calls are dropped while it can still delete their
/// functions' references (nothing is held after it, since nothing settles).
pub fn discard_held() {
    drop(HELD.take());
}

/// Whether calls are held for [`make_held_calls`].
pub fn held() -> bool {
    HELD.with_borrow(|held| !held.is_empty())
}

/// Makes the held calls, in order, on their JS thread, where JS may run.
pub fn make_held_calls(env: sys::napi_env) {
    loop {
        let held = HELD.take();
        if held.is_empty() {
            return;
        }
        for (direct, args) in held {
            if let Ok(args) = args(env) {
                unsafe { direct.call(env, &args) };
            }
        }
    }
}
