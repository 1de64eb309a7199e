//! The core's answers as JS values: typed responses straight from their Rust types, raw replies,
//! candle columns (`columns.rs`), and money as exact strings (`money.rs`).

pub mod arrow;
pub mod columns;
pub mod money;

use napi::bindgen_prelude::*;
use napi_derive::napi;

/// A typed response, made into JS values straight from its Rust types on the main thread,
/// with no JSON value in between.
pub struct Typed<T>(pub(crate) T);

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

/// An answer as the server sent it.
#[napi(object)]
pub struct NativeRaw {
    pub status: Option<u32>,
    pub headers: std::collections::HashMap<String, String>,
    pub body: Buffer,
}

/// A reply as the server sent it: status, headers, body.
pub(crate) fn raw_of(reply: &alura::Reply) -> NativeRaw {
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
