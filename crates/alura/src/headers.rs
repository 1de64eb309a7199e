//! What an answer's headers say that both the retry policy and the errors read. A leaf.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};

/// `Retry-After` as delta-seconds or an HTTP-date.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    // Any number a server sends must not panic: huge ones saturate (and then exceed every
    // deadline, so the call gives up at once with the server's answer).
    if value.bytes().all(|b| b.is_ascii_digit()) && !value.is_empty() {
        return Some(value.parse::<u64>().map_or(Duration::MAX, Duration::from_secs));
    }
    if let Ok(secs) = value.parse::<f64>()
        && secs >= 0.0
    {
        return Some(Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO))
}
