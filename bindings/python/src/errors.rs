//! `alura::Error` as the exception classes of `alura._exceptions`: `Error::kind` names the class,
//! `Error::fields` gives its attributes.

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The Python exception for `error`: the class by kind (and status), the fields as attributes.
pub fn to_py(py: Python<'_>, error: alura::Error) -> PyErr {
    build(py, &error)
        .unwrap_or_else(|e| PyRuntimeError::new_err(format!("{error} (and raising it failed: {e})")))
}

fn build(py: Python<'_>, error: &alura::Error) -> PyResult<PyErr> {
    use alura::FieldValue as F;
    let kwargs = PyDict::new(py);
    for (name, value) in error.fields() {
        match value {
            F::Status(status) => kwargs.set_item(name, status)?,
            F::Text(text) => kwargs.set_item(name, text)?,
            F::Texts(texts) => kwargs.set_item(name, texts)?,
            F::Seconds(seconds) => kwargs.set_item(name, seconds)?,
            F::Flag(flag) => kwargs.set_item(name, flag)?,
            F::Json(json) => kwargs
                .set_item(name, json.map(|v| crate::to_python::json::value_to_py(py, v)).transpose()?)?,
            F::Headers(headers) => {
                let dict = PyDict::new(py);
                for (header, value) in headers {
                    dict.set_item(header, value)?;
                }
                kwargs.set_item(name, dict)?;
            }
        }
    }
    let module = PyModule::import(py, "alura._exceptions")?;
    let instance = module.getattr(error.kind())?.call((error.to_string(),), Some(&kwargs))?;
    Ok(PyErr::from_value(instance))
}

/// A Python-side problem with arguments (wrong type) as `alura.ValidationError`.
pub fn validation(py: Python<'_>, message: String) -> PyErr {
    to_py(py, alura::Error::InvalidInput { message })
}
