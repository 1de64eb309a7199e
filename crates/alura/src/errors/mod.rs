//! One error type for everything a call can run into.

// Numbers here come from servers: no arithmetic that can overflow or panic.
#![deny(clippy::arithmetic_side_effects)]

pub(crate) mod http_error;
pub mod kinds;
pub(crate) mod server_text;
pub(crate) mod words;

use std::error::Error as StdError;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::errors::http_error::HttpError;
use alura_api::types::ErrorResponse;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::Value;

/// A value an error carries (see [`Error::fields`]), for a binding to convert.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue<'a> {
    /// A [`crate::FieldType::Status`].
    Status(Option<u16>),
    /// A [`crate::FieldType::Text`].
    Text(Option<std::borrow::Cow<'a, str>>),
    /// A [`crate::FieldType::Texts`].
    Texts(&'a [String]),
    /// A [`crate::FieldType::Seconds`].
    Seconds(Option<f64>),
    /// A [`crate::FieldType::Json`].
    Json(Option<&'a Value>),
    /// A [`crate::FieldType::Headers`].
    Headers(Vec<(&'a str, std::borrow::Cow<'a, str>)>),
    /// A [`crate::FieldType::Flag`].
    Flag(bool),
}

/// A specialised `Result` for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong with a call, in a form you can match on.
///
/// ```
/// # async fn run(client: alura::Client) {
/// match client.api().get_profile().send().await.map_err(alura::Error::from) {
///     Ok(profile) => println!("{:?}", profile.address),
///     Err(alura::Error::Auth { message, .. }) => eprintln!("log in again: {message}"),
///     Err(e) if e.is_retryable() => eprintln!("try later: {e}"),
///     Err(e) => eprintln!("{e}"),
/// }
/// # }
/// ```
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with an error status, or a redirect (which the SDK never follows).
    /// The status decides the class whatever the body: NestJS's JSON, a CDN's HTML page, or
    /// nothing at all.
    #[error("HTTP {status}: {}{call}", join(messages))]
    Api {
        /// The HTTP status, e.g. 400.
        status: u16,
        /// NestJS's `message` as a list (one entry when the server sent a string); for another
        /// body, what can be read of it (an `error` field, an HTML title, the first line).
        messages: Vec<String>,
        /// The error body as JSON when it was JSON (up to 64 KiB), else the start of its text
        /// (4 KiB); [`CallInfo::raw_body`] has all of it.
        body: Option<Value>,
        /// Which call this was: request id, idempotency key, the answer's headers.
        call: Box<CallInfo>,
    },
    /// 429 Too Many Requests, after retrying as far as the policy allows.
    #[error("rate limited{}{call}", match retry_after { Some(d) => format!("; retry after {:.1}s", d.as_secs_f64()), None => String::new() })]
    RateLimited {
        /// How long the server asked us to wait (`Retry-After`), if it said.
        retry_after: Option<Duration>,
        /// The body's `message`, if any.
        messages: Vec<String>,
        /// Which call this was: request id, idempotency key, the answer's headers.
        call: Box<CallInfo>,
    },
    /// Not logged in, or the login failed: missing credentials, wrong key, expired token.
    #[error("authentication failed: {message}{call}")]
    Auth {
        /// What went wrong, e.g. the server's message.
        message: String,
        /// The HTTP status when the server refused (401), `None` when it failed on our side.
        status: Option<u16>,
        /// Which call this was: request id, idempotency key, the answer's headers.
        call: Box<CallInfo>,
    },
    /// The request could not be sent or its response could not be read.
    #[error("network error: {message}{call}")]
    Network {
        /// What failed, with its causes.
        message: String,
        /// The underlying HTTP client's error.
        #[source]
        source: Option<Arc<dyn StdError + Send + Sync>>,
        /// Which call this was: request id, idempotency key, the answer's headers.
        call: Box<CallInfo>,
    },
    /// The call ran out of time (per attempt and across retries).
    #[error("timed out after {:.1}s{call}", elapsed.as_secs_f64())]
    Timeout {
        /// How long the call ran.
        elapsed: Duration,
        /// Which call this was: request id, idempotency key, the answer's headers.
        call: Box<CallInfo>,
    },
    /// A non-idempotent request (POST) may or may not have been carried out: it was sent, and
    /// then the connection failed, timed out, or the server failed (5xx). It was not sent again,
    /// so it happened at most once; check the state (e.g. list sessions) before retrying.
    #[error("outcome unknown for {operation}: {reason}; not sent again{call}")]
    OutcomeUnknown {
        /// The operation id, e.g. `create_trading_session`.
        operation: String,
        /// Why the outcome is unknown.
        reason: String,
        /// The status, when the server answered 5xx.
        status: Option<u16>,
        /// The call ran out of time after sending, rather than losing its connection or
        /// hearing a 5xx ([`Error::is_timeout`]).
        timed_out: bool,
        /// Which call this was: request id, idempotency key, the answer's headers.
        call: Box<CallInfo>,
    },
    /// The arguments were refused before anything was sent.
    #[error("invalid input: {message}")]
    InvalidInput {
        /// Every problem found, phrased like the server's validator.
        message: String,
    },
    /// The response arrived but is not what the spec describes (or is too large to read).
    /// The server's answer is kept whole in `body`; [`crate::Client::call`] never fails this
    /// way unless the client is strict.
    #[error("cannot decode the response: {message}{call}")]
    Decode {
        /// What did not match.
        message: String,
        /// Where in the JSON it did not match, e.g. `.data[3].pnl`.
        path: Option<String>,
        /// The body as it came.
        body: Option<RawBody>,
        /// Which call this was: request id, idempotency key, the answer's headers.
        call: Box<CallInfo>,
    },
    /// A bug in the SDK (a panic), caught at the edge of a binding so it surfaces as the SDK's
    /// own error rather than taking the process down or escaping `except Exception`.
    #[error("internal error in the Alura SDK: {message}; please report it")]
    Internal {
        /// What panicked, as far as it said.
        message: String,
    },
}

/// Which call an error came from, for reconciling with the server's logs: the id this client
/// sent as `X-Request-Id`, the server's own request id if it sent one, the `Idempotency-Key`
/// of a POST, and the headers of the answer. Empty for errors raised before a call was made.
#[derive(Clone, Default, PartialEq)]
pub struct CallInfo {
    /// The `X-Request-Id` this client sent (the same on every attempt of a call).
    pub request_id: Option<String>,
    /// The server's `X-Request-Id` (or `Request-Id`, `CF-Ray`) when it sent one.
    pub server_request_id: Option<String>,
    /// The `Idempotency-Key` of a POST: with it, an unknown outcome can be reconciled.
    pub idempotency_key: Option<String>,
    /// The headers of the answer, when there was one.
    pub headers: Option<Box<HeaderMap>>,
    /// The operation whose request failed, as the caller's language names its method.
    pub operation: Option<String>,
    /// Where that request went: its method and URL, without the query.
    pub url: Option<String>,
    /// It failed while logging in for the call, so the call itself was never sent.
    pub during_login: bool,
    /// What a POST asked for (its JSON body), so [`crate::Client::settle`] can look it up.
    pub arguments: Option<serde_json::Map<String, Value>>,
    /// When the call was sent.
    pub sent_at: Option<std::time::SystemTime>,
    /// The whole body of the server's answer, when there was one: an error's messages and `body`
    /// keep a bounded part of it.
    pub raw_body: Option<RawBody>,
}

impl std::fmt::Debug for CallInfo {
    // Header values may carry cookies or tokens: only their names are shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.headers.iter().flat_map(|h| h.keys()).map(|k| k.as_str()).collect();
        f.debug_struct("CallInfo")
            .field("request_id", &self.request_id)
            .field("server_request_id", &self.server_request_id)
            .field("idempotency_key", &self.idempotency_key)
            .field("headers", &names)
            .field("operation", &self.operation)
            .field("url", &self.url)
            .field("during_login", &self.during_login)
            .field("arguments", &self.arguments.as_ref().map(|a| a.keys().collect::<Vec<_>>()))
            .field("sent_at", &self.sent_at)
            .field("raw_body", &self.raw_body)
            .finish()
    }
}

