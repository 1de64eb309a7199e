//! What tests steer and observe: queued faults per operation, the request log, the rate limit.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::Shared;
use crate::error::ApiError;
use crate::hostile;
use crate::server::ConnectionCloser;
use crate::throttle;

/// One injected misbehaviour, consumed by the next request to its operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// Answer with this status, headers and body (default: the NestJS error body) without
    /// handling the request.
    Status {
        status: u16,
        #[serde(default)]
        headers: BTreeMap<String, String>,
        #[serde(default)]
        body: Option<Value>,
    },
    /// Wait this long, then handle the request as usual.
    Delay { ms: u64 },
    /// Close the connection without answering; the request was received but not handled.
    Close,
    /// Handle the request, then send only the first half of the body.
    Truncated,
    /// Answer 200 with a body that is not JSON, without handling the request.
    Malformed,
    /// Revoke the bearer token the request carries and answer 401, as for an expired token.
    ExpiredToken,
    /// Answer with a redirect to `location` (default status 307) without handling the request.
    Redirect {
        #[serde(default = "temporary_redirect")]
        status: u16,
        location: String,
    },
    /// Answer with a CDN's HTML error page (`text/html`, default status 502) and these headers.
    Html {
        #[serde(default = "bad_gateway")]
        status: u16,
        #[serde(default)]
        headers: BTreeMap<String, String>,
    },
    /// Answer with exactly this status (default 200), these headers and this body text.
    Raw {
        #[serde(default = "ok")]
        status: u16,
        #[serde(default)]
        headers: BTreeMap<String, String>,
        #[serde(default)]
        body: String,
    },
    /// Answer 200 with a JSON-ish body of `bytes` bytes, streamed; `chunked` omits Content-Length.
    Oversized {
        bytes: u64,
        #[serde(default)]
        chunked: bool,
    },
    /// Handle the request, send the status, headers and `after_bytes` bytes of the body, then
    /// nothing for `ms`, then close the connection.
    Stall {
        #[serde(default)]
        after_bytes: u64,
        ms: u64,
    },
    /// Handle the request; the next successful answer carries this `expiresIn` (any JSON value),
    /// while the token it issues stays real and valid. Meant for `verify_signature`.
    ExpiresIn { value: Value },
}

fn temporary_redirect() -> u16 {
    307
}

fn bad_gateway() -> u16 {
    502
}

fn ok() -> u16 {
    200
}

impl Fault {
    fn name(&self) -> &'static str {
        match self {
            Fault::Status { .. } => "status",
            Fault::Delay { .. } => "delay",
            Fault::Close => "close",
            Fault::Truncated => "truncated",
            Fault::Malformed => "malformed",
            Fault::ExpiredToken => "expired_token",
            Fault::Redirect { .. } => "redirect",
            Fault::Html { .. } => "html",
            Fault::Raw { .. } => "raw",
            Fault::Oversized { .. } => "oversized",
            Fault::Stall { .. } => "stall",
            Fault::ExpiresIn { .. } => "expires_in",
        }
    }
}

/// The largest body a [`RequestRecord`] keeps: requests to this API are small, and a soak's log
/// must not grow with a hostile client's uploads.
pub const KEPT_BODY: usize = 64 << 10;

fn kept_body(bytes: &[u8]) -> Option<String> {
    (!bytes.is_empty() && bytes.len() <= KEPT_BODY)
        .then(|| std::str::from_utf8(bytes).ok().map(str::to_owned))
        .flatten()
}

/// One request as the server received it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestRecord {
    /// 1 for the first request since the last reset.
    pub seq: u64,
    /// The operation id, or `unknown` for a route the spec does not have.
    pub operation: String,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub idempotency_key: Option<String>,
    /// Hex SHA-256 of the request body: equal bodies, equal hashes.
    pub body_sha256: String,
    /// The body as text, when it is UTF-8 and at most [`KEPT_BODY`] bytes: what a test checks
    /// for exact digits (`"budget":100.10`).
    pub body: Option<String>,
    /// When it arrived, in ms on the simulator's clock.
    pub at_ms: i64,
    /// What was answered; `None` while in flight or when the connection was closed.
    pub status: Option<u16>,
    /// The injected fault it met, if any.
    pub fault: Option<String>,
}

#[derive(Default)]
pub struct Faults {
    queues: HashMap<String, VecDeque<Fault>>,
}

impl Faults {
    pub fn push(&mut self, operation: &str, faults: impl IntoIterator<Item = Fault>) {
        self.queues.entry(operation.to_owned()).or_default().extend(faults);
    }

    fn pop(&mut self, operation: &str) -> Option<Fault> {
        self.queues.get_mut(operation).and_then(VecDeque::pop_front)
    }

    /// Puts a fault back at the head of its queue: it waits for the next request.
    fn unpop(&mut self, operation: &str, fault: Fault) {
        self.queues.entry(operation.to_owned()).or_default().push_front(fault);
    }

    pub fn clear(&mut self) {
        self.queues.clear();
    }
}

pub fn operation_of(method: &Method, route: &str) -> &'static str {
    alura_api::operations::OPERATIONS
        .iter()
        .find(|op| op.path == route && op.method == method.as_str())
        .map_or("unknown", |op| op.id)
}

