//! Bearer tokens: the value that never prints, when it lapses, and what a caller may see of it.

// Numbers here come from servers: no arithmetic that can overflow or panic.
#![deny(clippy::arithmetic_side_effects)]

use std::fmt;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use reqwest::header::HeaderValue;

use crate::errors::{Error, Result};

/// A string that never prints.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Secret(String);

impl Secret {
    pub(crate) fn new(value: String) -> Self {
        Self(value)
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// A bearer token and when it lapses, as a caller may keep it (to save it, or to hand it to
/// another process). Its `Debug` never shows the value.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenInfo {
    value: Secret,
    /// When it lapses, if the server said or the token's JWT `exp` claim says.
    pub expires_at: Option<SystemTime>,
}

impl TokenInfo {
    /// The token itself, to store or to pass as `token` elsewhere.
    pub fn value(&self) -> &str {
        self.value.expose()
    }
}

impl fmt::Debug for TokenInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenInfo").field("value", &"***").field("expires_at", &self.expires_at).finish()
    }
}

/// A bearer token as the transport uses it, when it lapses, and which login made it.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    /// `Bearer <token>`, made once and marked sensitive: every call clones it, which only
    /// counts a reference, and it never prints.
    pub(crate) header: HeaderValue,
    value: Secret,
    /// `None` for a token whose lifetime we do not know.
    expires_at: Option<Instant>,
    expires_at_wall: Option<SystemTime>,
    lifetime: Duration,
    pub(crate) generation: u64,
}

impl Token {
    /// A token that lapses `lifetime` from now (`None`: unknown).
    pub(crate) fn new(value: Secret, lifetime: Option<Duration>, generation: u64) -> Result<Self> {
        let mut header = HeaderValue::from_str(&format!("Bearer {}", value.expose()))
            .map_err(|_| Error::auth("the token has characters a header cannot carry"))?;
        header.set_sensitive(true);
        let expires_at = lifetime.and_then(|l| Instant::now().checked_add(l));
        let expires_at_wall = lifetime.and_then(|l| SystemTime::now().checked_add(l));
        let lifetime = lifetime.unwrap_or_default();
        Ok(Self { header, value, expires_at, expires_at_wall, lifetime, generation })
    }

    /// A token that lapses at a wall-clock time (a saved token, a JWT's `exp`); one already
    /// lapsed has no time left at all.
    pub(crate) fn until(value: Secret, at: Option<SystemTime>, generation: u64) -> Result<Self> {
        let left = at.map(|at| at.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO));
        let mut token = Self::new(value, left, generation)?;
        token.expires_at_wall = at;
        Ok(token)
    }

    /// Good for a while yet: a token is renewed a little before it lapses (a tenth of its
    /// lifetime, a minute at most), so a call never starts with a token about to expire.
    pub(crate) fn fresh(&self, now: Instant) -> bool {
        let margin = Duration::from_secs(60).min(self.lifetime.checked_div(10).unwrap_or_default());
        match self.expires_at {
            None => true,
            Some(at) => at.checked_duration_since(now).is_some_and(|left| left > margin),
        }
    }

    pub(crate) fn secret(&self) -> &Secret {
        &self.value
    }

    pub(crate) fn info(&self) -> TokenInfo {
        TokenInfo { value: self.value.clone(), expires_at: self.expires_at_wall }
    }
}

/// The `exp` claim of a JWT, read without verifying it (the server checks the signature; we
/// only want to know when to log in again). `None` for a token that is not a JWT or has no `exp`.
pub(crate) fn jwt_expiry(token: &str) -> Option<SystemTime> {
    let mut parts = token.split('.');
    let (_header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let bytes =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let exp = claims.get("exp")?.as_f64().filter(|e| e.is_finite() && *e >= 0.0)?;
    UNIX_EPOCH.checked_add(Duration::try_from_secs_f64(exp).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: &str) -> String {
        let enc = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!("{}.{}.sig", enc(r#"{"alg":"HS256","typ":"JWT"}"#), enc(claims))
    }

    #[test]
    fn a_jwt_says_when_it_lapses() {
        assert_eq!(
            jwt_expiry(&jwt(r#"{"sub":"u","exp":1700000000}"#)),
            UNIX_EPOCH.checked_add(Duration::from_secs(1_700_000_000))
        );
        assert_eq!(jwt_expiry(&jwt(r#"{"sub":"u"}"#)), None, "no exp");
        assert_eq!(jwt_expiry(&jwt(r#"{"exp":1e300}"#)), None, "absurd, not a panic");
        assert_eq!(jwt_expiry("alura_opaque_token"), None, "not a JWT");
        assert_eq!(jwt_expiry("a.b.c.d"), None);
        assert_eq!(jwt_expiry("a.!!!.c"), None);
    }

    #[test]
    fn a_lapsed_token_is_not_fresh_and_never_prints() {
        let past = SystemTime::now() - Duration::from_secs(60);
        let token = Token::until(Secret::new("secret-value".into()), Some(past), 0).unwrap();
        assert!(!token.fresh(Instant::now()));
        let info = token.info();
        assert_eq!(info.value(), "secret-value");
        assert!(!format!("{info:?}{token:?}").contains("secret-value"));
        let unknown = Token::new(Secret::new("t".into()), None, 0).unwrap();
        assert!(unknown.fresh(Instant::now()), "a token of unknown lifetime is used until a 401");
    }
}
