//! The accept loop. axum::serve cannot drop one connection on request, and the `close` fault
//! needs exactly that, so each connection carries a handle that ends it.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tower::ServiceExt;

/// Ends the connection a request came in on, without a response.
#[derive(Clone, Debug, Default)]
pub struct ConnectionCloser(Arc<Notify>);

impl ConnectionCloser {
    pub fn close(&self) {
        self.0.notify_one();
    }
}

/// Counts a connection open until dropped.
struct Open(Arc<AtomicUsize>);

impl Open {
    fn new(count: &Arc<AtomicUsize>) -> Self {
        count.fetch_add(1, Ordering::SeqCst);
        Self(count.clone())
    }
}

impl Drop for Open {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Serves `router` on `listener` until `shutdown` turns true, counting the connections open in
/// `open`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    mut shutdown: watch::Receiver<bool>,
    open: Arc<AtomicUsize>,
) {
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(_) => continue,
            },
            _ = shutdown.changed() => return,
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let mut shutdown = shutdown.clone();
        let counted = Open::new(&open);
        tokio::spawn(async move {
            let _counted = counted;
            let closer = ConnectionCloser::default();
            let handle = closer.clone();
            let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
                let mut request = request.map(axum::body::Body::new);
                request.extensions_mut().insert(closer.clone());
                request.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
                router.clone().oneshot(request)
            });
            let builder = auto::Builder::new(TokioExecutor::new());
            let connection = builder.serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = connection => {}
                _ = handle.0.notified() => {}
                _ = shutdown.changed() => {}
            }
        });
    }
}
