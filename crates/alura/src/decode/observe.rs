//! A successful answer's body, handed to a binding as soon as it is read
//! ([`crate::Client::call_observing`]), before the core checks it against the schema: a
//! binding can build its language's objects from a long answer on another thread while the
//! check runs.

use std::future::Future;

use bytes::Bytes;

tokio::task_local! {
    static OBSERVER: Box<dyn Fn(&Bytes) + Send + Sync>;
}

/// Runs `call` with `observer` handed each successful answer's body as soon as it is read.
pub(crate) async fn observing<F: Future>(observer: Box<dyn Fn(&Bytes) + Send + Sync>, call: F) -> F::Output {
    OBSERVER.scope(observer, call).await
}

/// Called by the transport with every successful answer's body; a no-op outside [`observing`].
pub(crate) fn body(body: &Bytes) {
    let _ = OBSERVER.try_with(|observer| observer(body));
}

/// Runs `call` with no observer: a login inside a call hands nobody its answers (they carry
/// the token).
pub(crate) async fn unobserved<F: Future>(call: F) -> F::Output {
    OBSERVER.scope(Box::new(|_: &Bytes| {}), call).await
}
