//! The transport under every generated call: input checks, bearer token, retry, re-login, and
//! the whole answer read here, within limits, before the generated client sees it.
//!
//! Reading the body here is what lets the status decide an error's class whatever the body
//! (HTML from a CDN, nothing, odd JSON), a failure while reading count as what it is (for a POST
//! that got its status: outcome unknown), and a body never grow past the client's limit.

// Numbers here come from servers: no arithmetic that can overflow or panic.
#![deny(clippy::arithmetic_side_effects)]

pub(crate) mod budget;
pub(crate) mod policy;
pub(crate) mod pools;
pub(crate) mod retry;
pub(crate) mod sender;
mod sent;
pub mod sockets;

use std::sync::Arc;
use std::time::{Duration, Instant};

use alura_api::{BoxFuture, Operation, OperationInfo};
use bytes::{Bytes, BytesMut};
use http::Uri;
use reqwest::ResponseBuilderExt;
use reqwest::header::{AUTHORIZATION, CONTENT_LENGTH, HeaderMap, HeaderName, HeaderValue, LOCATION};
use reqwest::{Method, Request, Response, StatusCode, Version};
use tokio::runtime::{Handle, RuntimeFlavor};
use tracing::Instrument;

use crate::auth::Auth;
use crate::auth::token::Token;
use crate::decode::observe;
use crate::decode::{self, Captured};
use crate::errors::http_error::HttpError;
use crate::errors::{CallInfo, Carrier, Error, Result};
use crate::ids;
use crate::transport::pools::Senders;
use crate::transport::retry::{RetryPolicy, SharedSleeper};
use crate::transport::sender::{Incoming, Outgoing, Sender};
use crate::validate;

/// The most a body's buffer is sized to up front from its declared length.
const PRESIZE_LIMIT: usize = 16 << 20;

/// The longest URL a call may send; a longer one is refused as invalid input.
pub(crate) const MAX_URL_BYTES: usize = 8 * 1024;

#[derive(Clone)]
pub(crate) struct Transport {
    pub(crate) policy: RetryPolicy,
    pub(crate) request_timeout: Duration,
    /// The largest response body read; a larger one fails the call as soon as it shows.
    pub(crate) max_body: usize,
    pub(crate) sleeper: SharedSleeper,
    /// Sent with every call of this client (its `User-Agent`, `with_call_options`), over the
    /// generated ones.
    pub(crate) headers: HeaderMap,
    /// The `Idempotency-Key` given for the next POST (taken by it, so a client kept from
    /// `with_call_options` never sends one key with two orders); `None`: a new key per call.
    pub(crate) idempotency_key: Option<Arc<std::sync::Mutex<Option<String>>>>,
    /// `None` in the client logins go through.
    pub(crate) auth: Option<Arc<Auth>>,
    /// What sends the requests; a forked child builds its own (its parent's connections are
    /// not its to use).
    pub(crate) senders: Senders,
    /// Set by [`crate::Client::close`]: a closed client, and every client made from it, sends
    /// nothing more.
    pub(crate) closed: Arc<Closed>,
    /// The API's base URL, which keys the rate budgets (one per operation, in `budget`).
    pub(crate) base_url: Arc<str>,
    /// The user's own ceiling (`max_rate`), over every operation.
    pub(crate) ceiling: Option<Arc<budget::Ceiling>>,
}

impl alura_api::Transport for Transport {
    fn send<'a>(
        &'a self,
        // Only builds the generated requests: the transport's sender carries them.
        _client: &'a reqwest::Client,
        request: Request,
        operation: &'a OperationInfo,
    ) -> BoxFuture<'a, reqwest::Result<Response>> {
        let op = alura_api::find(operation.operation_id);
        let authenticated = op.is_some_and(|op| op.authenticated);
        Box::pin(async move {
            match self.run(request, operation.operation_id, op, authenticated).await {
                Ok(response) => Ok(response),
                Err(error) => Ok(Carrier::new(error).into_response()),
            }
        })
    }
}

