//! The Tokio runtimes calls run on: the process's, where async calls run, and each thread's own,
//! where that thread's sync calls run start to end, HTTP included, so a sync call never waits on
//! another thread to be woken (bench/notes/journal.md: what that gave).
//!
//! A forked child has none of its parent's threads, so a runtime started before `os.fork()`
//! never runs a task in the child and every call there would wait for ever; one made in the
//! parent also shares its epoll instance with the parent. Runtimes therefore belong to a
//! process: a child starts its own on first use and never touches (or drops) the parent's.

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use std::sync::Arc;

use arc_swap::ArcSwapOption;
use pyo3::{PyResult, Python};
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
    // hop between threads (bench/notes/journal.md: 1,000-1,300 calls/s with two workers, 2,100 with
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

thread_local! {
    /// This thread's runtime for sync calls, and the process that made it.
    static THREAD: RefCell<Option<Rc<Owned>>> = const { RefCell::new(None) };
}

/// Runs `future` to its end on the calling thread, in the thread's own runtime (current-thread:
/// the future, its connections' tasks and the I/O all run here, while the caller waits).
pub fn block_on<F>(future: F) -> PyResult<F::Output>
where
    F: Future + Send,
    F::Output: Send,
{
    if Handle::try_current().is_ok() {
        return nested(future);
    }
    let pid = std::process::id();
    let runtime = THREAD.with(|slot| -> PyResult<Rc<Owned>> {
        let mut slot = slot.borrow_mut();
        if let Some(owned) = slot.as_ref().filter(|owned| owned.pid == pid) {
            return Ok(owned.clone());
        }
        if let Some(parent) = slot.take() {
            // The parent's: dropping it would take the parent's sockets out of the epoll
            // instance both processes share.
            std::mem::forget(parent);
        }
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        Ok(slot.insert(Rc::new(Owned { pid, runtime })).clone())
    })?;
    Ok(runtime.runtime.block_on(future))
}

/// A sync call made by code that a call runs on this thread (a signer making a call): this
/// thread's runtime is busy with the outer call and Tokio cannot nest, so the inner call runs on
/// the process's runtime, waited for from a thread of its own.
fn nested<F>(future: F) -> PyResult<F::Output>
where
    F: Future + Send,
    F::Output: Send,
{
    let runtime = handle()?;
    std::thread::scope(|scope| {
        let waiter = std::thread::Builder::new()
            .name("alura-nested".into())
            .spawn_scoped(scope, move || runtime.block_on(future))?;
        waiter
            .join()
            .map_err(|panic| Python::attach(|py| crate::errors::to_py(py, alura::Error::from_panic(&*panic))))
    })
}
