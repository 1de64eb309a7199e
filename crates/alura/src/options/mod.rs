//! Checks of option values as other languages hand them over (numbers as doubles, anything as
//! anything): one place decides what is in range, so every binding refuses the same values
//! with the same words.

pub mod client;
pub mod list;

pub use client::TokenCacheOption;
pub use list::{CLIENT_OPTIONS, ClientOption, OptionKind, OptionValue, find};

pub use crate::language::Language;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};
use serde::Deserialize;

use crate::errors::{Error, Result};

/// The most retries an option may ask for.
pub const MAX_RETRIES: u32 = 100;

/// The longest per-attempt timeout an option may ask for (a day).
pub const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 3600);

/// `url` with any user and password in it as `***`, for Debug output.
pub(crate) fn redacted_url(url: &str) -> Cow<'_, str> {
    match reqwest::Url::parse(url) {
        Ok(mut parsed) if !parsed.username().is_empty() || parsed.password().is_some() => {
            let _ = parsed.set_username("***");
            let _ = parsed.set_password(None);
            Cow::Owned(parsed.to_string())
        }
        Ok(_) => Cow::Borrowed(url),
        // Not a URL: build() refuses it; show none of it, it may be anything.
        Err(_) => Cow::Borrowed("<not a URL>"),
    }
}

/// `value` as an error shows it: huge and tiny numbers in exponent form, not 300 digits.
pub(crate) fn shown(value: f64) -> String {
    let magnitude = value.abs();
    if value.is_finite() && magnitude != 0.0 && !(1e-6..1e15).contains(&magnitude) {
        format!("{value:e}")
    } else {
        value.to_string()
    }
}

/// A retry count: a whole number from 0 to [`MAX_RETRIES`]; NaN, fractions, negatives and
/// huge numbers are refused rather than wrapped.
pub fn max_retries(name: &str, value: f64) -> Result<u32> {
    if value.is_finite() && value.fract() == 0.0 && (0.0..=f64::from(MAX_RETRIES)).contains(&value) {
        return Ok(value as u32);
    }
    Err(Error::invalid(format!(
        "{name} must be a whole number from 0 to {MAX_RETRIES}, not {}",
        shown(value)
    )))
}

/// A timeout given in `unit_per_second`ths of a second (1 for seconds, 1000 for ms): more
/// than zero, at most [`MAX_TIMEOUT`].
pub fn timeout(name: &str, value: f64, unit_per_second: f64) -> Result<Duration> {
    Duration::try_from_secs_f64(value / unit_per_second)
        .ok()
        .filter(|d| !d.is_zero() && *d <= MAX_TIMEOUT)
        .ok_or_else(|| {
            Error::invalid(format!(
                "{name} must be a positive number up to {}, not {}",
                MAX_TIMEOUT.as_secs_f64() * unit_per_second,
                shown(value)
            ))
        })
}

/// A wait between retries: from zero up to [`MAX_TIMEOUT`], in `unit_per_second`ths of a second.
pub fn delay(name: &str, value: f64, unit_per_second: f64) -> Result<Duration> {
    Duration::try_from_secs_f64(value / unit_per_second).ok().filter(|d| *d <= MAX_TIMEOUT).ok_or_else(|| {
        Error::invalid(format!(
            "{name} must be a number from 0 to {}, not {}",
            MAX_TIMEOUT.as_secs_f64() * unit_per_second,
            shown(value)
        ))
    })
}

/// The option checks, named each language's way.
impl Language {
    /// A time option given in seconds, checked by [`timeout`] and named this language's way.
    pub fn timeout(self, option: &str, seconds: f64) -> Result<Duration> {
        timeout(&self.name(option), seconds * self.per_second(), self.per_second())
    }

    /// A retry wait given in seconds, checked by [`delay`] and named this language's way.
    pub fn delay(self, option: &str, seconds: f64) -> Result<Duration> {
        delay(&self.name(option), seconds * self.per_second(), self.per_second())
    }

    /// A retry count, checked by [`max_retries`] and named this language's way.
    pub fn max_retries(self, value: f64) -> Result<u32> {
        max_retries(&self.name("max_retries"), value)
    }
}

/// One call's options as a user hands them over (numbers as doubles, times in seconds), for
/// [`CallOptions::try_from`] to check: what the bindings convert their own options into.
#[derive(Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RequestOptions {
    /// Seconds for one attempt.
    pub timeout: Option<f64>,
    /// Attempts after the first.
    pub max_retries: Option<f64>,
    /// Extra headers, sent on every attempt.
    pub headers: BTreeMap<String, String>,
    /// The `Idempotency-Key` of a POST.
    pub idempotency_key: Option<String>,
    /// Who wrote these, for the words of an error.
    #[serde(skip)]
    pub language: Language,
}

impl TryFrom<RequestOptions> for CallOptions {
    type Error = Error;

    fn try_from(o: RequestOptions) -> Result<Self> {
        let lang = o.language;
        Ok(CallOptions {
            timeout: o.timeout.map(|s| lang.timeout("timeout", s)).transpose()?,
            max_retries: o.max_retries.map(|n| lang.max_retries(n)).transpose()?,
            headers: o.headers.into_iter().collect(),
            idempotency_key: o.idempotency_key,
        })
    }
}

/// Settings for one call, or for a client made for a few calls ([`crate::Client::with_call_options`]):
/// each one left out keeps the client's.
#[derive(Clone, Default, PartialEq)]
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