impl Transport {
    /// One call: its request id, extra headers and idempotency key, then `call`, with what is
    /// known about the call stamped on its error.
    pub(crate) async fn run(
        &self,
        mut request: Request,
        operation: &str,
        op: Option<&'static Operation>,
        authenticated: bool,
    ) -> Result<Response> {
        // One id per call, the same on every attempt, in the logs and on every error, so a
        // call can be found in the server's logs.
        let request_id = ids::request_id();
        if let Ok(value) = HeaderValue::from_str(&request_id) {
            request.headers_mut().insert(X_REQUEST_ID, value);
        }
        for (name, value) in self.headers.iter() {
            request.headers_mut().insert(name.clone(), value.clone());
        }
        // One key per POST, the same on every attempt, so a server that honours it can tell a
        // retry from a second order; shown on an unknown outcome to reconcile it.
        let idempotency_key = (request.method() == Method::POST).then(|| {
            let given = self.idempotency_key.as_ref().and_then(|k| k.lock().ok()?.take());
            let key = given.unwrap_or_else(ids::idempotency_key);
            if let Ok(value) = HeaderValue::from_str(&key) {
                request.headers_mut().insert("idempotency-key", value);
            }
            key
        });
        let span = tracing::debug_span!(
            "alura.call",
            operation,
            method = %request.method(),
            path = request.url().path(),
            request_id = %request_id,
        );
        let url = {
            let u = request.url();
            format!("{} {}{}", request.method(), u.origin().ascii_serialization(), u.path())
        };
        // What a POST that `Client::settle` can look up asked for, and when it was sent, kept on
        // its error; no other body is kept (a login's holds the signature).
        let sent_at = std::time::SystemTime::now();
        let arguments = crate::SETTLES.contains(&operation).then(|| sent::arguments(&request, op));
        // What of this call a server could echo into its error: a login's signature (the
        // bearer token is the client's, looked up when the error is made).
        let signature = (operation == "verify_signature").then(|| sent::signature(&request)).flatten();
        async move {
            self.call(request, operation, op, authenticated, &request_id).await.map_err(|error| {
                let error = error.with_call(|call| {
                    // Filled by the innermost call first: a login's request, when one failed.
                    let failed = if call.during_login {
                        call.operation.as_deref()
                    } else {
                        Some(call.operation.get_or_insert_with(|| operation.to_owned()).as_str())
                    };
                    if call.during_login || failed != Some(operation) {
                        // The call was never sent, and a login's key is nothing to reconcile.
                        call.during_login = true;
                        call.idempotency_key = None;
                        call.request_id.get_or_insert(request_id);
                        return;
                    }
                    call.url.get_or_insert(url);
                    call.request_id.get_or_insert(request_id);
                    call.sent_at.get_or_insert(sent_at);
                    if call.arguments.is_none() {
                        call.arguments = arguments;
                    }
                    if call.idempotency_key.is_none() {
                        call.idempotency_key = idempotency_key;
                    }
                });
                let mut secrets: Vec<String> = signature.into_iter().collect();
                secrets.extend(self.auth.iter().flat_map(|a| a.recent_tokens()));
                let error = error.scrubbed(&secrets);
                tracing::debug!(%error, "call failed");
                error
            })
        }
        .instrument(span)
        .await
    }
}

const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// An error of the login a call needed: the call itself was never sent.
fn during_login(error: Error) -> Error {
    error.with_call(|call| call.during_login = true)
}

/// Whether a client is closed: its own flag, or that of any client it was made from (closing a
/// copy made for a few calls leaves the client it came from open).
#[derive(Default)]
pub(crate) struct Closed {
    own: std::sync::atomic::AtomicBool,
    parent: Option<Arc<Closed>>,
}

impl Closed {
    /// The flag of a client made from the one that has `parent`.
    pub(crate) fn child(parent: &Arc<Closed>) -> Arc<Closed> {
        Arc::new(Closed { own: Default::default(), parent: Some(parent.clone()) })
    }

    pub(crate) fn close(&self) {
        self.own.store(true, std::sync::atomic::Ordering::Release);
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.own.load(std::sync::atomic::Ordering::Acquire)
            || self.parent.as_ref().is_some_and(|p| p.is_closed())
    }
}

/// A whole answer: status, headers and the body, read to the end.
struct Answer {
    status: StatusCode,
    version: Version,
    headers: HeaderMap,
    body: Bytes,
    /// Handed on with the answer: without it, reqwest parses a placeholder URL for every
    /// response built from parts (3.4k instructions a call, callgrind).
    url: reqwest::Url,
}

