//! A successful answer's body, handed to a binding as soon as it is read
//! ([`crate::Client::call_observing`]), before the core checks it against the schema: a
//! binding can build its language's objects from a long answer on another thread while the
//! check runs.

use std::future::Future;

use bytes::Bytes;

/// From this size on, a body is worth handing over early: below it, the thread or promise that
/// takes it costs more than the schema check it would hide. The bindings' observers use it, and
/// the transport lets them run before the check for such a body.
pub const LONG_ANSWER_BYTES: usize = 1 << 20;

tokio::task_local! {
    static OBSERVER: Box<dyn Fn(&Bytes) + Send + Sync>;
}

/// Runs `call` with `observer` handed each successful answer's body as soon as it is read.
pub(crate) async fn observing<F: Future>(observer: Box<dyn Fn(&Bytes) + Send + Sync>, call: F) -> F::Output {
    OBSERVER.scope(observer, call).await
}

/// Called by the transport with every successful answer's body; a no-op outside [`observing`].
/// Whether an observer was handed it.
pub(crate) fn body(body: &Bytes) -> bool {
    OBSERVER.try_with(|observer| observer(body)).is_ok()
}

/// Runs `call` with no observer: a login inside a call hands nobody its answers (they carry
/// the token).
pub(crate) async fn unobserved<F: Future>(call: F) -> F::Output {
    OBSERVER.scope(Box::new(|_: &Bytes| {}), call).await
}
