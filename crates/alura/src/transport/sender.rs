//! What carries a call's requests: hyper-util's pooled client directly, or reqwest when a proxy
//! from the environment must carry them.
//!
//! The generated client builds `reqwest::Request`s, but sending them through reqwest cost 39k
//! instructions a call more than hyper-util's client underneath it (callgrind, a GET of six
//! candles: 107.0k against 67.9k): its URL is parsed twice more, its redirect layer runs though
//! nothing is ever followed, and its timeout and body wrappers are boxed. The transport already
//! does what those layers are for (one deadline per attempt, no redirects, the body read whole),
//! so it sends with hyper directly. Proxies are reqwest's to know (`HTTPS_PROXY`, CONNECT,
//! credentials), so a client whose base URL an environment proxy would catch sends through it.

use std::error::Error as StdError;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::header::HeaderMap;
use http::{Method, StatusCode, Uri, Version};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use crate::errors::http_error::HttpError;
use crate::transport::sockets::Watched;

type Connector = ConnectWithin<hyper_rustls::HttpsConnector<Watched<HttpConnector>>>;
type Hyper = hyper_util::client::legacy::Client<Connector, Full<Bytes>>;
type BoxError = Box<dyn StdError + Send + Sync>;

/// How long an idle pooled connection is kept, and how a dead one is found: keep-alive probes
/// after 15 s idle, every 15 s, 3 of them, and (Linux) 30 s for unacknowledged data. reqwest's
/// defaults, which this client had before; without them a dead pooled connection is noticed
/// only after the OS's 11 minutes.
const POOL_IDLE: Duration = Duration::from_secs(90);
const TCP_KEEPALIVE: Duration = Duration::from_secs(15);
const TCP_KEEPALIVE_PROBES: u32 = 3;
#[cfg(any(target_os = "linux", target_os = "android", target_os = "fuchsia"))]
const TCP_USER_TIMEOUT: Duration = Duration::from_secs(30);

/// What the HTTP client is built from, kept to build it again in a forked child.
#[derive(Clone)]
pub(crate) struct HttpSettings {
    pub(crate) connect_timeout: Duration,
    /// Loopback: a proxy from the environment must never catch traffic meant for this machine.
    pub(crate) no_proxy: bool,
    /// The API's base URL: whether an environment proxy catches it decides the sender.
    pub(crate) base_url: String,
}

impl HttpSettings {
    /// The reqwest client the generated code builds its requests with, and the TLS
    /// configuration every sender of this client shares: loading the platform's verifier is
    /// most of what making a client costs (5.4 ms, timed through a binding), so it happens once.
    pub(crate) fn build(&self) -> Result<(reqwest::Client, rustls::ClientConfig), String> {
        let tls = tls_config()?;
        Ok((self.reqwest(&tls)?, tls))
    }

    /// A sender for the runtime that calls this: its pooled connections are tasks of that
    /// runtime. The one place a sender is built.
    pub(crate) fn sender(&self, tls: &rustls::ClientConfig, proxied: bool) -> Result<Sender, String> {
        Ok(if proxied { Sender::Proxied(self.reqwest(tls)?) } else { self.direct(tls.clone()) })
    }

    fn reqwest(&self, tls: &rustls::ClientConfig) -> Result<reqwest::Client, String> {
        let mut for_reqwest = tls.clone();
        for_reqwest.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        let mut builder = reqwest::Client::builder()
            .tls_backend_preconfigured(for_reqwest)
            .connect_timeout(self.connect_timeout)
            // The API never redirects; following one could carry an order or a signature to
            // another origin, or down to plain http. A redirect is an error naming its target.
            .redirect(reqwest::redirect::Policy::none());
        if self.no_proxy {
            builder = builder.no_proxy();
        }
        builder.build().map_err(|e| e.to_string())
    }

    /// Whether `HTTPS_PROXY`, `HTTP_PROXY` or `ALL_PROXY` (less `NO_PROXY`) catches the base
    /// URL, read as reqwest reads them.
    pub(crate) fn proxied(&self) -> bool {
        !self.no_proxy
            && self.base_url.parse::<Uri>().is_ok_and(|uri| {
                hyper_util::client::proxy::matcher::Matcher::from_env().intercept(&uri).is_some()
            })
    }

    fn direct(&self, tls: rustls::ClientConfig) -> Sender {
        let mut tcp = HttpConnector::new();
        // The TLS layer above decides the scheme; plain http reaches here only for loopback or
        // when the builder allowed it.
        tcp.enforce_http(false);
        // Without it, Nagle's algorithm holds a small request back for the previous one's ACK.
        tcp.set_nodelay(true);
        tcp.set_keepalive(Some(TCP_KEEPALIVE));
        tcp.set_keepalive_interval(Some(TCP_KEEPALIVE));
        tcp.set_keepalive_retries(Some(TCP_KEEPALIVE_PROBES));
        #[cfg(any(target_os = "linux", target_os = "android", target_os = "fuchsia"))]
        tcp.set_tcp_user_timeout(Some(TCP_USER_TIMEOUT));
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_all_versions()
            .wrap_connector(Watched(tcp));
        let connector = ConnectWithin { inner: connector, limit: self.connect_timeout };
        let client = hyper_util::client::legacy::Client::builder(TokioExecutor::new())
            .pool_idle_timeout(POOL_IDLE)
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .build(connector);
        Sender::Direct(Arc::new(client))
    }
}

