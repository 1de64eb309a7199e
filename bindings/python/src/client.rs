//! `NativeClient`: one `alura::Client`, called by operation id, blocking or as a coroutine.

use std::future::Future;
use std::time::Duration;

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::completion;
use crate::early::Early;
use crate::errors;
use crate::from_python::{from_py, map_from_py};
use crate::options::{self, PyOptions};
use crate::signer::PySigner;
use crate::to_python::columns::exact_columns_to_py;
use crate::to_python::{json, typed};

#[pyclass(frozen, module = "alura._native")]
pub struct NativeClient {
    pub(crate) client: alura::Client,
    /// The Python signer, if the client logs in with one: its exception is chained as the
    /// cause of a failed login.
    pub(crate) signer: Option<PySigner>,
}

/// `error` as a Python exception, with the signer's own exception as its cause when signing
/// is what failed.
pub(crate) fn raise(py: Python<'_>, signer: &Option<PySigner>, error: alura::Error) -> PyErr {
    let is_auth = matches!(error, alura::Error::Auth { .. });
    let err = errors::to_py(py, error);
    if is_auth && let Some(cause) = signer.as_ref().and_then(PySigner::take_error) {
        err.set_cause(py, Some(cause));
    }
    err
}

fn args_of(
    py: Python<'_>,
    args: Option<&Bound<'_, PyDict>>,
) -> PyResult<serde_json::Map<String, serde_json::Value>> {
    match args {
        None => Ok(serde_json::Map::new()),
        Some(d) => map_from_py(d, "arguments").map_err(|e| errors::validation(py, e.value(py).to_string())),
    }
}

impl NativeClient {
    /// Calls `operation`, waiting with the GIL released, and turns the reply into Python with
    /// `convert` (the parsed body, or status, headers and bytes). With `early`, a large body
    /// is parsed into objects while the core checks it, and those objects are the answer.
    fn call_then<'py>(
        &self,
        py: Python<'py>,
        operation: &str,
        args: Option<&Bound<'py, PyDict>>,
        options: Option<&Bound<'py, PyDict>>,
        early: Option<Early>,
        convert: fn(Python<'py>, &alura::Reply) -> PyResult<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        options::check_keywords(operation, options)?;
        let args = args_of(py, args)?;
        let (client, key) = self.for_post(py, operation, options)?;
        let observer = early.as_ref().map(Early::observer);
        let call = async move {
            match observer {
                Some(observer) => client.call_observing(operation, args, observer).await,
                None => client.call(operation, args).await,
            }
        };
        let outcome = select_interruptible(py, guarded(call));
        match outcome.and_then(|o| o.map_err(|e| raise(py, &self.signer, e))) {
            Ok(reply) => match early.and_then(|e| e.wait(py, reply.body())) {
                Some(objects) => Ok(objects),
                None => convert(py, &reply),
            },
            Err(e) => Err(e),
        }
        .map_err(|e| match key {
            Some(key) if e.is_instance_of::<pyo3::exceptions::PyKeyboardInterrupt>(py) => {
                interrupted_post(py, &e, operation, &key);
                e
            }
            _ => e,
        })
    }

    /// How its async calls start: a signer's coroutine runs in the caller's context, and a
    /// client whose connections an event loop cannot watch (a proxy carries them), or a call
    /// too large to check on the loop (`alura_ffi::event_loop::fits_the_loop`), runs on the shared
    /// worker rather than on the loop's own runtime.
    pub(crate) fn start(&self, fits_the_loop: bool) -> completion::Start {
        let on_loop = fits_the_loop && self.client.reports_sockets();
        completion::Start { caller_context: self.signer.is_some(), on_loop }
    }

