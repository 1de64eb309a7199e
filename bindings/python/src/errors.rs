//! `alura::Error` as the exception classes of `alura._exceptions` (`Error::kind` names the class).

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The Python exception for `error`: the class by kind (and status), the fields as attributes.
pub fn to_py(py: Python<'_>, error: alura::Error) -> PyErr {
    build(py, &error)
        .unwrap_or_else(|e| PyRuntimeError::new_err(format!("{error} (and raising it failed: {e})")))
}

fn build(py: Python<'_>, error: &alura::Error) -> PyResult<PyErr> {
    use alura::Error as E;
    let kwargs = PyDict::new(py);
    match error {
        E::Api { status, messages, body, .. } => {
            kwargs.set_item("status", status)?;
            kwargs.set_item("messages", messages)?;
            kwargs.set_item("body", body.as_ref().map(|b| crate::convert::to_py(py, b)).transpose()?)?;
        }
        E::RateLimited { retry_after, messages, .. } => {
            kwargs.set_item("status", 429)?;
            kwargs.set_item("messages", messages)?;
            kwargs.set_item("retry_after", retry_after.map(|d| d.as_secs_f64()))?;
        }
        E::Auth { status, .. } => kwargs.set_item("status", status)?,
        E::Timeout { elapsed, .. } => kwargs.set_item("elapsed", elapsed.as_secs_f64())?,
        E::OutcomeUnknown { operation, reason, status, .. } => {
            kwargs.set_item("operation", operation)?;
            kwargs.set_item("reason", reason)?;
            kwargs.set_item("status", status)?;
        }
        E::Decode { path, body, .. } => {
            kwargs.set_item("path", path)?;
            kwargs.set_item("body", body.as_ref().map(|b| b.text().into_owned()))?;
        }
        _ => {}
    }
    if let Some(call) = error.call_info() {
        kwargs.set_item("request_id", &call.request_id)?;
        kwargs.set_item("server_request_id", &call.server_request_id)?;
        kwargs.set_item("idempotency_key", &call.idempotency_key)?;
        let headers = PyDict::new(py);
        for (name, value) in call.headers.iter().flat_map(|h| h.iter()) {
            headers.set_item(name.as_str(), String::from_utf8_lossy(value.as_bytes()))?;
        }
        kwargs.set_item("headers", headers)?;
    }
    let module = PyModule::import(py, "alura._exceptions")?;
    let instance = module.getattr(error.kind())?.call((error.to_string(),), Some(&kwargs))?;
    Ok(PyErr::from_value(instance))
}

/// A Python-side problem with arguments (wrong type) as `alura.ValidationError`.
pub fn validation(py: Python<'_>, message: String) -> PyErr {
    to_py(py, alura::Error::InvalidInput { message })
}
