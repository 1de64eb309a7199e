//! Checks of option values as other languages hand them over (numbers as doubles, anything as
//! anything): one place decides what is in range, so Python and Node refuse the same values
//! with the same words.

use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};

use crate::error::{Error, Result};

/// The most retries an option may ask for.
pub const MAX_RETRIES: u32 = 100;

/// The longest per-attempt timeout an option may ask for (a day).
pub const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 3600);

/// A retry count: a whole number from 0 to [`MAX_RETRIES`]; NaN, fractions, negatives and
/// huge numbers are refused rather than wrapped.
pub fn max_retries(name: &str, value: f64) -> Result<u32> {
    if value.is_finite() && value.fract() == 0.0 && (0.0..=f64::from(MAX_RETRIES)).contains(&value) {
        return Ok(value as u32);
    }
    Err(Error::invalid(format!("{name} must be a whole number from 0 to {MAX_RETRIES}, not {value}")))
}

/// A timeout given in `unit_per_second`ths of a second (1 for seconds, 1000 for ms): more
/// than zero, at most [`MAX_TIMEOUT`].
pub fn timeout(name: &str, value: f64, unit_per_second: f64) -> Result<Duration> {
    Duration::try_from_secs_f64(value / unit_per_second)
        .ok()
        .filter(|d| !d.is_zero() && *d <= MAX_TIMEOUT)
        .ok_or_else(|| {
            Error::invalid(format!(
                "{name} must be a positive number up to {}, not {value}",
                MAX_TIMEOUT.as_secs_f64() * unit_per_second
            ))
        })
}

/// Settings for one call, or for a client made for a few calls ([`crate::Client::with_call_options`]):
/// each one left out keeps the client's.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallOptions {
    /// Time for one attempt.
    pub timeout: Option<Duration>,
    /// Attempts after the first (the backoff and the deadline stay the client's).
    pub max_retries: Option<u32>,
    /// Extra headers, sent on every attempt.
    pub headers: Vec<(String, String)>,
    /// The `Idempotency-Key` of a POST, instead of a new random one: reuse the key of a call
    /// whose outcome was unknown, and a server that honours it will not act twice.
    pub idempotency_key: Option<String>,
}

/// Headers the SDK owns: a caller's value would break login, framing or idempotency.
const RESERVED_HEADERS: [&str; 5] =
    ["authorization", "host", "content-length", "transfer-encoding", "x-request-id"];

/// A caller's header, checked: a valid name and value, and not one the SDK owns.
pub(crate) fn header(name: &str, value: &str) -> Result<(HeaderName, HeaderValue)> {
    let parsed = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| Error::invalid(format!("{name:?} is not a valid header name")))?;
    if RESERVED_HEADERS.contains(&parsed.as_str()) {
        return Err(Error::invalid(format!("the {name} header is set by the SDK and cannot be overridden")));
    }
    let value = HeaderValue::from_str(value).map_err(|_| {
        Error::invalid(format!("the value of header {name} has characters a header cannot carry"))
    })?;
    Ok((parsed, value))
}

/// A size in bytes: a whole number of at least 1 KiB.
pub fn byte_limit(name: &str, value: f64) -> Result<usize> {
    if value.is_finite() && value.fract() == 0.0 && value >= 1024.0 && value <= usize::MAX as f64 {
        return Ok(value as usize);
    }
    Err(Error::invalid(format!("{name} must be a whole number of bytes, at least 1024, not {value}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_values_are_refused_not_wrapped() {
        assert_eq!(max_retries("maxRetries", 3.0).unwrap(), 3);
        assert_eq!(max_retries("maxRetries", 0.0).unwrap(), 0);
        for bad in [-1.0, 1e10, f64::NAN, 2.5, f64::INFINITY] {
            let err = max_retries("maxRetries", bad).unwrap_err();
            assert!(err.to_string().contains("maxRetries must be a whole number"), "{err}");
        }
        assert_eq!(timeout("timeoutMs", 1500.0, 1000.0).unwrap(), Duration::from_millis(1500));
        for bad in [0.0, -1.0, f64::NAN, 1e300] {
            assert!(timeout("timeout", bad, 1.0).is_err(), "{bad}");
        }
        assert_eq!(byte_limit("max_response_bytes", 65536.0).unwrap(), 65536);
        assert!(byte_limit("max_response_bytes", 10.0).is_err());
    }
}
