//! Wallet login and the bearer token's life: one login at a time, renewed before it lapses.

// Numbers here come from servers: no arithmetic that can overflow or panic.
#![deny(clippy::arithmetic_side_effects)]

pub(crate) mod challenge;
pub(crate) mod token;
pub(crate) mod token_cache;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use alloy_primitives::Address;
use alloy_signer::Signer;
use alura_api::types::{EvmChallengeDto, EvmVerifyDto};
use arc_swap::ArcSwapOption;
use serde_json::Value;
use tokio::sync::Mutex;

use crate::auth::token::{Secret, Token, TokenInfo, jwt_expiry};
use crate::auth::token_cache::TokenCache;
use crate::decode::observe;
use crate::errors::{Error, Result};
use crate::forks::{Owned, PerProcess};

/// Any signer: a local key, a hardware wallet, a KMS, or one a binding makes of an object
/// of its language.
pub(crate) type SharedSigner = Arc<dyn Signer + Send + Sync>;

/// Called with every new token.
pub(crate) type OnToken = Arc<dyn Fn(&TokenInfo) + Send + Sync>;

/// Runs a future to its end as a task of a runtime that keeps running, whatever becomes of the
/// caller's; `false` when it cannot now (the future is then dropped unpolled). See
/// [`ClientBuilder::login_tasks`](crate::ClientBuilder::login_tasks).
pub type Spawn = Arc<dyn Fn(Pin<Box<dyn Future<Output = ()> + Send>>) -> bool + Send + Sync>;

/// How logins are made and where their tokens go, beyond the signer.
#[derive(Clone, Default)]
pub(crate) struct LoginOptions {
    pub(crate) referral_code: Option<String>,
    /// Refuse a challenge that is not about this login (see `challenge`).
    pub(crate) verify_challenge: bool,
    /// The sites an EIP-4361 message may name: the API's, and those the user trusts.
    pub(crate) site: challenge::Site,
    /// For the option names a refusal gives as ways out.
    pub(crate) language: crate::options::Language,
    pub(crate) cache: Option<TokenCache>,
    pub(crate) on_token: Option<OnToken>,
    /// Where logins run, when not in the call that needs one.
    pub(crate) spawn: Option<Spawn>,
}