    /// The client for one call of `operation`, and for a POST its idempotency key: chosen
    /// here, when not given, so that a call interrupted by Ctrl-C can name it.
    fn for_post(
        &self,
        py: Python<'_>,
        operation: &str,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<(alura::Client, Option<String>)> {
        if alura_api::find(operation).is_none_or(|op| op.method != "POST") {
            return Ok((self.for_call(py, options)?, None));
        }
        let mut call = match options.filter(|o| !o.is_empty()) {
            Some(options) => options::call_options(py, options)?,
            None => alura::CallOptions::default(),
        };
        if call.idempotency_key.is_none()
            && let Some(pending) = self.client.pending_idempotency_key()
        {
            // `with_options(idempotency_key=...)` gave this client its key: the call sends that.
            return Ok((self.for_call(py, options)?, Some(pending)));
        }
        let key = call.idempotency_key.get_or_insert_with(alura::new_idempotency_key).clone();
        let client = self.client.with_call_options(&call).map_err(|e| errors::to_py(py, e))?;
        Ok((client, Some(key)))
    }

    /// The client for one call: this one, or a copy with `options` (a `RequestOptions` dict)
    /// applied over its settings.
    fn for_call(&self, py: Python<'_>, options: Option<&Bound<'_, PyDict>>) -> PyResult<alura::Client> {
        let Some(options) = options.filter(|o| !o.is_empty()) else { return Ok(self.client.clone()) };
        let options = options::call_options(py, options)?;
        self.client.with_call_options(&options).map_err(|e| errors::to_py(py, e))
    }
}

#[pymethods]
impl NativeClient {
    /// `options` are `Client(...)`'s keyword arguments but the two that are not data.
    #[new]
    #[pyo3(signature = (signer=None, on_token=None, **options))]
    fn new(
        py: Python<'_>,
        signer: Option<&Bound<'_, PyAny>>,
        on_token: Option<Py<PyAny>>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let options = alura::ClientOptions::try_from(PyOptions(options))?;
        let mut b = options.into_builder().map_err(|e| errors::to_py(py, e))?;
        // Logins run on the process's runtime: an asyncio loop closed mid-login must not take
        // the login lock with it.
        b = b.login_tasks(std::sync::Arc::new(|task| {
            let Ok(runtime) = crate::runtime::handle() else { return false };
            // An async signer's coroutine still runs on the loop of the call that logs in: it may
            // hold what belongs to that loop (an aiohttp session, an async KMS client).
            match Python::attach(|py| pyo3_async_runtimes::tokio::get_current_locals(py).ok()) {
                Some(locals) => drop(runtime.spawn(pyo3_async_runtimes::tokio::scope(locals, task))),
                None => drop(runtime.spawn(task)),
            }
            true
        }));
        let signer = signer.map(PySigner::new).transpose()?;
        if let Some(signer) = &signer {
            b = b.signer(signer.clone());
        }
        if let Some(callback) = on_token {
            b = b.on_token(move |token| {
                crate::signer::off_the_worker(|| {
                    Python::attach(|py| {
                        let at = token.expires_at.and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
                        if let Err(e) = callback.call1(py, (token.value(), at.map(|d| d.as_secs_f64()))) {
                            tracing::warn!(target: "alura::token", "on_token raised: {}", e.value(py));
                        }
                    })
                })
            });
        }
        b.build().map(|client| Self { client, signer }).map_err(|e| errors::to_py(py, e))
    }

    /// The token held now, as `(value, expires_at)` (seconds since the epoch, or None).
    fn token(&self) -> Option<(String, Option<f64>)> {
        self.client.token().map(|t| {
            let at = t.expires_at.and_then(|at| at.duration_since(std::time::UNIX_EPOCH).ok());
            (t.value().to_owned(), at.map(|d| d.as_secs_f64()))
        })
    }

    /// The server's rate limit as (operation, limit, remaining, when the window ends in seconds
    /// since the epoch), once an answer has said.
    fn rate_limit(&self) -> Option<(String, u32, u32, f64)> {
        self.client.rate_limit().map(|r| {
            let at = r.resets_at.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
            (r.operation, r.limit, r.remaining, at.as_secs_f64())
        })
    }

