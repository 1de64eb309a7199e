//! The Node addon: the Rust SDK as a native class whose methods return Promises. It converts
//! arguments, results and errors; login, retry and validation live in the `alura` crate.

// Public so its `#[napi]` items count as used in every build, tests included.
pub mod abort;
mod callback;
mod completion;
pub mod logging;
mod loop_runtime;
mod mock;
mod money;
mod signer;
mod uv;

use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::{Map, Value, json};

/// Milliseconds as the core's seconds.
fn seconds(ms: Option<f64>) -> Option<f64> {
    ms.map(|ms| ms / 1000.0)
}

/// `new Client(...)`'s options object, already checked for JS types by lib/index.js, as the
/// core's options: each one the core lists, by its Node name (times in milliseconds); the
/// functions (the signer, `onToken`, `logger`) come as the constructor's other arguments.
fn client_options(given: Option<&Object<'_>>) -> Result<alura::ClientOptions> {
    use alura::options::{OptionKind as K, OptionValue as V};
    let mut o = alura::ClientOptions { language: alura_ffi::NODE, ..Default::default() };
    let Some(given) = given else { return Ok(o) };
    for option in alura::options::CLIENT_OPTIONS.iter().filter(|o| o.in_bindings) {
        let name = alura_ffi::NODE.name(option.name);
        let value = match option.kind {
            K::Url | K::Text | K::Secret => given.get::<Option<String>>(&name)?.flatten().map(V::Text),
            K::Seconds => seconds(given.get::<Option<f64>>(&name)?.flatten()).map(V::Number),
            K::Count => given.get::<Option<f64>>(&name)?.flatten().map(V::Number),
            K::Flag(_) => given.get::<Option<bool>>(&name)?.flatten().map(V::Flag),
            K::Texts => given.get::<Option<Vec<String>>>(&name)?.flatten().map(V::Texts),
            K::Headers => given
                .get::<Option<std::collections::HashMap<String, String>>>(&name)?
                .flatten()
                .map(|h| V::Headers(h.into_iter().collect())),
            K::TokenCache => given.get::<Option<Either<bool, String>>>(&name)?.flatten().map(|c| {
                V::TokenCache(match c {
                    Either::A(on) => alura::TokenCacheOption::Default(on),
                    Either::B(path) => alura::TokenCacheOption::Path(path.into()),
                })
            }),
        };
        if let Some(value) = value {
            o.set(option.name, value).map_err(to_js)?;
        }
    }
    Ok(o)
}

/// Options for one call (the second argument of every method); each left out keeps the client's.
#[napi(object)]
pub struct RequestOptions {
    pub timeout_ms: Option<f64>,
    pub max_retries: Option<f64>,
    pub headers: Option<std::collections::HashMap<String, String>>,
    pub idempotency_key: Option<String>,
}

impl From<RequestOptions> for alura::RequestOptions {
    fn from(o: RequestOptions) -> Self {
        alura::RequestOptions {
            timeout: seconds(o.timeout_ms),
            max_retries: o.max_retries,
            headers: o.headers.unwrap_or_default().into_iter().collect(),
            idempotency_key: o.idempotency_key,
            language: alura_ffi::NODE,
        }
    }
}

/// An answer as the server sent it.
#[napi(object)]
pub struct NativeRaw {
    pub status: Option<u32>,
    pub headers: std::collections::HashMap<String, String>,
    pub body: Buffer,
}

/// What `request` sends.
#[napi(object)]
pub struct NativeRawRequest {
    pub method: String,
    pub path: String,
    pub query: Option<std::collections::HashMap<String, String>>,
    pub body: Option<Value>,
    pub authenticated: Option<bool>,
}

/// The token held now, as plain values (lib/index.js wraps it so inspect hides the value).
#[napi(object)]
pub struct NativeToken {
    pub value: String,
    /// Milliseconds since the epoch.
    pub expires_at: Option<f64>,
}

