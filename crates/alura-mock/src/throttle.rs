//! A throttle that behaves like `@nestjs/throttler` with its default storage: a fixed window per
//! route and client address (its key is the controller, the handler and the address) that starts
//! with its first request; every answer carries `X-RateLimit-Limit`,
//! `X-RateLimit-Remaining` and `X-RateLimit-Reset` (seconds until the window ends), and once the
//! window's requests are spent the answer is 429 with `Retry-After` and the throttler's body.

use std::collections::HashMap;
use std::net::IpAddr;
use std::str::FromStr;
use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// So many requests per window, per route and client address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttle {
    pub limit: u32,
    pub window: Duration,
}

impl Throttle {
    pub fn per_second(limit: u32) -> Self {
        Self { limit, window: Duration::from_secs(1) }
    }
}

impl FromStr for Throttle {
    type Err = String;

    /// `N/s`, `N/5s`, `N/m`, `N/10m`, `N/500ms`.
    fn from_str(text: &str) -> Result<Self, String> {
        let wrong =
            || format!("expected N per window (10/s, 100/5s, 1000/10m, 5/500ms) with N > 0, got {text:?}");
        let (limit, window) = text.split_once('/').ok_or_else(wrong)?;
        let limit = limit.trim().parse().ok().filter(|n| *n > 0).ok_or_else(wrong)?;
        let window = window.trim();
        let (count, unit) =
            window.split_at(window.find(|c: char| !c.is_ascii_digit()).unwrap_or(window.len()));
        let count: u64 = if count.is_empty() { 1 } else { count.parse().map_err(|_| wrong())? };
        let window = match unit {
            "ms" => Duration::from_millis(count),
            "s" => Duration::from_secs(count),
            "m" => Duration::from_secs(count.saturating_mul(60)),
            _ => return Err(wrong()),
        };
        if window.is_zero() {
            return Err(wrong());
        }
        Ok(Self { limit, window })
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_read_as_written() {
        let t = |s: &str| s.parse::<Throttle>();
        assert_eq!(t("10/s"), Ok(Throttle::per_second(10)));
        assert_eq!(t("100/5s").map(|t| (t.limit, t.window)), Ok((100, Duration::from_secs(5))));
        assert_eq!(t("1000/10m").map(|t| t.window), Ok(Duration::from_secs(600)));
        assert_eq!(t("5/500ms").map(|t| t.window), Ok(Duration::from_millis(500)));
        for bad in ["", "0/s", "10", "10/", "10/0s", "10/h", "x/s"] {
            assert!(t(bad).is_err(), "{bad}");
        }
    }
}