/// What every attempt of a call sends, prepared once.
struct Prepared {
    request: Request,
    uri: Uri,
    /// Copied once: each attempt shares these bytes.
    body: Option<Bytes>,
}

/// What went wrong with one attempt.
enum Failure {
    /// Before any status arrived.
    Send(HttpError),
    /// After the status line, while reading the body.
    Body(StatusCode, HttpError),
    /// The body is larger than the limit.
    TooLarge(StatusCode),
}

impl Transport {
    fn auth(&self) -> Result<&Arc<Auth>> {
        self.auth.as_ref().ok_or_else(|| Error::auth("this client cannot call authenticated operations"))
    }

    /// Sends `request` until it gets an answer to hand back, or fails for good.
    async fn call(
        &self,
        request: Request,
        operation: &str,
        op: Option<&'static Operation>,
        authenticated: bool,
        request_id: &str,
    ) -> Result<Response> {
        // The login transport (no `auth` of its own) is exempt: a call under way when its client
        // closed may still have to log in to finish.
        if self.auth.is_some() && self.closed.is_closed() {
            return Err(Error::invalid(
                "this client is closed, so nothing was sent: make a new client (calls under way when it closed still finish)",
            ));
        }
        check_url(op, &request)?;
        if let Some(op) = op {
            validate::request(op, &request).map_err(Error::invalid)?;
        }
        let idempotent = retry::idempotent(request.method());
        let body = match request.body() {
            None => None,
            Some(body) => Some(Bytes::copy_from_slice(
                body.as_bytes().ok_or_else(|| Error::invalid("a streamed request body cannot be retried"))?,
            )),
        };
        let uri = crate::transport::sender::uri_of(request.url()).ok_or_else(|| {
            let url = request.url().as_str();
            let shown: String = url.chars().take(100).collect();
            let more = if shown.len() < url.len() { "…" } else { "" };
            Error::invalid(format!("the URL {shown}{more} cannot be sent"))
        })?;
        let prepared = Prepared { request, uri, body };
        let request = &prepared.request;
        // The pool of this process and runtime; one that cannot be built fails the call before
        // anything is sent.
        let sender = self.senders.get().map_err(|e| {
            Error::invalid(format!("cannot build the HTTP client of this process or runtime: {e}"))
        })?;
        if Handle::try_current().is_ok_and(|h| h.runtime_flavor() == RuntimeFlavor::CurrentThread) {
            // A current-thread runtime may have been idle since its last `block_on` (a binding's
            // sync calls; an event loop's, busy with other work), its pooled connections unread,
            // and a server may have closed one
            // meanwhile (NestJS after 5 s idle): a POST sent on it would end as an unknown
            // outcome. The first yield lets the runtime look at the sockets, the second runs the
            // connections it woke, which drop out of the pool before the call picks one.
            tokio::task::yield_now().await;
            tokio::task::yield_now().await;
        }
        let started = Instant::now();
        let deadline = started.checked_add(self.policy.deadline);
        let left = || deadline.map_or(Duration::MAX, |d| d.saturating_duration_since(Instant::now()));
        // Waiting for a token is part of the call's first attempt, so bounded by its timeout
        // as well as the deadline: the login lock, the login's own retries and any
        // `Retry-After` a server holds the login off with. Cut off, the login is dropped and the
        // lock freed for the next caller.
        let for_login = || self.request_timeout.min(left());
        let timed_out = || Error::Timeout { elapsed: started.elapsed(), call: Box::default() };
        let mut token = if authenticated {
            let token =
                tokio::time::timeout(for_login(), self.auth()?.token()).await.map_err(|_| timed_out());
            Some(token.and_then(|t| t).map_err(during_login)?)
        } else {
            None
        };
        let (mut retries, mut relogged) = (0u32, false);
        loop {
            if left().is_zero() {
                return Err(Error::Timeout { elapsed: started.elapsed(), call: Box::default() });
            }
            let attempt = attempt(&prepared, token.as_ref());
            let n = retries.saturating_add(1);
            let budget = budget::Budget::of(&self.base_url, operation);
            let lease = self.request_timeout.min(left());
            let spent = |wait| budget::spent(wait, started.elapsed());
            if let Some(ceiling) = &self.ceiling {
                ceiling.take(left()).await.map_err(spent)?;
            }
            let turn = budget.take(left(), lease).await.map_err(spent)?;
            let sent_at = Instant::now();
            let outcome = self.exchange(&sender, attempt, self.request_timeout.min(left())).await;
            if let Ok(answer) = &outcome {
                budget.observe(answer.status.as_u16(), &answer.headers);
            }
            drop(turn);
            let ms = sent_at.elapsed().as_millis();
            let (method, path) = (request.method(), request.url().path());
            match &outcome {
                Ok(answer) => tracing::debug!(
                    target: "alura::http",
                    operation,
                    status = answer.status.as_u16(),
                    "{operation}: {method} {path} -> {} in {ms} ms (attempt {n}, {request_id})",
                    answer.status.as_u16()
                ),
                Err(_) => tracing::debug!(
                    target: "alura::http",
                    operation,
                    "{operation}: {method} {path} -> no answer after {ms} ms (attempt {n}, {request_id})"
                ),
            }
            let seen = match &outcome {
                Ok(answer) => policy::Seen::Answer {
                    status: answer.status.as_u16(),
                    retry_after: retry::retry_after(&answer.headers),
                },
                Err(Failure::TooLarge(_)) => policy::Seen::TooLarge,
                Err(Failure::Body(..)) => policy::Seen::BodyFailed,
                Err(Failure::Send(e)) => policy::Seen::SendFailed { unsent: e.unsent },
            };
            let cx = policy::Context {
                idempotent,
                has_token: token.is_some(),
                relogged,
                retries,
                max_retries: self.policy.max_retries,
                left: left(),
                backoff: self.policy.backoff(retries),
            };
            let wait = match policy::decide(seen, cx) {
                policy::Step::Return => match outcome {
                    Ok(answer) => {
                        let long = answer.body.len() >= observe::LONG_ANSWER_BYTES;
                        let observed = observe::body(&answer.body);
                        let response = answer.into_response(op);
                        if observed && long {
                            // Whoever was handed a long body runs before the schema check, which
                            // follows in this same poll: a binding's task woken by it would
                            // otherwise wait for the check on this worker.
                            tokio::task::yield_now().await;
                        }
                        return Ok(response);
                    }
                    Err(_) => return Err(self.failure(policy::Why::Transport, outcome, operation, started)),
                },
                policy::Step::Retry(wait) => wait,
                policy::Step::Relogin => {
                    // The token lapsed or was revoked: log in again and replay this once.
                    let renewed = match &token {
                        Some(rejected) => tokio::time::timeout(for_login(), self.auth()?.renew(rejected))
                            .await
                            .map_err(|_| timed_out())
                            .and_then(|t| t)
                            .map_err(during_login)?,
                        None => None,
                    };
                    match renewed {
                        Some(fresh) => {
                            token = Some(fresh);
                            relogged = true;
                            continue;
                        }
                        None => return Err(self.failure(policy::Why::Status, outcome, operation, started)),
                    }
                }
                policy::Step::Fail(why) => return Err(self.failure(why, outcome, operation, started)),
            };
            tracing::info!(
                target: "alura::retry",
                operation,
                "{operation}: retrying in {} ms (retry {n} of {}, {request_id})",
                wait.as_millis(),
                self.policy.max_retries
            );
            self.sleeper.0.sleep(wait).await;
            retries = retries.saturating_add(1);
        }
    }