impl std::fmt::Display for CallInfo {
    /// ` (while logging in: POST https://api/auth/evm/challenge; request req_…)`, what of it
    /// is known.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        let whom = match (&self.operation, self.during_login) {
            (Some(op), true) => Some(format!("while logging in ({op})")),
            (Some(op), false) => Some(op.clone()),
            (None, true) => Some("while logging in".to_owned()),
            (None, false) => None,
        };
        match (whom, &self.url) {
            (Some(whom), Some(url)) => parts.push(format!("{whom}: {url}")),
            (Some(whom), None) => parts.push(whom),
            (None, Some(url)) => parts.push(url.clone()),
            (None, None) => {}
        }
        if let Some(id) = &self.request_id {
            parts.push(format!("request {id}"));
        }
        if let Some(key) = &self.idempotency_key {
            parts.push(format!("idempotency key {key}"));
        }
        if parts.is_empty() { Ok(()) } else { write!(f, " ({})", parts.join("; ")) }
    }
}

/// A response body as it came. Its `Debug` prints only its length: a body may hold a token.
#[derive(Clone, PartialEq, Eq)]
pub struct RawBody(pub bytes::Bytes);

impl RawBody {
    /// The body's text (lossy for bytes that are not UTF-8).
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.0)
    }
}

impl std::fmt::Debug for RawBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<{} bytes>", self.0.len())
    }
}

