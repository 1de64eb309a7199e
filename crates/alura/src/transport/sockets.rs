//! For a caller that runs a current-thread Tokio runtime on an event loop of its own instead of
//! a Tokio thread (a binding's, `alura-ffi`'s `LoopRuntime`): that loop must wake when a
//! connection has something to read, so it is told of each connection's socket as it opens, and
//! again before it closes (a loop still watching a closed descriptor number would trip over the
//! next socket to get it).
//!
//! Connections opened on other threads, by other runtimes, are never reported, and neither are
//! those of a client whose calls an environment proxy carries ([`Client::reports_sockets`](crate::Client::reports_sockets)).

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::Uri;
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_util::client::legacy::connect::{Connected, Connection};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// A socket, as the event loop names it (a file descriptor on Unix, a `SOCKET` on Windows).
#[cfg(unix)]
pub type Socket = std::os::fd::RawFd;
#[cfg(windows)]
pub type Socket = std::os::windows::io::RawSocket;

/// What the event loop is told about the connections opened while it runs the runtime.
pub trait SocketWatcher: Send + Sync {
    /// A connection is being made: its socket is told only once connected, so until then only
    /// running the runtime again soon finds out.
    fn connecting(&self) {}
    /// Wake the loop (and run the runtime) whenever `socket` is readable.
    fn watch(&self, socket: Socket);
    /// Stop: `socket` closes right after this returns.
    fn unwatch(&self, socket: Socket);
}

thread_local! {
    static WATCHER: RefCell<Option<Arc<dyn SocketWatcher>>> = const { RefCell::new(None) };
}

/// Runs `f` with `watcher` told of every connection opened on this thread meanwhile.
pub fn watching<T>(watcher: &Arc<dyn SocketWatcher>, f: impl FnOnce() -> T) -> T {
    struct Restore(Option<Arc<dyn SocketWatcher>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            WATCHER.set(self.0.take());
        }
    }
    let _restore = Restore(WATCHER.replace(Some(watcher.clone())));
    f()
}

/// The TCP connector, with each connection it makes reported to this thread's watcher, if any.
#[derive(Clone)]
pub(crate) struct Watched<C>(pub(crate) C);

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl<C> tower_service::Service<Uri> for Watched<C>
where
    C: tower_service::Service<Uri, Response = TokioIo<TcpStream>>,
    C::Error: Into<BoxError>,
    C::Future: Send + 'static,
{
    type Response = WatchedIo;
    type Error = BoxError;
    // Boxed once per new connection, not per request.
    type Future = Pin<Box<dyn Future<Output = Result<WatchedIo, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.0.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        WATCHER.with_borrow(|watcher| watcher.as_ref().map(|w| w.connecting()));
        let connecting = self.0.call(uri);
        Box::pin(async move { Ok(WatchedIo::new(connecting.await.map_err(Into::into)?)) })
    }
}

/// A connection's TCP stream, unwatched as it drops (before the stream inside it closes).
pub(crate) struct WatchedIo {
    io: TokioIo<TcpStream>,
    watched: Option<(Arc<dyn SocketWatcher>, Socket)>,
}

impl WatchedIo {
    fn new(io: TokioIo<TcpStream>) -> Self {
        let watched = WATCHER.with_borrow(Clone::clone).map(|watcher| {
            #[cfg(unix)]
            let socket = std::os::fd::AsRawFd::as_raw_fd(io.inner());
            #[cfg(windows)]
            let socket = std::os::windows::io::AsRawSocket::as_raw_socket(io.inner());
            watcher.watch(socket);
            (watcher, socket)
        });
        Self { io, watched }
    }
}

impl Drop for WatchedIo {
    fn drop(&mut self) {
        if let Some((watcher, socket)) = self.watched.take() {
            watcher.unwatch(socket);
        }
    }
}

impl Connection for WatchedIo {
    fn connected(&self) -> Connected {
        self.io.connected()
    }
}

impl Read for WatchedIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl Write for WatchedIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }
}
