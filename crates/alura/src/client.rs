//! The client and how to configure it.

use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use alloy_primitives::Address;
use alloy_signer::Signer;
use alloy_signer_local::PrivateKeySigner;
use alura_api::Hooks;

use crate::auth::token::{Secret, TokenInfo};
use crate::auth::token_cache::TokenCache;
use crate::auth::{Auth, LoginOptions, OnToken, SharedSigner};
use crate::decode::Drift;
use crate::errors::{Error, Result};
use crate::transport::Transport;
use crate::transport::pools::Senders;
use crate::transport::retry::{RetryPolicy, SharedSleeper, Sleeper, TokioSleeper};
use crate::transport::sender::HttpSettings;

/// The Alura testnet backend.
pub const DEFAULT_BASE_URL: &str = "https://testnet-api.alura.fun";

/// The default of [`ClientBuilder::max_response_bytes`]: far above the largest answer of the
/// API (a 100,000-candle history is about 13 MB).
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

/// An Alura API client: every operation of the spec, with wallet login, token renewal and
/// retries underneath. Cheap to clone (clones share connections and the token) and safe to
/// share across tasks.
///
/// ```no_run
/// # async fn run() -> alura::Result<()> {
/// use alura::{Asset, Client, QuickTrade};
///
/// // ALURA_BASE_URL, ALURA_PRIVATE_KEY, ALURA_TOKEN
/// let client = Client::from_env()?;
///
/// // Any operation of the spec, through the generated builders:
/// let candles = client.api().get_candles().symbol("BTC").interval("1h").limit(24).send().await?;
/// println!("last close {:?}", candles.last().and_then(|c| c.close));
///
/// // Typed helpers for the common cases; the first call that needs it logs in.
/// let session = client.quick_trade(QuickTrade::new(Asset::BTC, 100, 40)).await?;
/// println!("session {:?} is {:?}", session.id, session.status);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    api: alura_api::Client,
    auth: Arc<Auth>,
    http: reqwest::Client,
    transport: Transport,
    base_url: String,
    strict: bool,
    drift: Arc<Drift>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("address", &self.address().map(|a| a.to_checksum(None)))
            .field("retry", &self.inner.transport.policy)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder with the defaults: the testnet, no credentials, retries on.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from `ALURA_BASE_URL`, `ALURA_PRIVATE_KEY` and `ALURA_TOKEN`
    /// (each optional; the base URL defaults to the testnet).
    pub fn from_env() -> Result<Self> {
        Self::builder().from_env().build()
    }

    /// Every operation of the API, as generated from the spec, sent through this client's
    /// transport (login, retry). Convert its errors with `alura::Error::from` or `?`.
    pub fn api(&self) -> &alura_api::Client {
        &self.inner.api
    }

    /// Whether an event loop running this client's calls on a runtime of its own is told of
    /// their connections' sockets ([`sockets`](crate::sockets)): not when an environment
    /// proxy carries them.
    pub fn reports_sockets(&self) -> bool {
        !self.inner.transport.senders.proxied()
    }

    /// The API's base URL.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The wallet address this client logs in with, if it has a key.
    pub fn address(&self) -> Option<Address> {
        self.inner.auth.address()
    }

    /// The token this client holds now and when it lapses, to save or hand on; `None` before
    /// the first login. The value never shows in `Debug`.
    pub fn token(&self) -> Option<TokenInfo> {
        self.inner.auth.current()
    }

    /// Logs in now rather than on the first call that needs it (a no-op while the token is good).
    pub async fn login(&self) -> Result<()> {
        if self.is_closed() {
            return Err(Error::invalid("this client is closed, so it does not log in: make a new client"));
        }
        self.inner.auth.token().await.map(drop)
    }

    /// Closes the client: every later call of it and of the clients made from it
    /// ([`Client::with_call_options`] and the like) fails at once with [`Error::InvalidInput`],
    /// sending nothing. Calls already under way finish, logging in if they must. Closing a
    /// client made from another leaves that other open. Idempotent.
    pub fn close(&self) {
        self.inner.transport.closed.close();
    }

    /// The `Idempotency-Key` this client (from [`Client::with_call_options`]) holds for its next
    /// POST, if any: a binding that reports the key of an interrupted call reads it here.
    pub fn pending_idempotency_key(&self) -> Option<String> {
        self.inner.transport.idempotency_key.as_ref().and_then(|k| k.lock().ok()?.clone())
    }

    /// The language this client's options were written in, whose names its errors use.
    pub(crate) fn language(&self) -> crate::options::Language {
        self.inner.auth.language()
    }

    /// Whether [`Client::close`] was called on this client or on one it was made from.
    pub fn is_closed(&self) -> bool {
        self.inner.transport.closed.is_closed()
    }

    /// This client with another retry policy, sharing connections and the token.
    pub fn with_retry(&self, policy: RetryPolicy) -> Self {
        self.with_transport(Transport { policy, ..self.inner.transport.clone() })
    }

    /// This client with another time limit per attempt, sharing connections and the token.
    pub fn with_timeout(&self, timeout: Duration) -> Self {
        self.with_transport(Transport { request_timeout: timeout, ..self.inner.transport.clone() })
    }

    pub(crate) fn transport(&self) -> &Transport {
        &self.inner.transport
    }

    /// Whether an answer that does not fit the spec fails the call (see [`ClientBuilder::strict`]).
    pub fn strict(&self) -> bool {
        self.inner.strict
    }

    pub(crate) fn drift(&self) -> &Drift {
        &self.inner.drift
    }

    /// This client with `options` applied over its own settings (what `options` leaves out is
    /// kept), sharing connections and the token: per-call options, or a client for a few calls.
    ///
    /// ```no_run
    /// # async fn run(client: alura::Client) -> alura::Result<()> {
    /// let options = alura::CallOptions { max_retries: Some(0), idempotency_key: Some("order-42".into()), ..Default::default() };
    /// client.with_call_options(&options)?.call("close_all_positions", Default::default()).await?;
    /// # Ok(()) }
    /// ```
    pub fn with_call_options(&self, options: &crate::CallOptions) -> Result<Self> {
        let mut transport = self.inner.transport.clone();
        if let Some(timeout) = options.timeout {
            transport.request_timeout = timeout;
        }
        if let Some(n) = options.max_retries {
            transport.policy = RetryPolicy { max_retries: n, ..transport.policy };
        }
        for (name, value) in &options.headers {
            let (name, value) = crate::options::header(name, value)?;
            transport.headers.insert(name, value);
        }
        if let Some(key) = &options.idempotency_key {
            reqwest::header::HeaderValue::from_str(key).map_err(|_| {
                Error::invalid("the idempotency key has characters a header cannot carry".to_owned())
            })?;
            transport.idempotency_key = Some(Arc::new(std::sync::Mutex::new(Some(key.clone()))));
        }
        Ok(self.with_transport(transport))
    }

    fn with_transport(&self, mut transport: Transport) -> Self {
        transport.closed = crate::transport::Closed::child(&self.inner.transport.closed);
        let hooks = Hooks::new(transport.clone());
        Self {
            inner: Arc::new(Inner {
                api: alura_api::Client::new_with_client(&self.inner.base_url, self.inner.http.clone(), hooks),
                auth: self.inner.auth.clone(),
                http: self.inner.http.clone(),
                transport,
                base_url: self.inner.base_url.clone(),
                strict: self.inner.strict,
                drift: self.inner.drift.clone(),
            }),
        }
    }
}