fn join(messages: &[String]) -> String {
    if messages.is_empty() { "(no message)".into() } else { messages.join("; ") }
}

impl Error {
    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. } => Some(*status),
            Error::RateLimited { .. } => Some(429),
            Error::Auth { status, .. } | Error::OutcomeUnknown { status, .. } => *status,
            _ => None,
        }
    }

    /// The error's class in every language's package (`BadRequestError`, `RateLimitError`, ...),
    /// one of [`crate::ERROR_KINDS`]: the one place that decides which status is which class,
    /// so every binding agrees.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Api { status, .. } => crate::errors::kinds::for_status(*status),
            Error::RateLimited { .. } => "RateLimitError",
            Error::Auth { .. } => "AuthenticationError",
            Error::Network { .. } => "NetworkError",
            Error::Timeout { .. } => "TimeoutError",
            Error::OutcomeUnknown { .. } => "OutcomeUnknownError",
            Error::InvalidInput { .. } => "ValidationError",
            Error::Decode { .. } => "DecodeError",
            Error::Internal { .. } => "InternalError",
        }
    }

    /// What this error carries, by the snake_case names its kind declares in
    /// [`crate::ERROR_KINDS`]: the one mapping the bindings turn into attributes.
    pub fn fields(&self) -> Vec<(&'static str, FieldValue<'_>)> {
        use FieldValue as F;
        let mut out = match self {
            Error::Api { status, messages, body, .. } => {
                vec![
                    ("status", F::Status(Some(*status))),
                    ("messages", F::Texts(messages)),
                    ("body", F::Json(body.as_ref())),
                ]
            }
            Error::RateLimited { retry_after, messages, .. } => vec![
                ("status", F::Status(Some(429))),
                ("messages", F::Texts(messages)),
                ("body", F::Json(None)),
                ("retry_after", F::Seconds(retry_after.map(|d| d.as_secs_f64()))),
            ],
            Error::Auth { status, .. } => {
                vec![("status", F::Status(*status)), ("messages", F::Texts(&[])), ("body", F::Json(None))]
            }
            Error::Timeout { elapsed, .. } => vec![("elapsed", F::Seconds(Some(elapsed.as_secs_f64())))],
            Error::OutcomeUnknown { operation, reason, status, timed_out, .. } => vec![
                ("operation", F::Text(Some(operation.into()))),
                ("reason", F::Text(Some(reason.into()))),
                ("status", F::Status(*status)),
                ("timed_out", F::Flag(*timed_out)),
            ],
            Error::Decode { path, body, .. } => {
                vec![
                    ("path", F::Text(path.as_deref().map(Into::into))),
                    ("body", F::Text(body.as_ref().map(RawBody::text))),
                ]
            }
            Error::Network { .. } | Error::InvalidInput { .. } | Error::Internal { .. } => Vec::new(),
        };
        if let Some(call) = self.call_info() {
            let headers = call
                .headers
                .iter()
                .flat_map(|h| h.iter())
                .map(|(name, value)| (name.as_str(), String::from_utf8_lossy(value.as_bytes())))
                .collect();
            out.extend([
                ("request_id", F::Text(call.request_id.as_deref().map(Into::into))),
                ("server_request_id", F::Text(call.server_request_id.as_deref().map(Into::into))),
                ("idempotency_key", F::Text(call.idempotency_key.as_deref().map(Into::into))),
                ("headers", F::Headers(headers)),
                ("raw_body", F::Text(call.raw_body.as_ref().map(RawBody::text))),
            ]);
        }
        out
    }

    /// Which call this error came from (request id, idempotency key, the answer's headers);
    /// `None` for errors raised before a call was made.
    pub fn call_info(&self) -> Option<&CallInfo> {
        match self {
            Error::Api { call, .. }
            | Error::RateLimited { call, .. }
            | Error::Auth { call, .. }
            | Error::Network { call, .. }
            | Error::Timeout { call, .. }
            | Error::OutcomeUnknown { call, .. }
            | Error::Decode { call, .. } => Some(call.as_ref()),
            Error::InvalidInput { .. } | Error::Internal { .. } => None,
        }
    }

    /// The `X-Request-Id` of the call that failed.
    pub fn request_id(&self) -> Option<&str> {
        self.call_info()?.request_id.as_deref()
    }

    /// Fills in what the transport knows about the call, keeping what is already set.
    pub(crate) fn with_call(mut self, fill: impl FnOnce(&mut CallInfo)) -> Self {
        if let Error::Api { call, .. }
        | Error::RateLimited { call, .. }
        | Error::Auth { call, .. }
        | Error::Network { call, .. }
        | Error::Timeout { call, .. }
        | Error::OutcomeUnknown { call, .. }
        | Error::Decode { call, .. } = &mut self
        {
            fill(call);
        }
        self
    }

    /// Whether trying the same call again later may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::RateLimited { .. } | Error::Network { .. } | Error::Timeout { .. } => true,
            Error::Api { status, .. } => matches!(status, 500 | 502 | 503 | 504),
            _ => false,
        }
    }

    /// Whether the call ran out of time: a [`Error::Timeout`], or a POST whose outcome is
    /// unknown because no answer came in time ([`Error::OutcomeUnknown`] with `timed_out`).
    /// Each binding's errors answer the same (`is_timeout()`, `isTimeout()`).
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout { .. } | Error::OutcomeUnknown { timed_out: true, .. })
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Error::InvalidInput { message: message.into() }
    }

    pub(crate) fn auth(message: impl Into<String>) -> Self {
        Error::Auth { message: message.into(), status: None, call: Box::default() }
    }

    pub(crate) fn network(e: impl Into<HttpError>) -> Self {
        let e = e.into();
        Error::Network { message: e.describe(), source: e.into_source(), call: Box::default() }
    }

    /// The error for a caught panic, with its message when it had one.
    pub fn from_panic(payload: &(dyn std::any::Any + Send)) -> Self {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".into());
        Error::Internal { message }
    }

    /// A decode failure with no body or path to show.
    pub fn decode(message: impl Into<String>) -> Self {
        Error::Decode { message: message.into(), path: None, body: None, call: Box::default() }
    }

    /// The error an answer with this status stands for, whatever its body: NestJS's JSON, a
    /// CDN's HTML page, odd JSON or nothing.
    pub(crate) fn from_answer(status: StatusCode, headers: &HeaderMap, body: &bytes::Bytes) -> Self {
        let (messages, kept) = server_text::read_error_body(status, headers, body);
        let raw = (!body.is_empty()).then(|| RawBody(body.clone()));
        Self::classify(status, headers, messages, kept).with_call(|call| call.raw_body = raw)
    }

    /// The error an answer with this status and JSON body stands for.
    pub(crate) fn from_status(status: StatusCode, headers: &HeaderMap, body: Option<Value>) -> Self {
        let messages = body.as_ref().map(server_text::messages_of).unwrap_or_default();
        Self::classify(status, headers, messages, body)
    }

    fn classify(status: StatusCode, headers: &HeaderMap, messages: Vec<String>, body: Option<Value>) -> Self {
        let call = Box::new(CallInfo {
            server_request_id: server_request_id(headers),
            headers: Some(Box::new(headers.clone())),
            ..CallInfo::default()
        });
        match status.as_u16() {
            401 => Error::Auth {
                message: if messages.is_empty() { "Unauthorized".into() } else { messages.join("; ") },
                status: Some(401),
                call,
            },
            429 => Error::RateLimited { retry_after: crate::headers::retry_after(headers), messages, call },
            code => Error::Api { status: code, messages, body, call },
        }
    }
}