    /// The error a failed call ends with, from why it failed and what the last attempt saw.
    fn failure(
        &self,
        why: policy::Why,
        outcome: Result<Answer, Failure>,
        operation: &str,
        started: Instant,
    ) -> Error {
        use policy::Why;
        match (why, outcome) {
            (Why::Redirect, Ok(answer)) => redirected(&answer),
            (Why::OutcomeUnknown, Ok(answer)) => outcome_unknown_after(operation, &answer),
            (Why::Status, Ok(answer)) => Error::from_answer(answer.status, &answer.headers, &answer.body),
            (Why::OutcomeUnknown, Err(Failure::TooLarge(status))) => Error::OutcomeUnknown {
                operation: operation.into(),
                reason: format!(
                    "the {status} answer's body is larger than the client's limit of {} bytes",
                    self.max_body
                ),
                status: Some(status.as_u16()),
                timed_out: false,
                call: Box::default(),
            },
            (_, Err(Failure::TooLarge(status))) => Error::decode(format!(
                "the {status} answer's body is larger than the client's limit of {} bytes \
                 (max_response_bytes); it was not read",
                self.max_body
            )),
            // The server answered; whatever it did, it did.
            (Why::OutcomeUnknown, Err(Failure::Body(status, e))) => Error::OutcomeUnknown {
                operation: operation.into(),
                reason: format!("the {status} answer's body could not be read: {}", e.describe()),
                status: Some(status.as_u16()),
                timed_out: e.timeout,
                call: Box::default(),
            },
            (Why::OutcomeUnknown, Err(Failure::Send(e))) => Error::OutcomeUnknown {
                operation: operation.into(),
                reason: if e.timeout { "no response before the timeout".into() } else { e.describe() },
                status: None,
                timed_out: e.timeout,
                call: Box::default(),
            },
            (_, Err(Failure::Send(e) | Failure::Body(_, e))) if e.timeout => {
                Error::Timeout { elapsed: started.elapsed(), call: Box::default() }
            }
            (_, Err(Failure::Send(e) | Failure::Body(_, e))) => Error::network(e),
            (_, Ok(answer)) => Error::from_answer(answer.status, &answer.headers, &answer.body),
        }
    }

