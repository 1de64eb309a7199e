//! The Tokio runtimes calls run on: the process's, where async calls run, and each thread's own,
//! where that thread's sync calls run start to end, HTTP included, so a sync call never waits on
//! another thread to be woken (bench/notes/journal.md: what that gave).
//!
//! A forked child has none of its parent's threads, so a runtime started before `os.fork()`
//! never runs a task in the child and every call there would wait for ever; one made in the
//! parent also shares its epoll instance with the parent. Runtimes therefore belong to a
//! process (`alura::forks`): a child starts its own on first use and never touches (or drops)
//! the parent's.

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;

use alura::forks::{Born, PerProcess};
use pyo3::{PyResult, Python};
use tokio::runtime::{Handle, Runtime};

/// This process's runtime (`alura::forks`: a child makes its own, and keeps its parent's
/// forgotten, never dropped: dropping it would wait for threads that are not there).
static CURRENT: PerProcess<Runtime> = PerProcess::new();

/// This process's runtime, started on first use.
pub fn handle() -> PyResult<Handle> {
    let runtime = CURRENT.get(
        |_parent| {
            // One Tokio worker: a call's HTTP and decode stay on one thread, which feeds more
            // answers than one event loop can take, while a second worker made each call at
            // concurrency 1 hop between threads (bench/notes/journal.md: 1,000-1,300 calls/s with
            // two workers, 2,100 with one).
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .worker_threads(1)
                .thread_name("alura-tokio")
                .build()
        },
        // Another thread of this process started one first. Ours has threads of its own, so it
        // can stop, in the background (a Python thread must not wait on Tokio).
        Runtime::shutdown_background,
    )?;
    Ok(runtime.handle().clone())
}

thread_local! {
    /// This thread's runtime for sync calls, and the process that made it.
    static THREAD: RefCell<Option<Rc<(Born, Runtime)>>> = const { RefCell::new(None) };
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
    let runtime = THREAD.with(|slot| -> PyResult<Rc<(Born, Runtime)>> {
        let mut slot = slot.borrow_mut();
        if let Some(owned) = slot.as_ref().filter(|owned| owned.0.is_here()) {
            return Ok(owned.clone());
        }
        if let Some(parent) = slot.take() {
            // The parent's: dropping it would take the parent's sockets out of the epoll
            // instance both processes share.
            std::mem::forget(parent);
        }
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        Ok(slot.insert(Rc::new((Born::here(), runtime))).clone())
    })?;
    Ok(runtime.1.block_on(future))
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