fn native_token(token: &alura::TokenInfo) -> NativeToken {
    let at = token.expires_at.and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
    NativeToken { value: token.value().to_owned(), expires_at: at.map(|d| d.as_secs_f64() * 1000.0) }
}

/// An `alura::Error` as a JS error: the message is JSON with the kind and fields, which the
/// JS layer (`lib/errors.js`) turns into its error classes.
fn to_js(error: alura::Error) -> Error {
    use alura::FieldValue as F;
    let mut fields = Map::new();
    fields.insert("kind".into(), json!(error.kind()));
    fields.insert("message".into(), json!(error.to_string()));
    for (name, value) in error.fields() {
        let value = match value {
            F::Status(status) => json!(status),
            F::Text(text) => json!(text),
            F::Texts(texts) => json!(texts),
            F::Seconds(seconds) => json!(seconds),
            F::Json(json) => json.cloned().unwrap_or(Value::Null),
            F::Headers(headers) => {
                Value::Object(headers.into_iter().map(|(k, v)| (k.to_owned(), json!(v))).collect())
            }
        };
        fields.insert(alura_ffi::language::camel(name), value);
    }
    let fields = Value::Object(fields);
    Error::new(Status::GenericFailure, fields.to_string())
}

/// The error of a call the caller aborted: a POST may already have reached the server.
fn aborted(post: Option<&str>) -> Error {
    if let Some(operation) = post {
        return to_js(alura::Error::OutcomeUnknown {
            operation: operation.into(),
            reason: "the caller aborted it; it may have reached the server".into(),
            status: None,
            call: Box::default(),
        });
    }
    Error::new(
        Status::Cancelled,
        json!({"kind": "AbortError", "message": "the call was aborted"}).to_string(),
    )
}

pub(crate) fn invalid(message: impl Into<String>) -> Error {
    to_js(alura::Error::InvalidInput { message: message.into() })
}

/// Runs a call, turning a panic into an error: a bug of ours must never take the process down.
async fn guarded<T>(future: impl std::future::Future<Output = alura::Result<T>>) -> Result<T> {
    match AssertUnwindSafe(future).catch_unwind().await {
        Ok(result) => result.map_err(to_js),
        Err(panic) => Err(to_js(alura::Error::from_panic(&*panic))),
    }
}

/// JS has one number type, and napi hands over any integer beyond `u32` as a float
/// (`1700000000000.0`), which an `i64` argument such as `endTime` would refuse. A whole
/// number that a double holds exactly becomes an integer again.
fn whole_numbers_as_integers(value: &mut Value) {
    const EXACT: f64 = 9_007_199_254_740_991.0; // 2^53 - 1
    match value {
        Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() <= EXACT) {
                *n = serde_json::Number::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        Value::Object(map) => map.values_mut().for_each(whole_numbers_as_integers),
        _ => {}
    }
}

/// A typed response, made into JS values straight from its Rust types on the main thread,
/// with no JSON value in between.
pub struct Typed<T>(T);

impl<T> TypeName for Typed<T> {
    fn type_name() -> &'static str {
        "any"
    }
    fn value_type() -> ValueType {
        ValueType::Unknown
    }
}

impl<T: serde::Serialize> ToNapiValue for Typed<T> {
    unsafe fn to_napi_value(env: sys::napi_env, reply: Self) -> Result<sys::napi_value> {
        Ok(Env::from_raw(env).to_js_value(&reply.0)?.raw())
    }
}

/// Which candles `candleColumns` fetches; times in ms since the epoch.
#[napi(object)]
pub struct NativeHistoryQuery {
    /// A symbol, or an asset index (the core names it).
    pub symbol: Either<String, f64>,
    pub interval: Option<String>,
    pub limit: Option<f64>,
    pub start_time: Option<f64>,
    pub end_time: Option<f64>,
    /// Prices as exact decimal strings rather than doubles.
    pub exact: Option<bool>,
}