/// Token lifetimes a server states are kept within these bounds: 0, a negative number or a
/// huge one must neither log in before every call nor overflow the clock.
const MIN_LIFETIME: Duration = Duration::from_secs(2);
const MAX_LIFETIME: Duration = Duration::from_secs(30 * 24 * 3600);
/// For a token whose lifetime the server does not say; a 401 logs in again anyway.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);
/// How many of the latest tokens an error is scrubbed of.
const RECENT_TOKENS: usize = 4;
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
    signer: Option<SharedSigner>,
    options: LoginOptions,
    /// The newest token kept, readable without waiting for a login: what `Client::token` shows,
    /// and what a call takes while it is fresh (kept after the login lock is released, so
    /// possibly out of order: the newer generation stays). Lock-free: a forked child may read it
    /// whatever the parent's threads were doing.
    current: ArcSwapOption<Token>,
    /// The last few tokens held, newest last: what an error is scrubbed of. A call may have sent
    /// one that another call's login has replaced since, and a server may echo it.
    recent: arc_swap::ArcSwap<Vec<Secret>>,
    /// Held across a login, so concurrent callers without a token wait for one login. One per
    /// process: a login the parent had under way at a fork never ends in the child.
    slot: PerProcess<Mutex<Slot>>,
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
    /// The language the client's options were written in.
    pub(crate) fn language(&self) -> crate::options::Language {
        self.options.language
    }

    pub(crate) fn new(
        signer: Option<SharedSigner>,
        token: Option<Secret>,
        options: LoginOptions,
        api: alura_api::Client,
    ) -> Result<Self> {
        // A given token lapses when its JWT says; failing that, a saved one from the cache.
        let token = match token {
            Some(value) => {
                let at = jwt_expiry(value.expose());
                Some(Token::until(value, at, 0)?)
            }
            None => match (&options.cache, &signer) {
                (Some(cache), Some(signer)) => cache
                    .load(signer.address())
                    .and_then(|(value, at)| Token::until(value, at, 0).ok())
                    .filter(|t| t.fresh(Instant::now())),
                _ => None,
            },
        };
        let current = ArcSwapOption::from(token.clone().map(Arc::new));
        let recent = arc_swap::ArcSwap::from_pointee(token.iter().map(|t| t.secret().clone()).collect());
        let slot = PerProcess::with(Mutex::new(Slot { token, failed: None }));
        Ok(Self { signer, options, current, recent, slot, failures: AtomicU64::new(0), api })
    }

    pub(crate) fn address(&self) -> Option<Address> {
        self.signer.as_ref().map(|s| s.address())
    }

    /// The tokens held lately, to scrub from what a server says.
    pub(crate) fn recent_tokens(&self) -> Vec<String> {
        self.recent.load().iter().map(|s| s.expose().to_owned()).collect()
    }

    /// The token held now, if any.
    pub(crate) fn current(&self) -> Option<TokenInfo> {
        self.current.load().as_deref().map(Token::info)
    }

    /// This process's login lock: in a forked child, a new one, holding the token the parent
    /// held when it can be read (not while the parent's login had the lock).
    fn slot(&self) -> Arc<Owned<Mutex<Slot>>> {
        let made = self.slot.get(
            |parent| {
                let token = parent.and_then(|p| p.try_lock().ok()?.token.clone());
                Ok::<_, std::convert::Infallible>(Mutex::new(Slot { token, failed: None }))
            },
            drop,
        );
        match made {
            Ok(slot) => slot,
            Err(never) => match never {},
        }
    }

    /// A token good for a while: the one held, or a new login's.
    pub(crate) async fn token(self: &Arc<Self>) -> Result<Token> {
        let held = self.current.load_full().filter(|t| t.fresh(Instant::now()));
        match held {
            Some(token) => Ok(Token::clone(&token)),
            None => self.detached(|auth| async move { auth.token_locked().await }).await,
        }
    }

    /// After a 401 with `rejected`: a token from a new login, or `None` when we cannot log in
    /// (no key). Callers that were refused with an older token get the token made since.
    pub(crate) async fn renew(self: &Arc<Self>, rejected: &Token) -> Result<Option<Token>> {
        let rejected = rejected.generation;
        self.detached(move |auth| async move { auth.renew_locked(rejected).await }).await
    }

    /// Runs `work`, which takes the login lock, as a task of [`LoginOptions::spawn`] when there
    /// is one: a caller whose runtime stops running (an event loop closed, a worker thread
    /// ended) while it waits for the lock or holds it for a login would otherwise hold it
    /// forever, and every other caller's login with it. Dropping the caller leaves the login to
    /// end on its own; its token is kept for the next call.
    async fn detached<T, F, Fut>(self: &Arc<Self>, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: Fn(Arc<Self>) -> Fut,
        Fut: Future<Output = Result<T>> + Send + 'static,
    {
        let Some(spawn) = &self.options.spawn else { return work(self.clone()).await };
        let (tx, rx) = tokio::sync::oneshot::channel();
        let task = work(self.clone());
        if spawn(Box::pin(async move {
            let _ = tx.send(task.await);
        })) && let Ok(outcome) = rx.await
        {
            return outcome;
        }
        // Not spawned, or its runtime shut down before it ended: here, then.
        work(self.clone()).await
    }

    async fn token_locked(&self) -> Result<Token> {
        let seen = self.failures.load(Ordering::Acquire);
        let slot = self.slot();
        let mut slot = slot.lock().await;
        if let Some(token) = slot.token.as_ref().filter(|t| t.fresh(Instant::now())) {
            return Ok(token.clone());
        }
        let generation = slot.token.as_ref().map_or(1, |t| t.generation.saturating_add(1));
        // Boxed: a login's state is kilobytes, and unboxed it would be part of (and copied
        // with) every call's future, though almost every call finds its token fresh.
        let token = Box::pin(observe::unobserved(self.login_shared(&mut slot, seen, generation))).await?;
        drop(slot);
        self.keep(&token);
        Ok(token)
    }

    async fn renew_locked(&self, rejected: u64) -> Result<Option<Token>> {
        if self.signer.is_none() {
            return Ok(None);
        }
        let seen = self.failures.load(Ordering::Acquire);
        let slot = self.slot();
        let mut slot = slot.lock().await;
        if let Some(current) = slot.token.as_ref().filter(|t| t.generation > rejected) {
            return Ok(Some(current.clone()));
        }
        let login = self.login_shared(&mut slot, seen, rejected.saturating_add(1));
        let token = Box::pin(observe::unobserved(login)).await?;
        drop(slot);
        self.keep(&token);
        Ok(Some(token))
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

    /// A new token: shown by `Client::token`, saved to the cache, handed to `on_token`. Called
    /// once the login lock is released, so neither a slow disk nor a callback (which may itself
    /// make a call on this client) holds up the calls waiting for the token.
    fn keep(&self, token: &Token) {
        let info = token.info();
        self.recent.rcu(|recent| {
            let mut next: Vec<Secret> =
                recent.iter().rev().take(RECENT_TOKENS.saturating_sub(1)).rev().cloned().collect();
            next.push(token.secret().clone());
            next
        });
        // Two logins in a row may be kept in either order: the newer token stays.
        self.current.rcu(|held| match held {
            Some(held) if held.generation > token.generation => Some(held.clone()),
            _ => Some(Arc::new(token.clone())),
        });
        if let (Some(cache), Some(address)) = (&self.options.cache, self.address()) {
            cache.save(address, &info);
        }
        if let Some(on_token) = &self.options.on_token {
            on_token(&info);
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
                    let kind = if generation > 1 { "logged in again" } else { "logged in" };
                    tracing::info!(target: "alura::login", "{kind} as {} (login {generation})", signer.address());
                    return Token::new(value, Some(lifetime), generation);
                }
                Err(Error::Auth { status: Some(401), .. }) if attempt < 2 => continue,
                Err(Error::Auth { message, status, call }) => {
                    return Err(Error::Auth { message: format!("login refused: {message}"), status, call });
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// A refused challenge, with the ways out in the words of the user's language.
    fn refusal(&self, refusal: challenge::Refusal, message: &str) -> Error {
        let lang = self.options.language;
        let why = match refusal {
            challenge::Refusal::NotOurs(why) => {
                format!("{why} ({} turns this check off)", lang.setting("verify_challenge", "false"))
            }
            challenge::Refusal::OtherSite { seen, what } => format!(
                "it is a sign-in whose {what} is {seen}, which is not on the site of the API host {}. If you \
                 trust it, add it to {}; or turn this check off with {}",
                self.options.site.api_host,
                lang.name("trusted_domains"),
                lang.setting("verify_challenge", "false"),
            ),
        };
        Error::auth(format!(
            "refusing to sign the challenge: {why}. The message: {:?}",
            message.chars().take(300).collect::<String>()
        ))
    }

    async fn login_once(&self, signer: &SharedSigner) -> Result<(Secret, Duration)> {
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
        if self.options.verify_challenge {
            let nonce = text("nonce").unwrap_or_default();
            challenge::check(message, nonce, address, &self.options.site)
                .map_err(|refusal| self.refusal(refusal, message))?;
        }
        let signature = signer
            .sign_message(message.as_bytes())
            .await
            .map_err(|e| Error::auth(format!("signing the challenge failed: {e}")))?;
        // A wrong key, or a signer that signed other text, fails here rather than as a 401.
        match signature.recover_address_from_msg(message.as_bytes()) {
            Ok(signed_by) if signed_by == address => {}
            Ok(signed_by) => {
                return Err(Error::auth(format!(
                    "the signature is by {signed_by}, not by the signer's address {address}: a wrong key, or a signer that signed other text"
                )));
            }
            Err(e) => {
                return Err(Error::auth(format!(
                    "the signer returned a signature that does not verify: {e}"
                )));
            }
        }
        let body = EvmVerifyDto {
            address: address.to_checksum(None),
            signature: signature.to_string(),
            referral_code: self.options.referral_code.clone(),
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
        Error::OutcomeUnknown { reason, status, call, .. } => {
            Error::Auth { message: format!("the server failed during login: {reason}"), status, call }
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
