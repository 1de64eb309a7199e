//! The seam between the generated client and the transport that sends its requests.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};

use crate::Client;

/// A boxed, sendable future, as returned by [`Transport`] methods.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What the generated [`Client`] calls for every request it makes.
///
/// Implemented by the `alura` crate (bearer token, login, retry); [`Hooks::direct`] is the
/// plain implementation that sends each request once as it is.
pub trait Transport: Send + Sync + 'static {
    /// Sends the request with `client` and returns the final response. Everything a call
    /// needs besides the request itself (input checks, credentials, retry) happens here.
    fn send<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        operation: &'a OperationInfo,
    ) -> BoxFuture<'a, reqwest::Result<reqwest::Response>>;
}

/// The transport a generated [`Client`] carries; cheap to clone.
#[derive(Clone)]
pub struct Hooks(Arc<dyn Transport>);

impl Hooks {
    /// Wraps a transport.
    pub fn new(transport: impl Transport) -> Self {
        Self(Arc::new(transport))
    }

    /// A transport that sends every request once, with no credentials and no retry.
    pub fn direct() -> Self {
        Self::new(Direct)
    }
}

impl fmt::Debug for Hooks {
    // Transports hold credentials; never print them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Hooks")
    }
}

struct Direct;

impl Transport for Direct {
    fn send<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        _operation: &'a OperationInfo,
    ) -> BoxFuture<'a, reqwest::Result<reqwest::Response>> {
        Box::pin(client.execute(request))
    }
}

impl ClientHooks<Hooks> for Client {
    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        self.inner().0.send(self.client(), request, info).await
    }
}
