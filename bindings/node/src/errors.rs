//! `alura::Error` as a JS error, which lib/errors.js turns into its classes, and the errors the
//! addon raises itself.

use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;
use napi::bindgen_prelude::*;
use serde_json::{Map, Value, json};

/// An `alura::Error` as a JS error: the message is JSON with the kind and fields, which the
/// JS layer (`lib/errors.js`) turns into its error classes.
pub(crate) fn to_js(error: alura::Error) -> Error {
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
            F::Flag(flag) => json!(flag),
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
pub(crate) fn aborted(post: Option<&str>) -> Error {
    if let Some(operation) = post {
        return to_js(alura::Error::OutcomeUnknown {
            operation: operation.into(),
            reason: "the caller aborted it; it may have reached the server".into(),
            status: None,
            timed_out: false,
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
pub(crate) async fn guarded<T>(future: impl std::future::Future<Output = alura::Result<T>>) -> Result<T> {
    match AssertUnwindSafe(future).catch_unwind().await {
        Ok(result) => result.map_err(to_js),
        Err(panic) => Err(to_js(alura::Error::from_panic(&*panic))),
    }
}