/// Candles with exact prices: open times as a `Float64Array` (NaN where left out), each price
/// a string of the server's own digits, or null where it left the price out.
#[napi(object)]
pub struct NativeExactCandleColumns {
    pub open_time: Float64Array,
    pub open: Vec<Option<String>>,
    pub high: Vec<Option<String>>,
    pub low: Vec<Option<String>>,
    pub close: Vec<Option<String>>,
    pub volume: Vec<Option<String>>,
}

/// ms since the epoch fit a double exactly (2^53 ms is 285,000 years).
fn open_times(times: &[i64]) -> Float64Array {
    times.iter().map(|&t| if t == i64::MIN { f64::NAN } else { t as f64 }).collect::<Vec<_>>().into()
}

impl From<alura::ExactCandleColumns> for NativeExactCandleColumns {
    fn from(c: alura::ExactCandleColumns) -> Self {
        let text = |v: Vec<Option<alura::Decimal>>| v.into_iter().map(|d| d.map(|d| d.to_string())).collect();
        NativeExactCandleColumns {
            open_time: open_times(&c.open_time),
            open: text(c.open),
            high: text(c.high),
            low: text(c.low),
            close: text(c.close),
            volume: text(c.volume),
        }
    }
}

/// Candles one typed array per field, oldest first; a value the server left out is NaN.
#[napi(object)]
pub struct NativeCandleColumns {
    pub open_time: Float64Array,
    pub open: Float64Array,
    pub high: Float64Array,
    pub low: Float64Array,
    pub close: Float64Array,
    pub volume: Float64Array,
}

impl From<alura::CandleColumns> for NativeCandleColumns {
    fn from(c: alura::CandleColumns) -> Self {
        NativeCandleColumns {
            open_time: open_times(&c.open_time),
            open: c.open.into(),
            high: c.high.into(),
            low: c.low.into(),
            close: c.close.into(),
            volume: c.volume.into(),
        }
    }
}

/// A whole number given as a JS number; a fraction, NaN or one past 2^53 is refused.
fn whole(name: &str, n: f64) -> Result<i64> {
    if n.fract() != 0.0 || !n.is_finite() || n.abs() > 9_007_199_254_740_992.0 {
        return Err(invalid(format!("{name} must be a whole number, not {n}")));
    }
    Ok(n as i64)
}

#[napi]
pub struct NativeClient {
    client: alura::Client,
    log: logging::ClientLog,
    /// Money in answers as strings of the server's digits (`money: 'string'`, the default).
    money_strings: bool,
}

impl NativeClient {
    /// This client, or a copy with one call's options over its settings.
    fn for_call(&self, options: Option<RequestOptions>) -> Result<alura::Client> {
        let Some(options) = options else { return Ok(self.client.clone()) };
        let options = alura::CallOptions::try_from(alura::RequestOptions::from(options)).map_err(to_js)?;
        self.client.with_call_options(&options).map_err(to_js)
    }
}

/// A call's arguments as a JSON object, whole numbers as integers again.
fn args_of(args: Option<Value>) -> Result<Map<String, Value>> {
    match args {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(mut map)) => {
            map.values_mut().for_each(whole_numbers_as_integers);
            Ok(map)
        }
        Some(other) => Err(invalid(format!("arguments must be an object, not {other}"))),
    }
}

