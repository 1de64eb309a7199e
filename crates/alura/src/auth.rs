//! Wallet login and the bearer token's life: one login at a time, renewed before it lapses.

// Numbers here come from servers: no arithmetic that can overflow or panic.
#![deny(clippy::arithmetic_side_effects)]

use std::fmt;
use std::time::{Duration, Instant};

use alloy_primitives::Address;
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use std::sync::atomic::{AtomicU64, Ordering};

use alura_api::types::{EvmChallengeDto, EvmVerifyDto};
use reqwest::header::HeaderValue;
use serde_json::Value;
use tokio::sync::Mutex;

use crate::error::{Error, Result};

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

/// A bearer token, when it lapses, and which login made it.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    /// `Bearer <token>`, made once and marked sensitive: every call clones it, which only
    /// counts a reference, and it never prints.
    pub(crate) header: HeaderValue,
    /// `None` for a token given to us, whose lifetime we do not know.
    expires_at: Option<Instant>,
    lifetime: Duration,
    generation: u64,
}

impl Token {
    fn new(value: &Secret, expires_at: Option<Instant>, lifetime: Duration, generation: u64) -> Result<Self> {
        let mut header = HeaderValue::from_str(&format!("Bearer {}", value.expose()))
            .map_err(|_| Error::auth("the token has characters a header cannot carry"))?;
        header.set_sensitive(true);
        Ok(Self { header, expires_at, lifetime, generation })
    }

    /// Good for a while yet: a token is renewed a little before it lapses (a tenth of its
    /// lifetime, a minute at most), so a call never starts with a token about to expire.
    fn fresh(&self, now: Instant) -> bool {
        let margin = Duration::from_secs(60).min(self.lifetime.checked_div(10).unwrap_or_default());
        match self.expires_at {
            None => true,
            Some(at) => at.checked_duration_since(now).is_some_and(|left| left > margin),
        }
    }
}

/// Token lifetimes a server states are kept within these bounds: 0, a negative number or a
/// huge one must neither log in before every call nor overflow the clock.
const MIN_LIFETIME: Duration = Duration::from_secs(2);
const MAX_LIFETIME: Duration = Duration::from_secs(30 * 24 * 3600);
/// For a token whose lifetime the server does not say; a 401 logs in again anyway.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);
/// After a failed login, the next one waits this long since the failure.
const LOGIN_BACKOFF: Duration = Duration::from_millis(250);

/// The token we hold and the last login that failed.
#[derive(Default)]
struct Slot {
    token: Option<Token>,
    failed: Option<Failed>,
}

struct Failed {
    at: Instant,
    /// The value of `Auth::failures` this failure made.
    seq: u64,
    error: Error,
}

/// Who we are and the token we hold.
pub(crate) struct Auth {
    signer: Option<PrivateKeySigner>,
    referral_code: Option<String>,
    /// Held across a login, so concurrent callers without a token wait for one login.
    slot: Mutex<Slot>,
    /// Failed logins so far: a caller that sees it grow while it waited shares that failure
    /// instead of logging in once more.
    failures: AtomicU64,
    /// The client logins go through: the same retry rules, no bearer token.
    api: alura_api::Client,
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth").field("address", &self.address()).finish_non_exhaustive()
    }
}

impl Auth {
    pub(crate) fn new(
        signer: Option<PrivateKeySigner>,
        token: Option<Secret>,
        referral_code: Option<String>,
        api: alura_api::Client,
    ) -> Result<Self> {
        let token = token.map(|value| Token::new(&value, None, Duration::ZERO, 0)).transpose()?;
        let slot = Mutex::new(Slot { token, failed: None });
        Ok(Self { signer, referral_code, slot, failures: AtomicU64::new(0), api })
    }

    pub(crate) fn address(&self) -> Option<Address> {
        self.signer.as_ref().map(PrivateKeySigner::address)
    }

    /// A token good for a while: the cached one, or a new login's.
    pub(crate) async fn token(&self) -> Result<Token> {
        let seen = self.failures.load(Ordering::Acquire);
        let mut slot = self.slot.lock().await;
        if let Some(token) = slot.token.as_ref().filter(|t| t.fresh(Instant::now())) {
            return Ok(token.clone());
        }
        let generation = slot.token.as_ref().map_or(1, |t| t.generation.saturating_add(1));
        self.login_shared(&mut slot, seen, generation).await
    }

    /// After a 401 with `rejected`: a token from a new login, or `None` when we cannot log in
    /// (no key). Callers that were refused with an older token get the token made since.
    pub(crate) async fn renew(&self, rejected: &Token) -> Result<Option<Token>> {
        if self.signer.is_none() {
            return Ok(None);
        }
        let seen = self.failures.load(Ordering::Acquire);
        let mut slot = self.slot.lock().await;
        if let Some(current) = slot.token.as_ref().filter(|t| t.generation > rejected.generation) {
            return Ok(Some(current.clone()));
        }
        self.login_shared(&mut slot, seen, rejected.generation.saturating_add(1)).await.map(Some)
    }

    /// One login for everyone waiting on the slot: a failure while they waited is theirs too,
    /// and the next login waits a little after a failure.
    async fn login_shared(&self, slot: &mut Slot, seen: u64, generation: u64) -> Result<Token> {
        if let Some(failed) = &slot.failed {
            if failed.seq > seen {
                return Err(failed.error.clone());
            }
            let since = failed.at.elapsed();
            if since < LOGIN_BACKOFF {
                tokio::time::sleep(LOGIN_BACKOFF.saturating_sub(since)).await;
            }
        }
        match self.login(generation).await {
            Ok(token) => {
                *slot = Slot { token: Some(token.clone()), failed: None };
                Ok(token)
            }
            Err(error) => {
                let seq = self.failures.fetch_add(1, Ordering::AcqRel).saturating_add(1);
                slot.failed = Some(Failed { at: Instant::now(), seq, error: error.clone() });
                Err(error)
            }
        }
    }