/// Configures a [`Client`]. Nothing is checked or sent until [`ClientBuilder::build`].
#[derive(Default)]
pub struct ClientBuilder {
    base_url: Option<String>,
    private_key: Option<Secret>,
    signer: Option<SharedSigner>,
    token: Option<Secret>,
    verify_challenge: Option<bool>,
    trusted_domains: Vec<String>,
    token_cache: Option<PathBuf>,
    on_token: Option<OnToken>,
    referral_code: Option<String>,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
    user_agent: Option<String>,
    headers: Vec<(String, String)>,
    allow_insecure_http: bool,
    strict: bool,
    max_response_bytes: Option<usize>,
    sleeper: Option<Arc<dyn Sleeper>>,
    language: crate::options::Language,
    login_tasks: Option<crate::auth::Spawn>,
    max_rate: Option<alura_api::Rate>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url.as_deref().map(crate::options::redacted_url))
            .field("private_key", &self.private_key.as_ref().map(|_| "***"))
            .field("signer", &self.signer.as_ref().map(|s| s.address()))
            .field("token", &self.token.as_ref().map(|_| "***"))
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The API's base URL (default: the testnet).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Logs in with this wallet key: 64 hex digits, with or without `0x`.
    pub fn private_key(mut self, key: impl Into<String>) -> Self {
        self.private_key = Some(Secret::new(key.into()));
        self
    }

    /// Logs in with this signer: any [`alloy_signer::Signer`] (a local key, a Ledger, AWS KMS,
    /// Turnkey, or your own). Its signature is checked against its address before it is sent.
    pub fn signer(mut self, signer: impl Signer + Send + Sync + 'static) -> Self {
        self.signer = Some(Arc::new(signer));
        self
    }

    /// Whether to refuse a challenge that is not about this login (default on): its message
    /// must name our address and the challenge's nonce, and an EIP-4361 message must be for
    /// this API's site (see [`ClientBuilder::trusted_domains`]). Off only for a server that
    /// phrases its message otherwise: the check keeps a server, or anyone in the middle of
    /// plain HTTP, from getting a signature that logs you in somewhere else.
    pub fn verify_challenge(mut self, verify: bool) -> Self {
        self.verify_challenge = Some(verify);
        self
    }

    /// Further sites a sign-in message may name, beyond the API's own site (`host` or
    /// `host:port`, matched exactly). The API's site is its registrable domain by the Public
    /// Suffix List: with the API at `testnet-api.alura.fun`, a sign-in for `alura.fun` or
    /// `testnet.alura.fun` is accepted without this; `localhost` and IPs must match exactly.
    pub fn trusted_domains<S: Into<String>>(mut self, domains: impl IntoIterator<Item = S>) -> Self {
        self.trusted_domains.extend(domains.into_iter().map(Into::into));
        self
    }

    /// Keeps tokens in this file between runs (see [`default_token_cache_path`]), private to
    /// the user, one per base URL and address: a restarted process reuses its token instead
    /// of logging in again.
    pub fn token_cache(mut self, path: impl Into<PathBuf>) -> Self {
        self.token_cache = Some(path.into());
        self
    }

    /// Calls `callback` with every new token, for those who keep tokens in their own store.
    pub fn on_token(mut self, callback: impl Fn(&TokenInfo) + Send + Sync + 'static) -> Self {
        self.on_token = Some(Arc::new(callback));
        self
    }

    /// Uses this bearer token. With a key as well, the key logs in again when the token lapses.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(Secret::new(token.into()));
        self
    }

    /// The referral code sent with a first login.
    pub fn referral_code(mut self, code: impl Into<String>) -> Self {
        self.referral_code = Some(code.into());
        self
    }

    /// Time to establish a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Time for one attempt, from sending to the whole response (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// How calls are retried (default [`RetryPolicy::default`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Sends every call once.
    pub fn no_retry(self) -> Self {
        self.retry(RetryPolicy::none())
    }

    /// The language the options were written in, so errors name them as its users do.
    pub fn language(mut self, language: crate::options::Language) -> Self {
        self.language = language;
        self
    }

    /// The `User-Agent` (default `alura-rust/<version>`).
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = Some(agent.into());
        self
    }

    /// A header sent with every call and login (checked by [`ClientBuilder::build`]; not
    /// `Authorization`, `Host`, `Content-Length`, `Transfer-Encoding` or `X-Request-Id`, which
    /// the SDK owns).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Allows `http://` to hosts other than loopback (tokens would cross the network in clear).
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Makes an answer that does not fit the spec's schema an [`Error::Decode`] from
    /// [`Client::call`] instead of a warning (default off: the spec's response shapes are
    /// partly guesses, so a real server may differ; our own tests run strict against the
    /// simulator so the spec and the simulator stay honest).
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// The largest response body a call reads (default 64 MiB); a larger one fails the call
    /// as soon as it shows, so a broken or hostile server cannot fill memory.
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = Some(limit);
        self
    }

    /// What waits between retries (default: the Tokio timer). Tests use it to see the waits.
    pub fn sleeper(mut self, sleeper: Arc<dyn Sleeper>) -> Self {
        self.sleeper = Some(sleeper);
        self
    }

    /// A ceiling of your own under the server's rate limit: at most `rate.limit` requests per
    /// `rate.window` from this process to this API, shared by every client with the same ceiling.
    pub fn max_rate(mut self, rate: alura_api::Rate) -> Self {
        self.max_rate = Some(rate);
        self
    }

    /// Runs each login as a task of `spawn`'s runtime rather than in the call that needs it, for
    /// calls made on runtimes that may stop while a login is under way (an event loop that
    /// closes, a thread's runtime that ends): that login still ends, and the calls of every
    /// other runtime get its token. `spawn` returns `false` when it cannot take the task.
    pub fn login_tasks(mut self, spawn: crate::auth::Spawn) -> Self {
        self.login_tasks = Some(spawn);
        self
    }

    /// Fills what is unset from `ALURA_BASE_URL`, `ALURA_PRIVATE_KEY` and `ALURA_TOKEN`.
    pub fn from_env(mut self) -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        if self.base_url.is_none() {
            self.base_url = var("ALURA_BASE_URL");
        }
        if self.private_key.is_none() && self.signer.is_none() {
            self.private_key = var("ALURA_PRIVATE_KEY").map(Secret::new);
        }
        if self.token.is_none() {
            self.token = var("ALURA_TOKEN").map(Secret::new);
        }
        self
    }

    /// Checks the configuration and makes the client. Sends nothing.
    pub fn build(self) -> Result<Client> {
        let base_url = self.base_url.unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
        let base_url = base_url.trim_end_matches('/').to_owned();
        let loopback = check_url(&base_url, self.allow_insecure_http, self.language)?;
        let signer: Option<SharedSigner> = match (self.signer, self.private_key) {
            (Some(signer), _) => Some(signer),
            (None, Some(key)) => {
                Some(Arc::new(PrivateKeySigner::from_str(key.expose().trim()).map_err(|_| {
                    Error::invalid(
                        "the private key must be 32 bytes written as 64 hex digits, with or without 0x",
                    )
                })?))
            }
            (None, None) => None,
        };
        let api_host = reqwest::Url::parse(&base_url)
            .ok()
            .map(|u| match (u.host_str(), u.port()) {
                (Some(h), Some(p)) => format!("{h}:{p}"),
                (Some(h), None) => h.to_owned(),
                _ => String::new(),
            })
            .unwrap_or_default();
        let login = LoginOptions {
            referral_code: self.referral_code,
            verify_challenge: self.verify_challenge.unwrap_or(true),
            site: crate::auth::challenge::Site { api_host, trusted: self.trusted_domains },
            language: self.language,
            cache: self.token_cache.map(|path| TokenCache::new(path, &base_url)),
            on_token: self.on_token,
            spawn: self.login_tasks,
        };
        let mut headers = reqwest::header::HeaderMap::new();
        for (name, value) in &self.headers {
            let (name, value) = crate::options::header(name, value)?;
            headers.insert(name, value);
        }
        let request_timeout = self.timeout.unwrap_or(Duration::from_secs(30));
        let user_agent =
            self.user_agent.unwrap_or_else(|| concat!("alura-rust/", env!("CARGO_PKG_VERSION")).into());
        let user_agent = reqwest::header::HeaderValue::from_str(&user_agent)
            .map_err(|_| Error::invalid("the user agent has characters a header cannot carry"))?;
        // Sent with the client's own headers (`options::header` keeps users from setting it there).
        headers.insert(reqwest::header::USER_AGENT, user_agent);
        let settings = HttpSettings {
            connect_timeout: self.connect_timeout.unwrap_or(Duration::from_secs(10)),
            no_proxy: loopback,
            base_url: base_url.clone(),
        };
        let (http, tls) =
            settings.build().map_err(|e| Error::invalid(format!("cannot build the HTTP client: {e}")))?;
        let transport = Transport {
            policy: self.retry.unwrap_or_default(),
            request_timeout,
            max_body: self.max_response_bytes.unwrap_or(DEFAULT_MAX_RESPONSE_BYTES),
            headers,
            idempotency_key: None,
            sleeper: SharedSleeper(self.sleeper.unwrap_or_else(|| Arc::new(TokioSleeper))),
            auth: None,
            senders: Senders::new(settings, tls),
            closed: Arc::default(),
            base_url: Arc::from(base_url.as_str()),
            ceiling: self.max_rate.map(|rate| crate::transport::budget::Ceiling::of(&base_url, rate)),
        };
        let login_api =
            alura_api::Client::new_with_client(&base_url, http.clone(), Hooks::new(transport.clone()));
        let auth = Arc::new(Auth::new(signer, self.token, login, login_api)?);
        let transport = Transport { auth: Some(auth.clone()), ..transport };
        let api = alura_api::Client::new_with_client(&base_url, http.clone(), Hooks::new(transport.clone()));
        let (strict, drift) = (self.strict, Arc::default());
        Ok(Client { inner: Arc::new(Inner { api, auth, http, transport, base_url, strict, drift }) })
    }
}

