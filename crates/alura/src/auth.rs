//! Wallet login and the bearer token's life: one login at a time, renewed before it lapses.

use std::fmt;
use std::time::{Duration, Instant};

use alloy_primitives::Address;
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use alura_api::types::{EvmChallengeDto, EvmVerifyDto};
use reqwest::header::HeaderValue;
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
        let margin = Duration::from_secs(60).min(self.lifetime / 10);
        match self.expires_at {
            None => true,
            Some(at) => at.checked_duration_since(now).is_some_and(|left| left > margin),
        }
    }
}

/// Who we are and the token we hold.
pub(crate) struct Auth {
    signer: Option<PrivateKeySigner>,
    referral_code: Option<String>,
    /// Held across a login, so concurrent callers without a token wait for one login.
    token: Mutex<Option<Token>>,
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
        Ok(Self { signer, referral_code, token: Mutex::new(token), api })
    }

    pub(crate) fn address(&self) -> Option<Address> {
        self.signer.as_ref().map(PrivateKeySigner::address)
    }

    /// A token good for a while: the cached one, or a new login's.
    pub(crate) async fn token(&self) -> Result<Token> {
        let mut slot = self.token.lock().await;
        if let Some(token) = slot.as_ref().filter(|t| t.fresh(Instant::now())) {
            return Ok(token.clone());
        }
        let generation = slot.as_ref().map_or(1, |t| t.generation + 1);
        let token = self.login(generation).await?;
        *slot = Some(token.clone());
        Ok(token)
    }

    /// After a 401 with `rejected`: a token from a new login, or `None` when we cannot log in
    /// (no key). Callers that were refused with an older token get the token made since.
    pub(crate) async fn renew(&self, rejected: &Token) -> Result<Option<Token>> {
        if self.signer.is_none() {
            return Ok(None);
        }
        let mut slot = self.token.lock().await;
        if let Some(current) = slot.as_ref().filter(|t| t.generation > rejected.generation) {
            return Ok(Some(current.clone()));
        }
        let token = self.login(rejected.generation + 1).await?;
        *slot = Some(token.clone());
        Ok(Some(token))
    }

    /// Challenge, personal_sign of the exact message, verify. A refused verify starts over once
    /// from a new challenge (the nonce may have lapsed between the two).
    async fn login(&self, generation: u64) -> Result<Token> {
        let Some(signer) = &self.signer else {
            return Err(Error::auth(
                "no credentials: set a private key (ALURA_PRIVATE_KEY) or a token (ALURA_TOKEN)",
            ));
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.login_once(signer).await {
                Ok((value, lifetime)) => {
                    tracing::debug!(address = %signer.address(), generation, "logged in");
                    let expires_at = Some(Instant::now() + lifetime);
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
        let challenge = self.api.request_challenge().body(body).send().await?.into_inner();
        let echoed: Option<Address> = challenge.address.parse().ok();
        if echoed != Some(address) {
            return Err(Error::auth(format!(
                "the challenge is for {}, not for our address {address}",
                challenge.address
            )));
        }
        let signature = signer
            .sign_message_sync(challenge.message.as_bytes())
            .map_err(|e| Error::auth(format!("signing the challenge failed: {e}")))?;
        let body = EvmVerifyDto {
            address: address.to_checksum(None),
            signature: signature.to_string(),
            referral_code: self.referral_code.clone(),
        };
        let verified = self.api.verify_signature().body(body).send().await?.into_inner();
        if !verified.ok || verified.access_token.is_empty() {
            return Err(Error::auth("the server did not issue a token"));
        }
        let lifetime = Duration::from_secs(u64::try_from(verified.expires_in).unwrap_or(0));
        Ok((Secret::new(verified.access_token), lifetime))
    }
}