    /// Calls `operation` with `args` (names as in the spec) and waits for the result.
    #[pyo3(signature = (operation, args=None, options=None))]
    fn call<'py>(
        &self,
        py: Python<'py>,
        operation: &str,
        args: Option<&Bound<'py, PyDict>>,
        options: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.call_then(py, operation, args, options, Some(Early::default()), reply_to_py)
    }

    /// Calls `operation` and returns `(status, headers, body bytes)` as the server sent them.
    #[pyo3(signature = (operation, args=None, options=None))]
    fn call_raw<'py>(
        &self,
        py: Python<'py>,
        operation: &str,
        args: Option<&Bound<'py, PyDict>>,
        options: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.call_then(py, operation, args, options, None, raw_of)
    }

    /// The same as a coroutine.
    #[pyo3(signature = (operation, args=None, options=None))]
    fn call_raw_async<'py>(
        &self,
        py: Python<'py>,
        operation: String,
        args: Option<&Bound<'py, PyDict>>,
        options: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        options::check_keywords(&operation, options)?;
        let args = args_of(py, args)?;
        let (client, signer) = (self.for_call(py, options)?, self.signer.clone());
        let fits = alura_ffi::event_loop::args_fit_the_loop(&args);
        let work = guarded(async move { client.call(&operation, args).await });
        completion::spawn(py, self.start(fits), work, move |py, outcome| {
            settled(py, &signer, outcome, |py, r| raw_of(py, &r))
        })
    }

    /// The same as a coroutine.
    #[pyo3(signature = (operation, args=None, options=None))]
    fn call_async<'py>(
        &self,
        py: Python<'py>,
        operation: String,
        args: Option<&Bound<'py, PyDict>>,
        options: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        options::check_keywords(&operation, options)?;
        let args = args_of(py, args)?;
        let (client, signer) = (self.for_call(py, options)?, self.signer.clone());
        let early = Early::default();
        let fits = alura_ffi::event_loop::args_fit_the_loop(&args);
        let work = guarded(async move {
            let reply = client.call_observing(&operation, args, early.observer()).await?;
            let objects = early.converted(reply.body()).await;
            Ok((reply, objects))
        });
        completion::spawn(py, self.start(fits), work, move |py, outcome| {
            settled(py, &signer, outcome, |py, (reply, objects)| match objects {
                Some(objects) => Ok(objects.into_bound(py)),
                None => reply_to_py(py, &reply),
            })
        })
    }

    /// Calls an endpoint the spec does not have, with the client's login, retries and errors;
    /// returns the body as JSON (None when empty).
    #[pyo3(signature = (method, path, params=None, json=None, authenticated=true, options=None))]
    #[allow(clippy::too_many_arguments)]
    fn request<'py>(
        &self,
        py: Python<'py>,
        method: String,
        path: String,
        params: Option<&Bound<'py, PyDict>>,
        json: Option<&Bound<'py, PyAny>>,
        authenticated: bool,
        options: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let request = raw_request(py, method, path, params, json, authenticated)?;
        let client = self.for_call(py, options)?;
        let answer = select_interruptible(py, guarded(async move { client.request(request).await?.json() }))?;
        match answer {
            Ok(value) => json::value_to_py(py, &value),
            Err(e) => Err(raise(py, &self.signer, e)),
        }
    }

    /// The same as a coroutine.
    #[pyo3(signature = (method, path, params=None, json=None, authenticated=true, options=None))]
    #[allow(clippy::too_many_arguments)]
    fn request_async<'py>(
        &self,
        py: Python<'py>,
        method: String,
        path: String,
        params: Option<&Bound<'py, PyDict>>,
        json: Option<&Bound<'py, PyAny>>,
        authenticated: bool,
        options: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let request = raw_request(py, method, path, params, json, authenticated)?;
        let (client, signer) = (self.for_call(py, options)?, self.signer.clone());
        let work = guarded(async move { client.request(request).await?.json() });
        completion::spawn(py, self.start(true), work, move |py, outcome| {
            settled(py, &signer, outcome, |py, v| json::value_to_py(py, &v))
        })
    }

    /// Logs in now (a no-op while the token is good).
    fn login(&self, py: Python<'_>) -> PyResult<()> {
        let client = self.client.clone();
        select_interruptible(py, guarded(async move { client.login().await }))?
            .map_err(|e| raise(py, &self.signer, e))
    }

    fn login_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let (client, signer) = (self.client.clone(), self.signer.clone());
        let work = guarded(async move { client.login().await });
        completion::spawn(py, self.start(true), work, move |py, outcome| {
            settled(py, &signer, outcome, |py, ()| Ok(py.None().into_bound(py)))
        })
    }

    /// What became of a POST whose outcome is unknown (`alura::Client::settle_call`), found out
    /// with read-only calls: `{"status": "landed" | "not_landed" | "still_unknown", ...}`.
    fn settle<'py>(
        &self,
        py: Python<'py>,
        operation: String,
        args: Option<&Bound<'py, PyDict>>,
        sent_at: f64,
    ) -> PyResult<Bound<'py, PyAny>> {
        let work = settlement(py, &self.client, operation, args, sent_at)?;
        select_interruptible(py, work)?
            .map_err(|e| errors::to_py(py, e))
            .and_then(|v| json::value_to_py(py, &v))
    }

    fn settle_async<'py>(
        &self,
        py: Python<'py>,
        operation: String,
        args: Option<&Bound<'py, PyDict>>,
        sent_at: f64,
    ) -> PyResult<Bound<'py, PyAny>> {
        let work = settlement(py, &self.client, operation, args, sent_at)?;
        completion::spawn(py, self.start(true), work, |py, outcome| {
            settled(py, &None, outcome, |py, v| json::value_to_py(py, &v))
        })
    }

    /// Every log entry of a trade, all pages.
    fn trade_logs<'py>(&self, py: Python<'py>, trade_id: String) -> PyResult<Bound<'py, PyAny>> {
        let client = self.client.clone();
        let entries = select_interruptible(py, guarded(collect_logs(client, trade_id)))?;
        entries.map_err(|e| errors::to_py(py, e)).and_then(|v| json::value_to_py(py, &v))
    }

    fn trade_logs_async<'py>(&self, py: Python<'py>, trade_id: String) -> PyResult<Bound<'py, PyAny>> {
        let client = self.client.clone();
        let work = guarded(collect_logs(client, trade_id));
        completion::spawn(py, self.start(true), work, |py, outcome| {
            settled(py, &None, outcome, |py, v| json::value_to_py(py, &v))
        })
    }

    /// Candle history with exact prices, as columns: `{"open_time": <int64 bytes>, "open":
    /// [Decimal | None, ...], ...}`, for `candles_df(exact=True)`.
    #[pyo3(signature = (symbol, interval=None, limit=None, start_time=None, end_time=None))]
    fn exact_candle_columns<'py>(
        &self,
        py: Python<'py>,
        symbol: &Bound<'py, PyAny>,
        interval: Option<String>,
        limit: Option<u64>,
        start_time: Option<i64>,
        end_time: Option<i64>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let symbol = symbol_of(py, symbol)?;
        let query = alura::HistoryQuery { symbol, interval, limit, start_time, end_time };
        let client = self.client.clone();
        let columns =
            select_interruptible(py, guarded(async move { client.exact_candle_columns(query).await }))?
                .map_err(|e| errors::to_py(py, e))?;
        exact_columns_to_py(py, &columns)
    }

    #[pyo3(signature = (symbol, interval=None, limit=None, start_time=None, end_time=None))]
    fn exact_candle_columns_async<'py>(
        &self,
        py: Python<'py>,
        symbol: &Bound<'py, PyAny>,
        interval: Option<String>,
        limit: Option<u64>,
        start_time: Option<i64>,
        end_time: Option<i64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let symbol = symbol_of(py, symbol)?;
        let query = alura::HistoryQuery { symbol, interval, limit, start_time, end_time };
        let client = self.client.clone();
        let work = guarded(async move { client.exact_candle_columns(query).await });
        completion::spawn(py, self.start(alura_ffi::event_loop::fits_the_loop(limit)), work, |py, outcome| {
            settled(py, &None, outcome, |py, c| exact_columns_to_py(py, &c).map(Bound::into_any))
        })
    }

    /// A client with other settings (`RequestOptions` keys), sharing connections and the
    /// token; what it does not name is kept.
    #[pyo3(signature = (options))]
    fn with_options(&self, py: Python<'_>, options: &Bound<'_, PyDict>) -> PyResult<Self> {
        Ok(Self { client: self.for_call(py, Some(options))?, signer: self.signer.clone() })
    }

    /// Refuses every later call of this client and of those made from it (`with_options`);
    /// calls under way finish.
    fn close(&self) {
        self.client.close();
    }

    #[getter]
    fn closed(&self) -> bool {
        self.client.is_closed()
    }

    #[getter]
    fn base_url(&self) -> &str {
        self.client.base_url()
    }

    /// The wallet address (EIP-55), or None without a key.
    #[getter]
    fn address(&self) -> Option<String> {
        self.client.address().map(|a| a.to_checksum(None))
    }
}