/// Middleware around every API route: log the request, apply the rate limit and any queued fault.
pub async fn observe(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map(|m| m.as_str().to_owned());
    let operation = operation_of(request.method(), route.as_deref().unwrap_or_default());
    let ip = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let closer = request.extensions().get::<ConnectionCloser>().cloned();
    let (parts, body) = request.into_parts();
    let bytes = match to_bytes(body, 16 << 20).await {
        Ok(b) => b,
        Err(_) => {
            return ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "request entity too large").into_response();
        }
    };
    let throttled = match (shared.config.rate_limit, ip) {
        (Some(throttle), Some(ip)) => Some((
            throttle,
            shared.limiter.lock().unwrap().hit(ip, operation, throttle, shared.clock.now_ms()),
        )),
        _ => None,
    };
    // A request the throttler refuses never reaches the handler, nor the fault meant for it.
    let refused = throttled.is_some_and(|(_, verdict)| !verdict.allowed);
    let fault = if refused { None } else { shared.faults.lock().unwrap().pop(operation) };
    let seq = {
        let mut log = shared.log.lock().unwrap();
        let seq = log.len() as u64 + 1;
        log.push(RequestRecord {
            seq,
            operation: operation.to_owned(),
            method: parts.method.to_string(),
            path: parts.uri.path().to_owned(),
            query: parts.uri.query().map(str::to_owned),
            idempotency_key: header_str(&parts.headers, "idempotency-key"),
            body_sha256: hex::encode(Sha256::digest(&bytes)),
            // A login's body holds the wallet's signature: a secret, never logged.
            body: if operation == "verify_signature" { None } else { kept_body(&bytes) },
            at_ms: shared.clock.now_ms(),
            status: None,
            fault: fault.as_ref().map(|f| f.name().to_owned()),
        });
        seq
    };
    let request = Request::from_parts(parts, Body::from(bytes));
    let response = match throttled {
        Some((throttle, verdict)) if !verdict.allowed => throttle::refused(throttle, verdict),
        Some((throttle, verdict)) => {
            let mut response = respond(&shared, request, next, fault, closer, operation).await;
            throttle::add_headers(response.headers_mut(), throttle, verdict);
            response
        }
        None => respond(&shared, request, next, fault, closer, operation).await,
    };
    if let Some(r) = shared.log.lock().unwrap().get_mut(seq as usize - 1) {
        r.status = Some(response.status().as_u16());
        if let Some(journal) = &shared.journal {
            // Written before the answer leaves: whatever a client saw answered is in the file.
            let mut line = serde_json::to_vec(r).unwrap_or_default();
            line.push(b'\n');
            let _ = journal.lock().unwrap().write_all(&line);
        }
    }
    response
}

async fn respond(
    shared: &Shared,
    request: Request,
    next: Next,
    fault: Option<Fault>,
    closer: Option<ConnectionCloser>,
    operation: &str,
) -> Response {
    match fault {
        None => next.run(request).await,
        Some(Fault::Delay { ms }) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            next.run(request).await
        }
        Some(Fault::Status { status, headers, body }) => {
            let status = hostile::final_status(status, StatusCode::INTERNAL_SERVER_ERROR);
            let reason = status.canonical_reason().unwrap_or("Error");
            let body = body.unwrap_or_else(
                || json!({"statusCode": status.as_u16(), "message": reason, "error": reason}),
            );
            let mut response = (status, axum::Json(body)).into_response();
            hostile::set_headers(response.headers_mut(), headers);
            response
        }
        Some(Fault::Redirect { status, location }) => hostile::redirect(status, &location),
        Some(Fault::Html { status, headers }) => hostile::html(status, headers),
        Some(Fault::Raw { status, headers, body }) => hostile::raw(status, headers, body),
        Some(Fault::Oversized { bytes, chunked }) => hostile::oversized(bytes, chunked),
        Some(Fault::Stall { after_bytes, ms }) => {
            hostile::stall(next.run(request).await, after_bytes, ms, closer).await
        }
        Some(Fault::ExpiresIn { value }) => {
            let response = next.run(request).await;
            if !response.status().is_success() {
                // Meant for the next successful answer: a refused login leaves it queued.
                shared.faults.lock().unwrap().unpop(operation, Fault::ExpiresIn { value });
                return response;
            }
            hostile::with_expires_in(response, value).await
        }
        Some(Fault::Close) => {
            if let Some(closer) = closer {
                closer.close();
            }
            // The connection task drops this future along with the socket.
            std::future::pending().await
        }
        Some(Fault::Truncated) => {
            let (parts, body) = next.run(request).await.into_parts();
            let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
            let half = bytes.slice(..bytes.len() / 2);
            let mut response = Response::from_parts(parts, Body::from(half));
            response.headers_mut().remove(header::CONTENT_LENGTH);
            response
        }
        Some(Fault::Malformed) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            format!("{{\"operation\": \"{operation}\", \"data\": [1, 2,, }}"),
        )
            .into_response(),
        Some(Fault::ExpiredToken) => {
            if let Some(token) = header_str(request.headers(), "authorization")
                .and_then(|h| h.strip_prefix("Bearer ").map(str::to_owned))
            {
                shared.auth.lock().unwrap().revoke(&token);
            }
            ApiError::unauthorized().into_response()
        }
    }
}

fn header_str(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
}