// Header values and the idempotency key as `***`: an API key may ride in a header.
impl fmt::Debug for RequestOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestOptions")
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("idempotency_key", &self.idempotency_key.as_ref().map(|_| "***"))
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for CallOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallOptions")
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("headers", &self.headers.iter().map(|(name, _)| name).collect::<Vec<_>>())
            .field("idempotency_key", &self.idempotency_key.as_ref().map(|_| "***"))
            .finish()
    }
}

/// Headers the SDK owns: a caller's value would break login, framing or idempotency, or
/// silently lose to an option (the SDK would send its own key, its own agent).
const RESERVED_HEADERS: [(&str, &str); 7] = [
    ("authorization", "the SDK logs in and sets it"),
    ("host", "it follows the base URL"),
    ("content-length", "the SDK frames the body"),
    ("transfer-encoding", "the SDK frames the body"),
    ("x-request-id", "the SDK gives every call its own"),
    ("idempotency-key", "set the idempotency key option instead, so errors report the key that was sent"),
    ("user-agent", "set the user agent option instead"),
];

/// A caller's header, checked: a valid name and value, and not one the SDK owns.
pub(crate) fn header(name: &str, value: &str) -> Result<(HeaderName, HeaderValue)> {
    let parsed = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| Error::invalid(format!("{name:?} is not a valid header name")))?;
    if let Some((_, why)) = RESERVED_HEADERS.iter().find(|(n, _)| *n == parsed.as_str()) {
        return Err(Error::invalid(format!("the {name} header cannot be set: {why}")));
    }
    let value = HeaderValue::from_str(value).map_err(|_| {
        Error::invalid(format!("the value of header {name} has characters a header cannot carry"))
    })?;
    Ok((parsed, value))
}

/// A size in bytes: a whole number of at least 1 KiB.
pub fn byte_limit(name: &str, value: f64) -> Result<usize> {
    // `usize::MAX as f64` rounds up to 2^64, which is not a usize: the bound is exclusive.
    if value.is_finite() && value.fract() == 0.0 && value >= 1024.0 && value < usize::MAX as f64 {
        return Ok(value as usize);
    }
    Err(Error::invalid(format!(
        "{name} must be a whole number of bytes, at least 1024, not {}",
        shown(value)
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::language::tests::SHOUTING;

    #[test]
    fn headers_that_would_lose_to_an_option_are_refused_with_the_option_to_use() {
        let err = header("Idempotency-Key", "k").unwrap_err().to_string();
        assert!(err.contains("idempotency key option"), "{err}");
        let err = header("user-agent", "me").unwrap_err().to_string();
        assert!(err.contains("user agent option"), "{err}");
        assert!(header("X-Team", "quant").is_ok());
    }

    #[test]
    fn debug_and_errors_keep_secrets_and_stay_short() {
        let o = RequestOptions {
            headers: [("X-Api-Key".to_owned(), "s3cret".to_owned())].into(),
            idempotency_key: Some("key-123".into()),
            ..RequestOptions::default()
        };
        let shown_debug = format!("{o:?} {:?}", CallOptions::try_from(o.clone()).unwrap());
        assert!(!shown_debug.contains("s3cret") && !shown_debug.contains("key-123"), "{shown_debug}");
        assert!(shown_debug.contains("X-Api-Key"), "{shown_debug}");
        assert_eq!(redacted_url("https://me:pw@h.example/x"), "https://***@h.example/x");
        assert_eq!(redacted_url("https://h.example"), "https://h.example");
        let err = max_retries("retries", 1e300).unwrap_err().to_string();
        assert!(err.ends_with("not 1e300"), "{err}");
        assert!(byte_limit("n", 2f64.powi(64)).is_err(), "2^64 is not a usize");
    }

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
        assert_eq!(delay("retry_base_delay", 0.0, 1.0).unwrap(), Duration::ZERO);
        assert!(delay("retry_base_delay", -0.5, 1.0).is_err());
    }

    #[test]
    fn each_language_names_options_and_shows_values_its_own_way() {
        assert_eq!(SHOUTING.name("retry_deadline"), "RETRY_DEADLINE_MINUTES");
        let err = SHOUTING.timeout("timeout", -120.0).unwrap_err().to_string();
        assert!(err.contains("TIMEOUT_MINUTES must be a positive number up to 1440, not -2"), "{err}");
        let err = Language::RUST.timeout("timeout", -5.0).unwrap_err().to_string();
        assert!(err.contains("timeout must be a positive number up to 86400, not -5"), "{err}");
        assert_eq!(SHOUTING.timeout("timeout", 90.0).unwrap(), Duration::from_secs(90));
    }

    #[test]
    fn request_options_become_call_options_checked_in_the_users_words() {
        let given = RequestOptions {
            timeout: Some(2.5),
            max_retries: Some(0.0),
            headers: [("X-Tenant".to_owned(), "desk-7".to_owned())].into(),
            idempotency_key: Some("order-42".into()),
            language: SHOUTING,
        };
        let call = CallOptions::try_from(given.clone()).unwrap();
        assert_eq!(call.timeout, Some(Duration::from_millis(2500)));
        assert_eq!((call.max_retries, call.idempotency_key.as_deref()), (Some(0), Some("order-42")));
        assert_eq!(call.headers, vec![("X-Tenant".to_owned(), "desk-7".to_owned())]);
        let bad = RequestOptions { max_retries: Some(-1.0), ..given };
        let err = CallOptions::try_from(bad.clone()).unwrap_err().to_string();
        assert!(err.contains("MAX_RETRIES must be a whole number"), "{err}");
        let err = CallOptions::try_from(RequestOptions { language: Language::RUST, ..bad }).unwrap_err();
        assert!(err.to_string().contains("max_retries must be a whole number"), "{err}");
    }
}
