//! Every client setting as data: what Python's keyword arguments, Node's options object and a
//! config file become. Its defaults and checks are the only ones; the bindings convert into it.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use serde::Deserialize;

use crate::options::Language;

/// How a [`Client`] is set up, as plain data: deserialise it from a config file, or fill it from
/// another language's options. Numbers come as given (times in seconds, counts as doubles) and
/// are checked by [`ClientOptions::into_builder`], so Python, Node and a config file refuse the
/// same values with the same words. A signer and an `on_token` callback are not data: add them
/// to the builder it returns.
///
/// ```
/// let options: alura::ClientOptions = serde_json::from_str(r#"{"timeout": 5, "max_retries": 0}"#).unwrap();
/// let client = options.into_builder()?.build()?;
/// # Ok::<(), alura::Error>(())
/// ```
#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClientOptions {
    /// The API's base URL (default: the testnet).
    pub base_url: Option<String>,
    /// A wallet key to log in with: 64 hex digits, with or without `0x`.
    pub private_key: Option<String>,
    /// A bearer token to use as it is.
    pub token: Option<String>,
    /// Seconds for one attempt (default 30).
    pub timeout: Option<f64>,
    /// Seconds to establish a connection (default 10).
    pub connect_timeout: Option<f64>,
    /// Attempts after the first (default 2).
    pub max_retries: Option<f64>,
    /// Seconds: the backoff before retry n is random, up to this times 2^n (default 0.5).
    pub retry_base_delay: Option<f64>,
    /// Seconds: the longest backoff between two attempts (default 8).
    pub retry_max_delay: Option<f64>,
    /// Seconds one call may take, all attempts and waits included (default 120).
    pub retry_deadline: Option<f64>,
    /// The referral code sent with a first login.
    pub referral_code: Option<String>,
    /// The `User-Agent` (default `alura-<language>/<version>`).
    pub user_agent: Option<String>,
    /// Headers sent with every call (not `Authorization`, `Host` or `X-Request-Id`).
    pub default_headers: BTreeMap<String, String>,
    /// Allows `http://` to hosts other than loopback.
    pub allow_insecure_http: bool,
    /// An answer off the spec fails the call instead of being logged.
    pub strict: bool,
    /// The largest response body read, in bytes (default 64 MiB).
    pub max_response_bytes: Option<f64>,
    /// Refuse a challenge that is not about this login (default true).
    pub verify_challenge: bool,
    /// Sites besides the API's own that a sign-in message may name (`host` or `host:port`).
    pub trusted_domains: Vec<String>,
    /// Keep tokens between runs: `true` for the user's cache directory, or a path.
    pub token_cache: Option<TokenCacheOption>,
    /// Fill the base URL, key and token left out from `ALURA_BASE_URL`, `ALURA_PRIVATE_KEY`
    /// and `ALURA_TOKEN` (default true).
    pub from_env: bool,
    /// Who wrote these, for the words of an error and the default `User-Agent`.
    #[serde(skip)]
    pub language: Language,
}

/// Where tokens are kept between runs.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum TokenCacheOption {
    /// `true`: the user's cache directory ([`crate::default_token_cache_path`]); `false`: none.
    Default(bool),
    /// This file.
    Path(PathBuf),
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            base_url: None,
            private_key: None,
            token: None,
            timeout: None,
            connect_timeout: None,
            max_retries: None,
            retry_base_delay: None,
            retry_max_delay: None,
            retry_deadline: None,
            referral_code: None,
            user_agent: None,
            default_headers: BTreeMap::new(),
            allow_insecure_http: false,
            strict: false,
            max_response_bytes: None,
            verify_challenge: true,
            trusted_domains: Vec::new(),
            token_cache: None,
            from_env: true,
            language: Language::default(),
        }
    }
}

impl fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Secrets as `***`; header values too, since an API key may ride in one.
        let hidden = |s: &Option<String>| s.as_ref().map(|_| "***");
        f.debug_struct("ClientOptions")
            .field("base_url", &self.base_url.as_deref().map(crate::options::redacted_url))
            .field("private_key", &hidden(&self.private_key))
            .field("token", &hidden(&self.token))
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("default_headers", &self.default_headers.keys().collect::<Vec<_>>())
            .field("strict", &self.strict)
            .field("from_env", &self.from_env)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    #[test]
    fn debug_never_shows_a_key_a_token_or_a_header_value() {
        let options = ClientOptions {
            private_key: Some("0xsecretkey".into()),
            token: Some("secret-token".into()),
            default_headers: [("X-Api-Key".to_owned(), "secret-header".to_owned())].into(),
            ..Default::default()
        };
        let text = format!("{options:?}");
        assert!(text.contains("X-Api-Key") && text.contains("***"), "{text}");
        for secret in ["secretkey", "secret-token", "secret-header"] {
            assert!(!text.contains(secret), "{text}");
        }
    }

    #[test]
    fn deserialises_with_the_defaults_and_refuses_unknown_fields() {
        let o: ClientOptions =
            serde_json::from_str(r#"{"timeout": 2.5, "token_cache": "/tmp/t.json"}"#).unwrap();
        assert_eq!(o.timeout, Some(2.5));
        assert_eq!(o.token_cache, Some(TokenCacheOption::Path("/tmp/t.json".into())));
        assert!(o.verify_challenge && o.from_env && !o.strict);
        let o: ClientOptions = serde_json::from_str(r#"{"token_cache": true}"#).unwrap();
        assert_eq!(o.token_cache, Some(TokenCacheOption::Default(true)));
        assert!(serde_json::from_str::<ClientOptions>(r#"{"max_retires": 1}"#).is_err());
    }

    #[test]
    fn bad_values_are_refused_in_the_users_words() {
        let node = |o: ClientOptions| ClientOptions { language: Language::Node, from_env: false, ..o };
        let cases = [
            (
                node(ClientOptions { max_retries: Some(-1.0), ..Default::default() }),
                "maxRetries must be a whole number",
            ),
            (
                node(ClientOptions { timeout: Some(-0.005), ..Default::default() }),
                "timeoutMs must be a positive number up to 86400000, not -5",
            ),
            (
                node(ClientOptions { max_response_bytes: Some(10.0), ..Default::default() }),
                "maxResponseBytes must be",
            ),
            (
                node(ClientOptions { retry_base_delay: Some(-1.0), ..Default::default() }),
                "retryBaseDelayMs must be",
            ),
            (
                ClientOptions { max_retries: Some(2.5), ..Default::default() },
                "max_retries must be a whole number",
            ),
            (
                ClientOptions { retry_deadline: Some(0.0), ..Default::default() },
                "retry_deadline must be a positive",
            ),
        ];
        for (options, words) in cases {
            let err = options.into_builder().unwrap_err();
            assert!(matches!(err, Error::InvalidInput { .. }) && err.to_string().contains(words), "{err}");
        }
    }
}