/// The lookup behind `settle()`, resolving to JSON for the Python layer's `Settlement`.
fn settlement(
    py: Python<'_>,
    client: &alura::Client,
    operation: String,
    args: Option<&Bound<'_, PyDict>>,
    sent_at: f64,
) -> PyResult<impl Future<Output = alura::Result<serde_json::Value>> + Send + 'static> {
    let (args, client) = (args_of(py, args)?, client.clone());
    let since = std::time::UNIX_EPOCH + Duration::try_from_secs_f64(sent_at).unwrap_or_default();
    Ok(guarded(async move {
        let settled = client.settle_call(&operation, &args, since).await?;
        serde_json::to_value(settled).map_err(|e| alura::Error::decode(e.to_string()))
    }))
}

async fn collect_logs(client: alura::Client, trade_id: String) -> alura::Result<serde_json::Value> {
    use futures_util::TryStreamExt;
    let entries: Vec<_> = client.trade_logs(&trade_id).try_collect().await?;
    serde_json::to_value(entries).map_err(|e| alura::Error::decode(e.to_string()))
}

/// A reply as Python objects: the server's JSON as it came, or the typed value.
fn reply_to_py<'py>(py: Python<'py>, reply: &alura::Reply) -> PyResult<Bound<'py, PyAny>> {
    match reply.body() {
        Some(json) => json::to_py(py, json)
            .map_err(|e| errors::to_py(py, alura::Error::decode(format!("the body is not JSON: {}", e.0)))),
        None => typed::to_py(py, reply),
    }
}