/// The platform's trust store (as reqwest's rustls build uses), with aws-lc-rs unless the
/// program installed a provider of its own.
fn tls_config() -> Result<rustls::ClientConfig, String> {
    let provider = rustls::crypto::CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::aws_lc_rs::default_provider()));
    let verifier = rustls_platform_verifier::Verifier::new(provider.clone())
        .map_err(|e| format!("cannot load the system's certificates: {e}"))?;
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth())
}

/// `connect_timeout` over the whole connection: DNS, TCP and the TLS handshake (hyper-util's own
/// covers TCP alone). Running out here is a connect error, so even a POST is tried again: nothing
/// of it was sent.
#[derive(Clone)]
pub(crate) struct ConnectWithin<C> {
    inner: C,
    limit: Duration,
}

impl<C> tower_service::Service<Uri> for ConnectWithin<C>
where
    C: tower_service::Service<Uri>,
    C::Error: Into<BoxError>,
    C::Future: Send + 'static,
{
    type Response = C::Response;
    type Error = BoxError;
    // Boxed once per new connection, not per request.
    type Future = Pin<Box<dyn Future<Output = Result<C::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let (connecting, limit) = (self.inner.call(uri), self.limit);
        Box::pin(async move {
            match tokio::time::timeout(limit, connecting).await {
                Ok(connected) => connected.map_err(Into::into),
                Err(_) => Err(Box::new(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!("no connection within the connect timeout ({} ms)", limit.as_millis()),
                )) as BoxError),
            }
        })
    }
}

/// Sends one attempt and hands back its status and headers, with the body still to read.
#[derive(Clone)]
pub(crate) enum Sender {
    // Shared: every call clones the sender of its runtime.
    Direct(Arc<Hyper>),
    /// Through the proxy the environment names.
    Proxied(reqwest::Client),
}

/// One attempt, as the transport prepared it.
pub(crate) struct Outgoing<'a> {
    pub(crate) method: &'a Method,
    pub(crate) url: &'a reqwest::Url,
    /// `url`, parsed once per call for hyper.
    pub(crate) uri: &'a Uri,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Option<Bytes>,
}

/// An answer's head; its body arrives through [`Incoming::chunk`].
pub(crate) struct Incoming {
    pub(crate) status: StatusCode,
    pub(crate) version: Version,
    pub(crate) headers: HeaderMap,
    body: Body,
}

enum Body {
    Direct(hyper::body::Incoming),
    Proxied(reqwest::Response),
}

impl Sender {
    pub(crate) async fn send(&self, out: Outgoing<'_>) -> Result<Incoming, HttpError> {
        match self {
            Sender::Direct(client) => {
                let mut request = http::Request::new(out.body.map(Full::new).unwrap_or_default());
                *request.method_mut() = out.method.clone();
                *request.uri_mut() = out.uri.clone();
                *request.headers_mut() = out.headers;
                let response = client.request(request).await.map_err(HttpError::direct)?;
                let (head, body) = response.into_parts();
                Ok(Incoming {
                    status: head.status,
                    version: head.version,
                    headers: head.headers,
                    body: Body::Direct(body),
                })
            }
            Sender::Proxied(client) => {
                let mut request = reqwest::Request::new(out.method.clone(), out.url.clone());
                *request.headers_mut() = out.headers;
                *request.body_mut() = out.body.map(Into::into);
                let mut response = client.execute(request).await.map_err(HttpError::proxied)?;
                Ok(Incoming {
                    status: response.status(),
                    version: response.version(),
                    headers: std::mem::take(response.headers_mut()),
                    body: Body::Proxied(response),
                })
            }
        }
    }
}

impl Incoming {
    /// The body's next piece; `None` at its end.
    pub(crate) async fn chunk(&mut self) -> Result<Option<Bytes>, HttpError> {
        match &mut self.body {
            Body::Direct(body) => loop {
                match body.frame().await {
                    None => return Ok(None),
                    Some(Err(e)) => return Err(HttpError::new(false, e)),
                    // Trailers carry nothing the SDK reads.
                    Some(Ok(frame)) => match frame.into_data() {
                        Ok(data) => return Ok(Some(data)),
                        Err(_) => continue,
                    },
                }
            },
            Body::Proxied(response) => response.chunk().await.map_err(HttpError::proxied),
        }
    }
}

/// The request's URL as hyper takes it; `None` for one it cannot take.
pub(crate) fn uri_of(url: &reqwest::Url) -> Option<Uri> {
    url.as_str().parse().ok()
}
