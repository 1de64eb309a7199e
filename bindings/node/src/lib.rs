//! The Node addon: the Rust SDK as a native class whose methods return Promises. It converts
//! arguments, results and errors; login, retry and validation live in the `alura` crate.

mod mock;

use std::panic::AssertUnwindSafe;
use std::time::Duration;

use futures_util::FutureExt;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::{Map, Value, json};

/// How a client is set up; anything left out comes from `ALURA_BASE_URL`, `ALURA_PRIVATE_KEY`
/// and `ALURA_TOKEN`.
#[napi(object)]
pub struct ClientOptions {
    pub base_url: Option<String>,
    pub private_key: Option<String>,
    pub token: Option<String>,
    /// Per attempt, in milliseconds.
    pub timeout_ms: Option<f64>,
    /// Attempts after the first.
    pub max_retries: Option<u32>,
    pub referral_code: Option<String>,
    pub user_agent: Option<String>,
    pub allow_insecure_http: Option<bool>,
}

/// An `alura::Error` as a JS error: the message is JSON with the kind and fields, which the
/// JS layer (`lib/errors.js`) turns into its error classes.
fn to_js(error: alura::Error) -> Error {
    use alura::Error as E;
    let mut fields = json!({"kind": error.kind(), "message": error.to_string()});
    match &error {
        E::Api { status, messages, body } => {
            fields["status"] = json!(status);
            fields["messages"] = json!(messages);
            fields["body"] = body.clone().unwrap_or(Value::Null);
        }
        E::RateLimited { retry_after, messages } => {
            fields["status"] = json!(429);
            fields["messages"] = json!(messages);
            fields["retryAfter"] = json!(retry_after.map(|d| d.as_secs_f64()));
        }
        E::Auth { status, .. } => fields["status"] = json!(status),
        E::Timeout { elapsed } => fields["elapsed"] = json!(elapsed.as_secs_f64()),
        E::OutcomeUnknown { operation, reason, status } => {
            fields["operation"] = json!(operation);
            fields["reason"] = json!(reason);
            fields["status"] = json!(status);
        }
        _ => {}
    }
    Error::new(Status::GenericFailure, fields.to_string())
}

fn invalid(message: impl Into<String>) -> Error {
    to_js(alura::Error::InvalidInput { message: message.into() })
}

/// Runs a call, turning a panic into an error: a bug of ours must never take the process down.
async fn guarded<T>(future: impl std::future::Future<Output = alura::Result<T>>) -> Result<T> {
    match AssertUnwindSafe(future).catch_unwind().await {
        Ok(result) => result.map_err(to_js),
        Err(_) => Err(to_js(alura::Error::Decode {
            message: "internal error in the Alura SDK (a panic); please report it".into(),
        })),
    }
}

fn millis(ms: f64) -> Result<Duration> {
    Duration::try_from_secs_f64(ms / 1000.0)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| invalid(format!("timeoutMs must be a positive number, not {ms}")))
}

#[napi]
pub struct NativeClient {
    client: alura::Client,
}

#[napi]
impl NativeClient {
    #[napi(constructor)]
    pub fn new(options: Option<ClientOptions>) -> Result<Self> {
        let o = options.unwrap_or(ClientOptions {
            base_url: None,
            private_key: None,
            token: None,
            timeout_ms: None,
            max_retries: None,
            referral_code: None,
            user_agent: None,
            allow_insecure_http: None,
        });
        let mut b = alura::Client::builder();
        if let Some(url) = o.base_url {
            b = b.base_url(url);
        }
        if let Some(key) = o.private_key {
            b = b.private_key(key);
        }
        if let Some(token) = o.token {
            b = b.token(token);
        }
        if let Some(code) = o.referral_code {
            b = b.referral_code(code);
        }
        if let Some(ms) = o.timeout_ms {
            b = b.timeout(millis(ms)?);
        }
        if let Some(n) = o.max_retries {
            b = b.retry(alura::RetryPolicy { max_retries: n, ..Default::default() });
        }
        b = b.user_agent(
            o.user_agent.unwrap_or_else(|| concat!("alura-node/", env!("CARGO_PKG_VERSION")).into()),
        );
        let client = b
            .allow_insecure_http(o.allow_insecure_http.unwrap_or(false))
            .from_env()
            .build()
            .map_err(to_js)?;
        Ok(Self { client })
    }

    /// Calls `operation` with `args` (names as in the spec); resolves to the response body.
    #[napi]
    pub async fn call(&self, operation: String, args: Option<Value>) -> Result<Value> {
        let args: Map<String, Value> = match args {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(map)) => map,
            Some(other) => return Err(invalid(format!("arguments must be an object, not {other}"))),
        };
        let client = self.client.clone();
        guarded(async move { client.call(&operation, args).await?.to_value() }).await
    }

    /// Logs in now (a no-op while the token is good).
    #[napi]
    pub async fn login(&self) -> Result<()> {
        let client = self.client.clone();
        guarded(async move { client.login().await }).await
    }

    /// Every log entry of a trade, all pages.
    #[napi]
    pub async fn trade_logs(&self, trade_id: String) -> Result<Value> {
        use futures_util::TryStreamExt;
        let client = self.client.clone();
        guarded(async move {
            let entries: Vec<_> = client.trade_logs(&trade_id).try_collect().await?;
            serde_json::to_value(entries).map_err(|e| alura::Error::Decode { message: e.to_string() })
        })
        .await
    }

    /// A client with other limits, sharing connections and the token.
    #[napi]
    pub fn with_options(&self, timeout_ms: Option<f64>, max_retries: Option<u32>) -> Result<NativeClient> {
        let mut client = self.client.clone();
        if let Some(ms) = timeout_ms {
            client = client.with_timeout(millis(ms)?);
        }
        if let Some(n) = max_retries {
            client = client.with_retry(alura::RetryPolicy { max_retries: n, ..Default::default() });
        }
        Ok(NativeClient { client })
    }

    #[napi(getter)]
    pub fn base_url(&self) -> String {
        self.client.base_url().to_owned()
    }

    /// The wallet address (EIP-55), or null without a key.
    #[napi(getter)]
    pub fn address(&self) -> Option<String> {
        self.client.address().map(|a| a.to_checksum(None))
    }
}

/// Every operation of the spec: id, method, path, tag, authenticated.
#[napi]
pub fn operations() -> Value {
    json!(alura_api::operations::OPERATIONS
        .iter()
        .map(|op| json!({"id": op.id, "method": op.method, "path": op.path, "tag": op.tag, "authenticated": op.authenticated}))
        .collect::<Vec<_>>())
}

/// The assets of the Rust SDK as [symbol, index] pairs.
#[napi]
pub fn assets() -> Value {
    json!(alura::Asset::ALL.iter().map(|a| json!([a.symbol(), a.index()])).collect::<Vec<_>>())
}

/// The testnet.
#[napi]
pub fn default_base_url() -> String {
    alura::DEFAULT_BASE_URL.to_owned()
}