/// An async call's outcome as its Python result (on the loop's thread): `convert`ed, or raised.
pub(crate) fn settled<'py, T>(
    py: Python<'py>,
    signer: &Option<PySigner>,
    outcome: alura::Result<T>,
    convert: impl FnOnce(Python<'py>, T) -> PyResult<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    match outcome {
        Ok(value) => convert(py, value),
        Err(e) => Err(raise(py, signer, e)),
    }
}

/// A reply as `(status, headers, body)`: the status and headers of the answer, its bytes.
fn raw_of<'py>(py: Python<'py>, reply: &alura::Reply) -> PyResult<Bound<'py, PyAny>> {
    let headers = PyDict::new(py);
    for (name, value) in reply.headers().into_iter().flat_map(|h| h.iter()) {
        headers.set_item(name.as_str(), String::from_utf8_lossy(value.as_bytes()))?;
    }
    let body = PyBytes::new(py, reply.body().map_or(&[][..], |b| &b[..]));
    (reply.status(), headers, body).into_pyobject(py).map(Bound::into_any)
}

/// What `request` sends, from its Python arguments.
fn raw_request(
    py: Python<'_>,
    method: String,
    path: String,
    params: Option<&Bound<'_, PyDict>>,
    json: Option<&Bound<'_, PyAny>>,
    authenticated: bool,
) -> PyResult<alura::RawRequest> {
    let invalid = |e: PyErr| errors::validation(py, e.value(py).to_string());
    let query = match params {
        None => Vec::new(),
        Some(d) => map_from_py(d, "params")
            .map_err(invalid)?
            .into_iter()
            .map(|(k, v)| (k, v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
            .collect(),
    };
    let body = json.filter(|j| !j.is_none()).map(|j| from_py(j, "json")).transpose().map_err(invalid)?;
    Ok(alura::RawRequest { method, path, query, body, authenticated })
}

/// Runs an SDK future, turning a panic into `alura.InternalError`: a bug of ours must never
/// surface as `PanicException`, which `except Exception` does not catch.
pub(crate) async fn guarded<T>(future: impl Future<Output = alura::Result<T>>) -> alura::Result<T> {
    use futures_util::FutureExt;
    std::panic::AssertUnwindSafe(future)
        .catch_unwind()
        .await
        .unwrap_or_else(|p| Err(alura::Error::from_panic(&*p)))
}

/// Runs `future` on the calling thread's own Tokio runtime without the GIL, checking for Ctrl-C
/// every 50 ms so a waiting call can be interrupted (dropping the future cancels it).
pub fn select_interruptible<F>(py: Python<'_>, future: F) -> PyResult<F::Output>
where
    F: Future + Send,
    F::Output: Send,
{
    py.detach(|| {
        crate::runtime::block_on(async {
            tokio::pin!(future);
            loop {
                tokio::select! {
                    out = &mut future => return Ok(out),
                    _ = tokio::time::sleep(Duration::from_millis(50)) => {
                        Python::attach(|py| py.check_signals())?;
                    }
                }
            }
        })
        .and_then(|out| out)
    })
}

/// A Ctrl-C during a POST: the `KeyboardInterrupt` goes on, but says (as a note, and as a
/// warning on `alura.call`) that the order may have been sent, and with which key to resend it.
fn interrupted_post(py: Python<'_>, error: &PyErr, operation: &str, key: &str) {
    let note = format!(
        "{operation} was interrupted after it may have been sent: its outcome is unknown. Check before \
         sending it again, or resend it with idempotency_key={key:?}, which a server that honours it \
         will not act on twice"
    );
    let value = error.value(py);
    // BaseException.add_note is 3.11+; before it, tracebacks read __notes__ all the same.
    let added = value.call_method1("add_note", (note.as_str(),)).is_ok();
    if !added {
        let notes = value.getattr("__notes__").ok().filter(|n| !n.is_none());
        let _ = match notes {
            Some(notes) => notes.call_method1("append", (note.as_str(),)).map(drop),
            None => value.setattr("__notes__", vec![note.clone()]),
        };
    }
    log::warn!(target: "alura::call", "{note}");
}

/// A symbol argument as the core takes it: a `str`, or an `Asset` or its index (the core's
/// `alura::asset_symbol`, as every call converts); anything else is a `ValidationError`.
pub(crate) fn symbol_of(py: Python<'_>, symbol: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(text) = symbol.extract::<String>() {
        return Ok(text);
    }
    match symbol.extract::<i64>() {
        Ok(index) if !symbol.is_instance_of::<pyo3::types::PyBool>() => {
            alura::asset_symbol(index).map(str::to_owned).map_err(|e| errors::to_py(py, e))
        }
        _ => Err(errors::validation(
            py,
            format!("symbol: an asset is an Asset, an index or a symbol, not {}", symbol.get_type().name()?),
        )),
    }
}