    /// Challenge, personal_sign of the exact message, verify. A refused verify starts over once
    /// from a new challenge (the nonce may have lapsed between the two).
    async fn login(&self, generation: u64) -> Result<Token> {
        let Some(signer) = &self.signer else {
            return Err(Error::auth(
                "no credentials: set a private key (ALURA_PRIVATE_KEY) or a token (ALURA_TOKEN)",
            ));
        };
        let mut attempt: u32 = 0;
        loop {
            attempt = attempt.saturating_add(1);
            match self.login_once(signer).await.map_err(as_login_failure) {
                Ok((value, lifetime)) => {
                    tracing::debug!(address = %signer.address(), generation, "logged in");
                    let expires_at = Instant::now().checked_add(lifetime);
                    return Token::new(&value, expires_at, lifetime, generation);
                }
                Err(Error::Auth { status: Some(401), .. }) if attempt < 2 => continue,
                Err(Error::Auth { message, status }) => {
                    return Err(Error::Auth { message: format!("login refused: {message}"), status });
                }
                Err(e) => return Err(e),
            }
        }
    }

    async fn login_once(&self, signer: &PrivateKeySigner) -> Result<(Secret, Duration)> {
        let address = signer.address();
        let body = EvmChallengeDto { address: address.to_checksum(None) };
        let challenge = answer_of(self.api.request_challenge().body(body).send()).await?;
        let text = |key: &str| challenge.get(key).and_then(Value::as_str);
        let echoed: Option<Address> = text("address").and_then(|a| a.parse().ok());
        if echoed != Some(address) {
            return Err(Error::auth(format!(
                "the challenge is for {}, not for our address {address}",
                text("address").unwrap_or("no address")
            )));
        }
        let message = text("message").ok_or_else(|| Error::auth("the challenge has no message to sign"))?;
        let signature = signer
            .sign_message_sync(message.as_bytes())
            .map_err(|e| Error::auth(format!("signing the challenge failed: {e}")))?;
        let body = EvmVerifyDto {
            address: address.to_checksum(None),
            signature: signature.to_string(),
            referral_code: self.referral_code.clone(),
        };
        // Only what the login needs is read: the rest of the answer (`user`, ...) is the
        // server's business and must never fail a login.
        let verified = answer_of(self.api.verify_signature().body(body).send()).await?;
        if verified.get("ok") == Some(&Value::Bool(false)) {
            return Err(Error::auth("the server answered ok: false"));
        }
        let token =
            verified.get("accessToken").and_then(Value::as_str).filter(|t| !t.is_empty()).ok_or_else(
                || Error::auth("the server did not issue a token (no accessToken in its answer)"),
            )?;
        Ok((Secret::new(token.to_owned()), lifetime(verified.get("expiresIn"))))
    }
}

/// The lifetime a server states, as a number or a string of one, within sane bounds; unknown
/// (absent, zero, negative, not a number) is the default.
fn lifetime(expires_in: Option<&Value>) -> Duration {
    let secs = match expires_in {
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    match secs.filter(|s| *s > 0.0 && s.is_finite()) {
        Some(s) => Duration::try_from_secs_f64(s).unwrap_or(MAX_LIFETIME).clamp(MIN_LIFETIME, MAX_LIFETIME),
        None => DEFAULT_LIFETIME,
    }
}

/// A login answer as the JSON it was, whatever its shape; a failure to reach the server or a
/// server error during login is a failed login, not an unknown outcome (a login is no order).
async fn answer_of<T>(
    send: impl std::future::Future<
        Output = std::result::Result<
            progenitor_client::ResponseValue<T>,
            progenitor_client::Error<alura_api::types::ErrorResponse>,
        >,
    >,
) -> Result<Value> {
    let (sent, captured) = crate::decode::capturing(send).await;
    let body = match (sent, captured) {
        (Ok(_), Some(answer)) => answer.body,
        (Err(progenitor_client::Error::InvalidResponsePayload(body, _)), _) => body,
        (Ok(_), None) => return Err(Error::auth("the login answer could not be read")),
        (Err(e), _) => return Err(e.into()),
    };
    match serde_json::from_slice::<Value>(&body) {
        Ok(value @ Value::Object(_)) => Ok(value),
        _ => Err(Error::auth(format!("the login answer is not a JSON object ({} bytes)", body.len()))),
    }
}

fn as_login_failure(error: Error) -> Error {
    match error {
        Error::OutcomeUnknown { reason, status, .. } => {
            Error::Auth { message: format!("the server failed during login: {reason}"), status }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_stated_lifetime_is_kept_within_bounds() {
        let of = |v: Value| lifetime(Some(&v));
        assert_eq!(of(json!(86400)), Duration::from_secs(86400));
        assert_eq!(of(json!("600")), Duration::from_secs(600), "a number as a string");
        assert_eq!(of(json!(9_223_372_036_854_775_807_i64)), MAX_LIFETIME, "huge, not a panic");
        assert_eq!(of(json!(1e300)), MAX_LIFETIME);
        assert_eq!(of(json!(1)), MIN_LIFETIME, "not a login before every call");
        for unknown in [json!(0), json!(-5), json!("soon"), json!(null), json!({})] {
            assert_eq!(of(unknown), DEFAULT_LIFETIME);
        }
        assert_eq!(lifetime(None), DEFAULT_LIFETIME);
    }
}