    /// Sends one attempt and reads its whole answer, never more than `max_body` bytes of it,
    /// all within `limit`.
    async fn exchange(
        &self,
        sender: &Sender,
        attempt: Outgoing<'_>,
        limit: Duration,
    ) -> Result<Answer, Failure> {
        // Set once the status arrives: a timeout after it lost the body, not the request.
        let mut status = None;
        match tokio::time::timeout(limit, self.read(sender, attempt, &mut status)).await {
            Ok(outcome) => outcome,
            Err(_) => Err(match status {
                Some(status) => Failure::Body(status, HttpError::timed_out()),
                None => Failure::Send(HttpError::timed_out()),
            }),
        }
    }

    async fn read(
        &self,
        sender: &Sender,
        attempt: Outgoing<'_>,
        seen: &mut Option<StatusCode>,
    ) -> Result<Answer, Failure> {
        let url = attempt.url;
        let mut response: Incoming = sender.send(attempt).await.map_err(Failure::Send)?;
        let status = response.status;
        *seen = Some(status);
        let declared = response
            .headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > self.max_body as u64) {
            return Err(Failure::TooLarge(status));
        }
        // A body that comes in one chunk (most do) is kept as it came; only a second chunk
        // starts a buffer to gather them in.
        let mut first: Option<Bytes> = None;
        let mut gathered: Option<BytesMut> = None;
        let mut read = 0usize;
        while let Some(chunk) = response.chunk().await.map_err(|e| Failure::Body(status, e))? {
            read = read.saturating_add(chunk.len());
            if read > self.max_body {
                return Err(Failure::TooLarge(status));
            }
            match (&mut gathered, first.take()) {
                (Some(buffer), _) => buffer.extend_from_slice(&chunk),
                (None, None) => first = Some(chunk),
                (None, Some(earlier)) => {
                    // Sized from the declared length (within `max_body`, checked above), so a
                    // 16 MB body is not copied four times while the buffer grows; but never
                    // more than 16 MiB up front, as a lying server's claim would otherwise
                    // reserve `max_body` per call (committed memory on some systems).
                    let capacity = declared.map_or(0, |n| n as usize).min(PRESIZE_LIMIT).max(read);
                    let mut buffer = BytesMut::with_capacity(capacity);
                    buffer.extend_from_slice(&earlier);
                    buffer.extend_from_slice(&chunk);
                    gathered = Some(buffer);
                }
            }
        }
        let body = gathered.map(BytesMut::freeze).or(first).unwrap_or_default();
        Ok(Answer { status, version: response.version, headers: response.headers, body, url: url.clone() })
    }
}