#[napi]
impl NativeClient {
    /// `log(level, target, message)` is the client's own logger, if it has one.
    #[napi(constructor)]
    pub fn new(
        #[napi(ts_arg_type = "object | undefined | null")] options: Option<Object<'_>>,
        sign: Option<Function<'_, String, Promise<String>>>,
        on_token: Option<Function<'_, NativeToken, ()>>,
        log: Option<Function<'_, (String, String, String), Unknown<'static>>>,
    ) -> Result<Self> {
        let own = |name: &str| -> Result<Option<String>> {
            Ok(match &options {
                Some(o) => o.get::<Option<String>>(name)?.flatten(),
                None => None,
            })
        };
        let (signer_address, log_level, money) = (own("signerAddress")?, own("logLevel")?, own("money")?);
        let money_strings = match money.as_deref() {
            None | Some("string") => true,
            Some("number") => false,
            Some(other) => return Err(invalid(format!("money must be 'string' or 'number', not '{other}'"))),
        };
        let log = logging::ClientLog::new(log, log_level.as_deref())?;
        let mut b = client_options(options.as_ref())?.into_builder().map_err(to_js)?;
        if let Some(sign) = sign {
            let address = signer_address.as_deref().ok_or_else(|| invalid("a signer needs an address"))?;
            b = b.signer(signer::JsSigner::new(address, sign)?);
        }
        if let Some(callback) = on_token {
            let callback = callback::Callback::new(&callback)?;
            b = b.on_token(move |token| callback.call(native_token(token)));
        }
        // Building reads the token cache, whose warnings belong to this client's logger too.
        let client = log.in_scope(|| b.build()).map_err(to_js)?;
        Ok(Self { client, log, money_strings })
    }

