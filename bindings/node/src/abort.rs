//! Aborting a call from JS (`AbortSignal`): the call's future is dropped, so its request is
//! dropped with it. JS holds a numeric handle, since a napi object cannot cross into the
//! async call.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

use napi_derive::napi;
use tokio::sync::Notify;

#[derive(Default)]
pub struct Abort {
    fired: AtomicBool,
    notify: Notify,
}

impl Abort {
    /// Resolves once `abort` is called (at once if it already was).
    pub async fn fired(&self) {
        let wait = self.notify.notified();
        if self.fired.load(Ordering::Acquire) {
            return;
        }
        wait.await;
    }
}

static NEXT: AtomicU32 = AtomicU32::new(1);
static OPEN: LazyLock<Mutex<HashMap<u32, Arc<Abort>>>> = LazyLock::new(Mutex::default);

/// A new handle for one call's abort.
#[napi]
pub fn abort_handle() -> u32 {
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    if let Ok(mut open) = OPEN.lock() {
        open.insert(id, Arc::default());
    }
    id
}

/// Aborts the call holding `id`, now or when it starts.
#[napi]
pub fn abort(id: u32) {
    if let Some(abort) = OPEN.lock().ok().and_then(|open| open.get(&id).cloned()) {
        abort.fired.store(true, Ordering::Release);
        abort.notify.notify_waiters();
    }
}

/// Forgets the handle once its call has settled (JS calls it in `finally`).
#[napi]
pub fn abort_release(id: u32) {
    if let Ok(mut open) = OPEN.lock() {
        open.remove(&id);
    }
}

/// The abort for `id`, if the handle is still open.
pub fn get(id: u32) -> Option<Arc<Abort>> {
    OPEN.lock().ok()?.get(&id).cloned()
}
