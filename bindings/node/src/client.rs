//! `NativeClient`: the core's client as a napi class whose methods return Promises.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;

use crate::early::{self, Answer};
use crate::errors::{aborted, guarded, invalid, to_js};
use crate::from_js::{NativeHistoryQuery, args_of, whole, whole_numbers_as_integers};
use crate::options::{RequestOptions, client_options};
use crate::to_js::columns::{NativeCandleColumns, NativeExactCandleColumns};
use crate::to_js::{Typed, money, raw_of};
use crate::{abort, callback, completion, logging, signer};

#[napi]
pub struct NativeClient {
    pub(crate) client: alura::Client,
    pub(crate) log: logging::ClientLog,
    /// Money in answers as strings of the server's digits (`money: 'string'`, the default).
    pub(crate) money_strings: bool,
}

impl NativeClient {
    /// This client, or a copy with one call's options over its settings.
    pub(crate) fn for_call(&self, options: Option<RequestOptions>) -> Result<alura::Client> {
        let Some(options) = options else { return Ok(self.client.clone()) };
        let options = alura::CallOptions::try_from(alura::RequestOptions::from(options)).map_err(to_js)?;
        self.client.with_call_options(&options).map_err(to_js)
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
    /// JSON text, which lib/index.js parses, or, for a long answer, to `{early, check}`
    /// (`early.rs`).
    #[napi(ts_return_type = "Promise<string | { early: string, check: Promise<string | null> }>")]
    pub fn call(
        &self,
        env: Env,
        operation: String,
        args: Option<Value>,
        options: Option<RequestOptions>,
        abort_id: Option<u32>,
    ) -> Result<Unknown<'static>> {
        let args = args_of(args)?;
        let long = !alura_ffi::event_loop::args_fit_the_loop(&args);
        let on_loop = self.client.reports_sockets() && !long;
        let client = self.for_call(options)?;
        // The server's JSON goes over as text for V8's JSON.parse: building each object through
        // napi cost about three times as many instructions per call (bench/notes/journal.md), and
        // JSON.parse keeps a `__proto__` key an own property instead of setting a prototype.
        let found = alura_api::find(&operation);
        let post = found.filter(|op| op.method == "POST").map(|op| op.id);
        let money = found
            .filter(|op| op.money)
            .map(|_| if self.money_strings { money::Money::Strings } else { money::Money::Numbers });
        let log = self.log.clone();
        let abort = abort_id.and_then(abort::get);
        let for_check = abort.clone();
        let work = guarded(async move {
            // Money is rewritten before JS parses it, so only answers without money go early.
            let Some(money) = money else {
                if long {
                    return early::answer(client, log, operation, args, for_check).await;
                }
                return Ok(Answer::Text(client.call(&operation, args).await?.to_json_text()?));
            };
            let text = client.call(&operation, args).await?.to_json_text()?;
            money::rewrite(text.as_bytes(), money)
                .map(Answer::Text)
                .map_err(|e| alura::Error::decode(format!("{operation}: {e}")))
        });
        let log = self.log.clone();
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

    /// What became of a POST whose outcome is unknown (`alura::Client::settle_call`), found out
    /// with read-only calls; resolves to the settlement as JSON text.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn settle(
        &self,
        env: Env,
        operation: String,
        args: Option<Value>,
        sent_at_ms: f64,
    ) -> Result<Unknown<'static>> {
        let (args, client) = (args_of(args)?, self.client.clone());
        let since = std::time::UNIX_EPOCH
            + std::time::Duration::try_from_secs_f64(sent_at_ms / 1000.0).unwrap_or_default();
        let work = guarded(async move {
            let settled = client.settle_call(&operation, &args, since).await?;
            serde_json::to_string(&settled).map_err(|e| alura::Error::decode(e.to_string()))
        });
        let log = self.log.clone();
        completion::spawn(&env, true, async move { log.scope(work).await })
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
        let query = history_query(query)?;
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

    /// The server's rate limit, once an answer has said.
    #[napi]
    pub fn rate_limit(&self) -> Option<NativeRateLimit> {
        self.client.rate_limit().map(|r| NativeRateLimit {
            operation: r.operation,
            limit: r.limit,
            remaining: r.remaining,
            resets_at: r
                .resets_at
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64() * 1000.0),
        })
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

/// What `request` sends.
#[napi(object)]
pub struct NativeRawRequest {
    pub method: String,
    pub path: String,
    pub query: Option<std::collections::HashMap<String, String>>,
    pub body: Option<Value>,
    pub authenticated: Option<bool>,
}

/// Where the caller stands with the server's rate limit.
#[napi(object)]
pub struct NativeRateLimit {
    pub operation: String,
    pub limit: u32,
    pub remaining: u32,
    /// Milliseconds since the epoch.
    pub resets_at: f64,
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

/// A history query from JS: the symbol by name or index, numbers as whole numbers.
pub(crate) fn history_query(query: NativeHistoryQuery) -> Result<alura::HistoryQuery> {
    let symbol = match query.symbol {
        Either::A(symbol) => symbol,
        Either::B(index) => alura::asset_symbol(whole("symbol", index)?).map_err(to_js)?.to_owned(),
    };
    Ok(alura::HistoryQuery {
        symbol,
        interval: query.interval,
        limit: query.limit.map(|n| whole("limit", n)).transpose()?.map(|n| n.max(0) as u64),
        start_time: query.start_time.map(|t| whole("startTime", t)).transpose()?,
        end_time: query.end_time.map(|t| whole("endTime", t)).transpose()?,
    })
}