    /// Calls `operation` with `args` (names as in the spec); resolves to the response body as
    /// JSON text, which lib/index.js parses.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn call(
        &self,
        env: Env,
        operation: String,
        args: Option<Value>,
        options: Option<RequestOptions>,
        abort_id: Option<u32>,
    ) -> Result<Unknown<'static>> {
        let args = args_of(args)?;
        let on_loop = self.client.reports_sockets() && alura_ffi::event_loop::args_fit_the_loop(&args);
        let client = self.for_call(options)?;
        // The server's JSON goes over as text for V8's JSON.parse: building each object through
        // napi cost about three times as many instructions per call (bench/notes/journal.md), and
        // JSON.parse keeps a `__proto__` key an own property instead of setting a prototype.
        let found = alura_api::find(&operation);
        let post = found.filter(|op| op.method == "POST").map(|op| op.id);
        let money = found
            .filter(|op| op.money)
            .map(|_| if self.money_strings { money::Money::Strings } else { money::Money::Numbers });
        let work = guarded(async move {
            let text = client.call(&operation, args).await?.to_json_text()?;
            let Some(money) = money else { return Ok(text) };
            money::rewrite(text.as_bytes(), money)
                .map_err(|e| alura::Error::decode(format!("{operation}: {e}")))
        });
        let (abort, log) = (abort_id.and_then(abort::get), self.log.clone());
        completion::spawn(&env, on_loop, async move {
            let Some(abort) = abort else { return log.scope(work).await };
            // Dropping the call's future drops its request.
            tokio::select! {
                out = log.scope(work) => out,
                _ = abort.fired() => Err(aborted(post)),
            }
        })
    }

    /// Calls `operation` and resolves to the answer as the server sent it: status, headers, body.
    #[napi(ts_return_type = "Promise<NativeRaw>")]
    pub fn call_raw(
        &self,
        env: Env,
        operation: String,
        args: Option<Value>,
        options: Option<RequestOptions>,
    ) -> Result<Unknown<'static>> {
        let args = args_of(args)?;
        let on_loop = self.client.reports_sockets() && alura_ffi::event_loop::args_fit_the_loop(&args);
        let client = self.for_call(options)?;
        let work = guarded(async move { client.call(&operation, args).await });
        let log = self.log.clone();
        completion::spawn(&env, on_loop, async move { log.scope(work).await.map(|reply| raw_of(&reply)) })
    }

    /// Calls an endpoint the spec does not have, with the client's login, retries and errors;
    /// resolves to the body as JSON (null when empty).
    #[napi(ts_return_type = "Promise<any>")]
    pub fn request(
        &self,
        env: Env,
        request: NativeRawRequest,
        options: Option<RequestOptions>,
    ) -> Result<Unknown<'static>> {
        let client = self.for_call(options)?;
        let mut body = request.body;
        if let Some(b) = body.as_mut() {
            whole_numbers_as_integers(b);
        }
        let raw = alura::RawRequest {
            method: request.method,
            path: request.path,
            query: request.query.unwrap_or_default().into_iter().collect(),
            body: body.filter(|b| !b.is_null()),
            authenticated: request.authenticated.unwrap_or(true),
        };
        let log = self.log.clone();
        completion::spawn(&env, self.client.reports_sockets(), async move {
            log.scope(guarded(async move { client.request(raw).await?.json() })).await
        })
    }

    /// Logs in now (a no-op while the token is good).
    #[napi(ts_return_type = "Promise<void>")]
    pub fn login(&self, env: Env) -> Result<Unknown<'static>> {
        let (client, log) = (self.client.clone(), self.log.clone());
        completion::spawn(&env, self.client.reports_sockets(), async move {
            log.scope(guarded(async move { client.login().await })).await
        })
    }

    /// Every log entry of a trade, all pages.
    #[napi(ts_return_type = "Promise<any>")]
    pub fn trade_logs(&self, env: Env, trade_id: String) -> Result<Unknown<'static>> {
        use futures_util::TryStreamExt;
        let (client, log) = (self.client.clone(), self.log.clone());
        let logs = guarded(async move {
            client.trade_logs(&trade_id).try_collect::<Vec<alura_api::types::LogEntry>>().await.map(Typed)
        });
        completion::spawn(&env, self.client.reports_sockets(), async move { log.scope(logs).await })
    }

    /// Candle history as columns, from whatever shape the server sends it in (ours,
    /// Hyperliquid's, arrays, an envelope): one `Float64Array` per field, open times in ms; with
    /// `exact`, prices are strings of the server's digits.
    #[napi(ts_return_type = "Promise<NativeCandleColumns | NativeExactCandleColumns>")]
    pub fn candle_columns(
        &self,
        env: Env,
        query: NativeHistoryQuery,
        options: Option<RequestOptions>,
    ) -> Result<Unknown<'static>> {
        let exact = query.exact.unwrap_or(false);
        let symbol = match query.symbol {
            Either::A(symbol) => symbol,
            Either::B(index) => alura::asset_symbol(whole("symbol", index)?).map_err(to_js)?.to_owned(),
        };
        let query = alura::HistoryQuery {
            symbol,
            interval: query.interval,
            limit: query.limit.map(|n| whole("limit", n)).transpose()?.map(|n| n.max(0) as u64),
            start_time: query.start_time.map(|t| whole("startTime", t)).transpose()?,
            end_time: query.end_time.map(|t| whole("endTime", t)).transpose()?,
        };
        let (client, log) = (self.for_call(options)?, self.log.clone());
        let work = guarded(async move {
            Ok(if exact {
                Either::B(NativeExactCandleColumns::from(client.exact_candle_columns(query).await?))
            } else {
                Either::A(NativeCandleColumns::from(client.candle_columns(query).await?))
            })
        });
        completion::spawn(&env, self.client.reports_sockets(), async move { log.scope(work).await })
    }

    /// A client with other limits, sharing connections and the token.
    #[napi]
    pub fn with_options(&self, options: RequestOptions) -> Result<NativeClient> {
        Ok(NativeClient {
            client: self.for_call(Some(options))?,
            log: self.log.clone(),
            money_strings: self.money_strings,
        })
    }

    /// The token held now, or null before the first login.
    #[napi]
    pub fn token(&self) -> Option<NativeToken> {
        self.client.token().as_ref().map(native_token)
    }

    /// Refuses every later call of this client and of those made from it (`withOptions`);
    /// calls under way finish.
    #[napi]
    pub fn close(&self) {
        self.client.close();
    }

    #[napi(getter)]
    pub fn closed(&self) -> bool {
        self.client.is_closed()
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

/// A reply as the server sent it: status, headers, body.
fn raw_of(reply: &alura::Reply) -> NativeRaw {
    let headers = reply
        .headers()
        .into_iter()
        .flat_map(|h| h.iter())
        .map(|(k, v)| (k.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    NativeRaw {
        status: reply.status().map(u32::from),
        headers,
        body: reply.body().map(|b| b.to_vec()).unwrap_or_default().into(),
    }
}
