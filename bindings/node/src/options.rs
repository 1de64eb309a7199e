//! The options of `new Client(...)` and of one call, as the core's: each client option the core
//! lists (`alura::options::CLIENT_OPTIONS`) by its Node name, times from milliseconds.

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::errors::to_js;

/// Milliseconds as the core's seconds.
pub(crate) fn seconds(ms: Option<f64>) -> Option<f64> {
    ms.map(|ms| ms / 1000.0)
}

/// `new Client(...)`'s options object, already checked for JS types by lib/index.js, as the
/// core's options: each one the core lists, by its Node name (times in milliseconds); the
/// functions (the signer, `onToken`, `logger`) come as the constructor's other arguments.
pub(crate) fn client_options(given: Option<&Object<'_>>) -> Result<alura::ClientOptions> {
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
