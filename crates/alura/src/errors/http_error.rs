//! An HTTP library's error, described: whether the request can have reached the server, whether
//! time ran out, and the chain of causes. The transport makes them; `Error::Network` carries one.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

/// Why an attempt got no answer, or lost its body.
#[derive(Clone)]
pub(crate) struct HttpError {
    /// The server cannot have acted on the request: no connection was made, or (HTTP/2) it
    /// refused the stream or was closing the connection gracefully before it.
    pub(crate) unsent: bool,
    pub(crate) timeout: bool,
    source: Option<Arc<dyn StdError + Send + Sync>>,
}

impl HttpError {
    pub(crate) fn new(unsent: bool, e: impl StdError + Send + Sync + 'static) -> Self {
        let timeout = chain(&e).any(|e| {
            e.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::TimedOut)
        });
        Self { unsent, timeout, source: Some(Arc::new(e)) }
    }

    pub(crate) fn direct(e: hyper_util::client::legacy::Error) -> Self {
        let unsent = e.is_connect() || chain(&e).any(|e| e.downcast_ref::<h2::Error>().is_some_and(refused));
        Self::new(unsent, e)
    }

    pub(crate) fn proxied(e: reqwest::Error) -> Self {
        // reqwest names the URL, which may hold kilobytes of a path argument; the call's own
        // error says which call it was.
        let (unsent, timeout) = (e.is_connect(), e.is_timeout());
        Self { timeout, ..Self::new(unsent, e.without_url()) }
    }

    /// The attempt's time ran out.
    pub(crate) fn timed_out() -> Self {
        Self { unsent: false, timeout: true, source: None }
    }

    /// What failed, with its causes ("client error (Connect)" alone says little).
    pub(crate) fn describe(&self) -> String {
        let Some(source) = &self.source else { return "no answer before the timeout".into() };
        let mut text = String::new();
        for e in chain(source.as_ref()) {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(&e.to_string());
        }
        text
    }

    pub(crate) fn into_source(self) -> Option<Arc<dyn StdError + Send + Sync>> {
        self.source
    }
}

impl From<reqwest::Error> for HttpError {
    fn from(e: reqwest::Error) -> Self {
        Self::proxied(e)
    }
}

/// An HTTP/2 server said it did not act on the request (RFC 9113, 8.7): a graceful GOAWAY, or
/// REFUSED_STREAM. reqwest resent these on its own; here the retry policy does, POSTs included.
fn refused(e: &h2::Error) -> bool {
    e.is_remote()
        && ((e.is_go_away() && e.reason() == Some(h2::Reason::NO_ERROR))
            || (e.is_reset() && e.reason() == Some(h2::Reason::REFUSED_STREAM)))
}

fn chain<'a>(e: &'a (dyn StdError + 'static)) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    std::iter::successors(Some(e), |&e| e.source())
}

impl fmt::Debug for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}
