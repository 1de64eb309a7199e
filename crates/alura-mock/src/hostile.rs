//! The answers of a hostile server in front of the backend: redirects, CDN error pages, raw
//! answers, endless bodies and stalled connections. Built here; queued as faults in `faults.rs`.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes, to_bytes};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hyper::body::{Frame, SizeHint};
use serde_json::Value;

use crate::server::ConnectionCloser;

/// `code` as a final status; `fallback` for one hyper cannot send as a final answer (1xx, >999).
pub fn final_status(code: u16, fallback: StatusCode) -> StatusCode {
    StatusCode::from_u16(code).ok().filter(|s| s.as_u16() >= 200).unwrap_or(fallback)
}

/// Sets each header that is a valid HTTP header, value untouched (`Retry-After: 1e300` stays so).
pub fn set_headers(headers: &mut HeaderMap, extra: BTreeMap<String, String>) {
    for (name, value) in extra {
        if let (Ok(n), Ok(v)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            headers.insert(n, v);
        }
    }
}

/// A redirect with Express's plain-text body, as `res.redirect(status, location)` sends it.
pub fn redirect(status: u16, location: &str) -> Response {
    let status = final_status(status, StatusCode::TEMPORARY_REDIRECT);
    let reason = status.canonical_reason().unwrap_or("Redirect");
    let mut response = (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{reason}. Redirecting to {location}"),
    )
        .into_response();
    if let Ok(v) = HeaderValue::try_from(location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
}

/// The error page a CDN in front of the origin serves when the origin is down or slow.
pub fn html(status: u16, headers: BTreeMap<String, String>) -> Response {
    let status = final_status(status, StatusCode::BAD_GATEWAY);
    let title = format!("{} {}", status.as_u16(), status.canonical_reason().unwrap_or("Error"));
    let page = format!(
        "<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n\
         <hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n"
    );
    let mut response =
        (status, [(header::CONTENT_TYPE, "text/html"), (header::SERVER, "cloudflare")], page).into_response();
    set_headers(response.headers_mut(), headers);
    response
}

/// Exactly this status, these headers and this body: no content type unless the headers say one.
/// A 204 or 304 goes out without the body: HTTP gives them none, and hyper would still announce
/// its length, leaving a client waiting for bytes that never come.
pub fn raw(status: u16, headers: BTreeMap<String, String>, body: String) -> Response {
    let status = final_status(status, StatusCode::OK);
    let body = if matches!(status.as_u16(), 204 | 304) { Body::empty() } else { Body::from(body) };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    set_headers(response.headers_mut(), headers);
    response
}

/// A 200 whose body is `bytes` long (`{"data":"xxx…"}`), made chunk by chunk as it is sent, so
/// gigabytes cost no memory. `chunked` leaves out Content-Length.
pub fn oversized(bytes: u64, chunked: bool) -> Response {
    let body = Filler { total: bytes, sent: 0, chunked };
    let mut response = Response::new(Body::new(body));
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if !chunked {
        response.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(bytes));
    }
    response
}

const CHUNK: usize = 64 * 1024;
static FILL: [u8; CHUNK] = [b'x'; CHUNK];
const HEAD: &[u8] = br#"{"data":""#;
const TAIL: &[u8] = br#""}"#;

struct Filler {
    total: u64,
    sent: u64,
    chunked: bool,
}

impl Filler {
    /// The byte at `i`: the JSON head, then filler, then the tail (a prefix of `{"data":""}` when
    /// the body is too short for both).
    fn byte_at(&self, i: u64) -> u8 {
        let whole = (HEAD.len() + TAIL.len()) as u64;
        if self.total < whole {
            return [HEAD, TAIL].concat()[i as usize];
        }
        if i < HEAD.len() as u64 {
            HEAD[i as usize]
        } else if i >= self.total - TAIL.len() as u64 {
            TAIL[(i - (self.total - TAIL.len() as u64)) as usize]
        } else {
            b'x'
        }
    }
}

impl hyper::body::Body for Filler {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let left = self.total - self.sent;
        if left == 0 {
            return Poll::Ready(None);
        }
        let n = left.min(CHUNK as u64);
        let (start, end) = (self.sent, self.sent + n);
        let all_filler = start >= HEAD.len() as u64 && end <= self.total.saturating_sub(TAIL.len() as u64);
        let chunk = if all_filler {
            Bytes::from_static(&FILL[..n as usize])
        } else {
            Bytes::from((start..end).map(|i| self.byte_at(i)).collect::<Vec<u8>>())
        };
        self.sent = end;
        Poll::Ready(Some(Ok(Frame::data(chunk))))
    }

    fn is_end_stream(&self) -> bool {
        self.sent == self.total
    }

    fn size_hint(&self) -> SizeHint {
        if self.chunked { SizeHint::default() } else { SizeHint::with_exact(self.total - self.sent) }
    }
}

/// The handler's status and headers, `after_bytes` bytes of its body (padded with spaces when the
/// body is shorter, up to 1 MiB past it), then silence for `ms`, then the connection closes. When
/// the real body is longer, its Content-Length is kept, so the client was promised more than it
/// gets; otherwise it goes out chunked, with no final chunk.
pub async fn stall(
    response: Response,
    after_bytes: u64,
    ms: u64,
    closer: Option<ConnectionCloser>,
) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
    let n = usize::try_from(after_bytes).unwrap_or(usize::MAX);
    parts.headers.remove(header::CONTENT_LENGTH);
    let head = if bytes.len() > n {
        parts.headers.insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
        bytes.slice(..n)
    } else {
        // Here `bytes.len() <= n`; the cap keeps a huge `after_bytes` from allocating it.
        let mut padded = bytes.to_vec();
        padded.resize(n.min(bytes.len().saturating_add(CHUNK * 16)), b' ');
        Bytes::from(padded)
    };
    let body =
        Stalled { head: Some(head), sleep: Box::pin(tokio::time::sleep(Duration::from_millis(ms))), closer };
    Response::from_parts(parts, Body::new(body))
}

struct Stalled {
    head: Option<Bytes>,
    sleep: Pin<Box<tokio::time::Sleep>>,
    closer: Option<ConnectionCloser>,
}

impl hyper::body::Body for Stalled {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if let Some(head) = self.head.take().filter(|h| !h.is_empty()) {
            return Poll::Ready(Some(Ok(Frame::data(head))));
        }
        if self.sleep.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        if let Some(closer) = &self.closer {
            closer.close();
        }
        // An error from the body makes hyper drop the connection, should the closer not have.
        Poll::Ready(Some(Err(std::io::Error::other("stall fault: connection closed"))))
    }
}

/// The handler's answer with `expiresIn` replaced by `value`, when it is a JSON object.
pub async fn with_expires_in(response: Response, value: Value) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, usize::MAX).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let Ok(Value::Object(mut map)) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    map.insert("expiresIn".into(), value);
    parts.headers.remove(header::CONTENT_LENGTH);
    let bytes = serde_json::to_vec(&map).unwrap_or_else(|_| bytes.to_vec());
    Response::from_parts(parts, Body::from(bytes))
}
