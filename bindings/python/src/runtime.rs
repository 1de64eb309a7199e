//! The process's Tokio runtime. A forked child has none of its parent's threads, so a runtime
//! started before `os.fork()` never runs a task in the child and every call there would wait
//! for ever. The runtime therefore belongs to a process: a child starts its own on first use.

use std::sync::Arc;

use arc_swap::ArcSwapOption;
use pyo3::PyResult;
use tokio::runtime::{Handle, Runtime};

struct Owned {
    pid: u32,
    runtime: Runtime,
}

/// Read without a lock, so a lock held by another thread at the fork cannot stall a child.
static CURRENT: ArcSwapOption<Owned> = ArcSwapOption::const_empty();

/// This process's runtime, started on first use.
pub fn handle() -> PyResult<Handle> {
    let pid = std::process::id();
    let current = CURRENT.load_full();
    if let Some(owned) = current.as_ref().filter(|owned| owned.pid == pid) {
        return Ok(owned.runtime.handle().clone());
    }
    // One Tokio worker: a call's HTTP and decode stay on one thread, which feeds more answers
    // than one event loop can take, while a second worker made each call at concurrency 1
    // hop between threads (bench/README.md: 1,000-1,300 calls/s with two workers, 2,100 with
    // one).
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .worker_threads(1)
        .thread_name("alura-tokio")
        .build()?;
    // The parent's runtime, in a child: its threads do not exist here, and dropping it would
    // wait for them for ever, so one reference to it is never let go.
    if let Some(parent) = current.as_ref().filter(|owned| owned.pid != pid) {
        std::mem::forget(parent.clone());
    }
    let fresh = Arc::new(Owned { pid, runtime });
    let before = CURRENT.compare_and_swap(&current, Some(fresh.clone()));
    let swapped = match (&*before, &current) {
        (None, None) => true,
        (Some(before), Some(current)) => Arc::ptr_eq(before, current),
        _ => false,
    };
    if !swapped {
        // Another thread of this process started one first: use it. Ours has threads of its
        // own, so it can stop, in the background (a Python thread must not wait on Tokio).
        if let Ok(ours) = Arc::try_unwrap(fresh) {
            ours.runtime.shutdown_background();
        }
        return handle();
    }
    Ok(fresh.runtime.handle().clone())
}