/// An absolute http(s) URL; plain http only to loopback unless allowed. Returns whether the
/// host is loopback.
fn check_url(url: &str, allow_insecure_http: bool, language: crate::options::Language) -> Result<bool> {
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| Error::invalid(format!("base URL {url:?} is not a URL: {e}")))?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(Error::invalid(
            "the base URL must not carry a user or password: URLs end up in logs; log in with a key or token",
        ));
    }
    let host = parsed.host_str().unwrap_or_default();
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host.trim_matches(['[', ']']).parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
    match parsed.scheme() {
        "https" => Ok(loopback),
        "http" if loopback || allow_insecure_http => Ok(loopback),
        "http" => Err(Error::invalid(format!(
            "refusing plain http:// to {host}: tokens would travel in clear; use https, or set {}",
            language.name("allow_insecure_http")
        ))),
        other => {
            Err(Error::invalid(format!("base URL scheme must be https (or http to loopback), not {other:?}")))
        }
    }
}

/// The builder a set of [`crate::ClientOptions`] describes: here, beside the builder, so options know
/// nothing of the client.
impl crate::ClientOptions {
    /// Checks every value and makes the builder they describe; add a signer or `on_token`
    /// to it, then [`ClientBuilder::build`].
    pub fn into_builder(self) -> Result<ClientBuilder> {
        let lang = self.language;
        let mut b = Client::builder()
            .verify_challenge(self.verify_challenge)
            .trusted_domains(self.trusted_domains)
            .allow_insecure_http(self.allow_insecure_http)
            .strict(self.strict)
            .language(lang)
            .user_agent(match self.user_agent {
                Some(agent) if reqwest::header::HeaderValue::from_str(&agent).is_err() => {
                    return Err(crate::Error::invalid(format!(
                        "{} has characters a header cannot carry",
                        lang.name("user_agent")
                    )));
                }
                Some(agent) => agent,
                None => lang.user_agent(),
            });
        if let Some(url) = self.base_url {
            b = b.base_url(url);
        }
        if let Some(key) = self.private_key {
            b = b.private_key(key);
        }
        if let Some(token) = self.token {
            b = b.token(token);
        }
        if let Some(code) = self.referral_code {
            b = b.referral_code(code);
        }
        if let Some(seconds) = self.timeout {
            b = b.timeout(lang.timeout("timeout", seconds)?);
        }
        if let Some(seconds) = self.connect_timeout {
            b = b.connect_timeout(lang.timeout("connect_timeout", seconds)?);
        }
        // Every policy field starts from the default, so setting one never resets another.
        let mut retry = crate::RetryPolicy::default();
        if let Some(n) = self.max_retries {
            retry.max_retries = lang.max_retries(n)?;
        }
        if let Some(seconds) = self.retry_base_delay {
            retry.base_delay = lang.delay("retry_base_delay", seconds)?;
        }
        if let Some(seconds) = self.retry_max_delay {
            retry.max_delay = lang.delay("retry_max_delay", seconds)?;
        }
        if let Some(seconds) = self.retry_deadline {
            retry.deadline = lang.timeout("retry_deadline", seconds)?;
        }
        b = b.retry(retry);
        if let Some(n) = self.max_response_bytes {
            b = b.max_response_bytes(crate::options::byte_limit(&lang.name("max_response_bytes"), n)?);
        }
        if let Some(rate) = self.max_rate {
            b = b.max_rate(
                rate.parse().map_err(|e| Error::invalid(format!("{}: {e}", lang.name("max_rate"))))?,
            );
        }
        for (name, value) in self.default_headers {
            b = b.header(name, value);
        }
        match self.token_cache {
            Some(crate::TokenCacheOption::Default(true)) => {
                let path = crate::default_token_cache_path().ok_or_else(|| {
                    Error::invalid(format!(
                        "{} true needs a home or cache directory; pass a path",
                        lang.name("token_cache")
                    ))
                })?;
                b = b.token_cache(path);
            }
            Some(crate::TokenCacheOption::Path(path)) => b = b.token_cache(path),
            Some(crate::TokenCacheOption::Default(false)) | None => {}
        }
        if self.from_env {
            b = b.from_env();
        }
        Ok(b)
    }

    /// The client these options describe (see [`ClientOptions::into_builder`]).
    pub fn build(self) -> Result<Client> {
        self.into_builder()?.build()
    }
}
