//! A throttle that behaves like `@nestjs/throttler` with its default storage: a fixed window per
//! route and client address (its key is the controller, the handler and the address) that starts
//! with its first request; every answer carries `X-RateLimit-Limit`,
//! `X-RateLimit-Remaining` and `X-RateLimit-Reset` (seconds until the window ends), and once the
//! window's requests are spent the answer is 429 with `Retry-After` and the throttler's body.

use std::collections::HashMap;
use std::net::IpAddr;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// So many requests per window, per route and client address.
pub use alura_api::Rate as Throttle;

/// Where a request stands in its address's window.
#[derive(Debug, Clone, Copy)]
pub struct Verdict {
    pub allowed: bool,
    pub remaining: u32,
    /// Seconds until the window ends, rounded up, as the throttler says them.
    pub reset_secs: u64,
}

#[derive(Default)]
pub struct Limiter {
    /// Each route's window for each address: when it started (ms on the simulator's clock) and
    /// its requests.
    windows: HashMap<(IpAddr, &'static str), (i64, u32)>,
}

impl Limiter {
    /// Counts a request to `operation` from `ip` at `now_ms`, refused ones too (as the throttler
    /// does).
    pub fn hit(&mut self, ip: IpAddr, operation: &'static str, throttle: Throttle, now_ms: i64) -> Verdict {
        let window_ms = i64::try_from(throttle.window.as_millis()).unwrap_or(i64::MAX);
        let (start, count) = self.windows.entry((ip, operation)).or_insert((now_ms, 0));
        // A test may move the clock either way by any amount: saturate rather than overflow.
        if !(0..window_ms).contains(&now_ms.saturating_sub(*start)) {
            *start = now_ms;
            *count = 0;
        }
        *count = count.saturating_add(1);
        let left_ms = start.saturating_add(window_ms).saturating_sub(now_ms).max(1);
        Verdict {
            allowed: *count <= throttle.limit,
            remaining: throttle.limit.saturating_sub(*count),
            reset_secs: (left_ms as u64).div_ceil(1000),
        }
    }
}

/// The throttler's headers, on every answer.
pub fn add_headers(headers: &mut HeaderMap, throttle: Throttle, verdict: Verdict) {
    for (name, value) in [
        ("x-ratelimit-limit", u64::from(throttle.limit)),
        ("x-ratelimit-remaining", u64::from(verdict.remaining)),
        ("x-ratelimit-reset", verdict.reset_secs),
    ] {
        headers.insert(name, HeaderValue::from(value));
    }
}

/// The answer once the window is spent.
pub fn refused(throttle: Throttle, verdict: Verdict) -> Response {
    let body = json!({"statusCode": 429, "message": "ThrottlerException: Too Many Requests"});
    let mut response = (StatusCode::TOO_MANY_REQUESTS, axum::Json(body)).into_response();
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(verdict.reset_secs));
    add_headers(response.headers_mut(), throttle, verdict);
    response
}