/// The server's own id for a request, under the names servers and CDNs use.
pub(crate) fn server_request_id(headers: &HeaderMap) -> Option<String> {
    ["x-request-id", "request-id", "x-amzn-requestid", "cf-ray"]
        .iter()
        .find_map(|name| headers.get(*name)?.to_str().ok())
        .map(|v| v.chars().take(128).collect())
}

/// How the transport hands its own errors through the generated client, which only lets a
/// transport return a `reqwest::Response` or a `reqwest::Error`: a response whose body fails
/// with this carrier, which the conversion below finds again in the error's source chain.
#[derive(Debug, Clone)]
pub(crate) struct Carrier(Arc<Mutex<Option<Error>>>);

impl Carrier {
    pub(crate) fn new(error: Error) -> Self {
        Self(Arc::new(Mutex::new(Some(error))))
    }

    fn take(&self) -> Option<Error> {
        self.0.lock().ok()?.take()
    }

    /// A response carrying `error`. Its 5xx status makes the generated code read the body as an
    /// error body, which fails with the carrier; a spec without typed errors keeps the response
    /// whole instead (`UnexpectedResponse`), so the carrier rides in its extensions as well.
    pub(crate) fn into_response(self) -> reqwest::Response {
        let body =
            reqwest::Body::wrap_stream(futures_util::stream::once(std::future::ready(
                Err::<bytes::Bytes, _>(self.clone()),
            )));
        let response = http::Response::builder()
            .status(599)
            .extension(self)
            .body(body)
            .expect("a fixed status and no headers always build");
        reqwest::Response::from(response)
    }
}