/// One attempt: the prepared request with the current token.
fn attempt<'a>(prepared: &'a Prepared, token: Option<&Token>) -> Outgoing<'a> {
    let request = &prepared.request;
    let mut headers = request.headers().clone();
    if let Some(token) = token {
        headers.insert(AUTHORIZATION, token.header.clone());
    }
    Outgoing {
        method: request.method(),
        url: request.url(),
        uri: &prepared.uri,
        headers,
        body: prepared.body.clone(),
    }
}

impl Answer {
    /// The answer for the generated client, under the success status the spec lists: a server
    /// that answers 200 where the spec says 201 (or 204) has still succeeded.
    fn into_response(self, op: Option<&Operation>) -> Response {
        let status = op.and_then(|op| StatusCode::from_u16(op.success).ok()).unwrap_or(self.status);
        decode::record(|| Captured {
            status: self.status.as_u16(),
            headers: self.headers.clone(),
            body: self.body.clone(),
        });
        let mut response = http::Response::new(self.body);
        *response.status_mut() = status;
        *response.version_mut() = self.version;
        *response.headers_mut() = self.headers;
        // reqwest keeps a response's URL in an extension of its own, set through its builder.
        let mut with_url = http::response::Builder::new().url(self.url);
        if let Some(extensions) = with_url.extensions_mut() {
            response.extensions_mut().extend(std::mem::take(extensions));
        }
        Response::from(response)
    }
}

/// The URL must be short and, when the operation is known, have its path's shape: a path
/// parameter of `.`, `..` or nothing would otherwise send the call to another route.
fn check_url(op: Option<&Operation>, request: &Request) -> Result<()> {
    let url = request.url();
    if url.as_str().len() > MAX_URL_BYTES {
        return Err(Error::invalid(format!(
            "the URL would be {} bytes long; the limit is {MAX_URL_BYTES} (is a path or query argument too long?)",
            url.as_str().len()
        )));
    }
    // A path without parameters is the generated literal: nothing to check.
    let Some(op) = op.filter(|op| op.path.contains('{')) else { return Ok(()) };
    // The base URL may have a path of its own, so the template is matched against the end.
    let (mut want, mut got) = (op.path.trim_start_matches('/').rsplit('/'), url.path().rsplit('/'));
    let fits = want.by_ref().zip(got.by_ref()).all(|(want, got)| {
        if want.starts_with('{') { !matches!(got, "" | "." | ".." | "%2e" | "%2E") } else { want == got }
    }) && want.next().is_none();
    if fits {
        return Ok(());
    }
    Err(Error::invalid(format!(
        "{}: a path argument may not be empty, \".\" or \"..\" (the request would go to another route than {})",
        op.id, op.path
    )))
}

/// A redirect: never followed, since the API does not redirect, and following one could carry
/// a body or a token to another origin.
fn redirected(answer: &Answer) -> Error {
    let target = answer.headers.get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("nowhere");
    let target = crate::errors::server_text::cut(target, 200);
    Error::Api {
        status: answer.status.as_u16(),
        messages: vec![format!(
            "the server redirected to {target}; the SDK does not follow redirects (the API never \
             redirects: check the base URL)"
        )],
        body: None,
        call: Box::new(CallInfo { headers: Some(Box::new(answer.headers.clone())), ..CallInfo::default() }),
    }
}

/// A POST answered 5xx: it may have been carried out before the server failed.
fn outcome_unknown_after(operation: &str, answer: &Answer) -> Error {
    let status = answer.status;
    let said = match Error::from_answer(status, &answer.headers, &answer.body) {
        Error::Api { messages, .. } | Error::RateLimited { messages, .. } => messages.join("; "),
        other => other.to_string(),
    };
    let reason = if said.is_empty() {
        format!("the server answered {status}")
    } else {
        format!("the server answered {status}: {said}")
    };
    Error::OutcomeUnknown {
        operation: operation.into(),
        reason,
        status: Some(status.as_u16()),
        timed_out: false,
        call: Box::new(CallInfo {
            server_request_id: crate::errors::server_request_id(&answer.headers),
            headers: Some(Box::new(answer.headers.clone())),
            raw_body: (!answer.body.is_empty()).then(|| crate::errors::RawBody(answer.body.clone())),
            ..CallInfo::default()
        }),
    }
}