impl std::fmt::Display for Carrier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("alura transport error")
    }
}

impl StdError for Carrier {}

fn carried(error: &(dyn StdError + 'static)) -> Option<Error> {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(carrier) = e.downcast_ref::<Carrier>() {
            return carrier.take();
        }
        current = e.source();
    }
    None
}

/// A builder's ``conversion to `GetCandlesInterval` for interval failed`` as the user needs
/// it: which argument, and what it takes.
fn conversion(message: String) -> String {
    let Some(param) = message
        .strip_prefix("conversion to `")
        .and_then(|rest| rest.split_once("` for "))
        .and_then(|(_, rest)| rest.strip_suffix(" failed"))
    else {
        return message;
    };
    let values = alura_api::operations::OPERATIONS
        .iter()
        .flat_map(|op| op.fields)
        .find(|f| f.name == param && !f.values.is_empty())
        .map(|f| f.values);
    match values {
        Some(values) => format!("{param} must be one of {}", values.join(", ")),
        None => format!("{param} is not a value it takes"),
    }
}

/// A decimal that did not parse (`"100,10".parse::<Decimal>()?`) is bad input, like any other.
impl From<alura_api::ParseDecimalError> for Error {
    fn from(e: alura_api::ParseDecimalError) -> Self {
        Error::invalid(e.to_string())
    }
}

impl From<progenitor_client::Error<ErrorResponse>> for Error {
    fn from(e: progenitor_client::Error<ErrorResponse>) -> Self {
        use progenitor_client::Error as E;
        match e {
            E::InvalidRequest(message) => Error::InvalidInput { message: conversion(message) },
            E::Custom(message) => Error::InvalidInput { message },
            E::CommunicationError(e) | E::InvalidUpgrade(e) | E::ResponseBodyError(e) => {
                carried(&e).unwrap_or_else(|| Error::network(e))
            }
            E::InvalidResponsePayload(bytes, e) => Error::Decode {
                message: e.to_string(),
                path: crate::decode::path_at(&bytes, e.line(), e.column()),
                body: Some(RawBody(bytes)),
                call: Box::default(),
            },
            E::ErrorResponse(response) => {
                let status = response.status();
                let headers = response.headers().clone();
                let body = serde_json::to_value(response.into_inner()).ok();
                Error::from_status(status, &headers, body)
            }
            E::UnexpectedResponse(response) => {
                if let Some(error) = response.extensions().get::<Carrier>().and_then(Carrier::take) {
                    return error;
                }
                Error::from_status(response.status(), response.headers(), None)
            }
        }
    }
}
