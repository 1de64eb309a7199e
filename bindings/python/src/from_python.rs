//! Python values as JSON, for a call's arguments (the other way is `to_python`).

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Number, Value};

/// A Python value as JSON; `what` names it in the error (e.g. the argument).
pub fn from_py(value: &Bound<'_, PyAny>, what: &str) -> PyResult<Value> {
    if value.is_none() {
        return Ok(Value::Null);
    }
    // bool before int: True is an int in Python.
    if let Ok(b) = value.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if value.is_instance_of::<PyInt>() {
        if let Ok(i) = value.extract::<i64>() {
            return Ok(Value::from(i));
        }
        if let Ok(u) = value.extract::<u64>() {
            return Ok(Value::from(u));
        }
        return Err(PyTypeError::new_err(format!("{what}: integer out of range")));
    }
    if let Ok(f) = value.cast::<PyFloat>() {
        let f = f.value();
        return Number::from_f64(f)
            .map(Value::Number)
            .ok_or_else(|| PyTypeError::new_err(format!("{what}: {f} is not a finite number")));
    }
    if let Ok(s) = value.cast::<PyString>() {
        return Ok(Value::String(s.to_cow()?.into_owned()));
    }
    // A decimal.Decimal goes over as its text, which the core's decimal reads digit for digit
    // (and refuses "NaN" or "Infinity" with the field's name): never through a float.
    if value.is_instance(decimal_type(value.py())?)? {
        return Ok(Value::String(value.str()?.to_cow()?.into_owned()));
    }
    if let Ok(d) = value.cast::<PyDict>() {
        return Ok(Value::Object(map_from_py(d, what)?));
    }
    if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        let items: PyResult<Vec<Value>> = value.try_iter()?.map(|item| from_py(&item?, what)).collect();
        return Ok(Value::Array(items?));
    }
    let type_name = value.get_type().name()?.to_string();
    Err(PyTypeError::new_err(format!(
        "{what}: a {type_name} cannot be sent; use str, int, float, Decimal, bool, None, list or dict"
    )))
}

/// `decimal.Decimal`, looked up once.
pub fn decimal_type(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    static DECIMAL: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    DECIMAL
        .get_or_try_init(py, || Ok::<_, PyErr>(py.import("decimal")?.getattr("Decimal")?.unbind()))
        .map(|t| t.bind(py))
}

pub fn map_from_py(dict: &Bound<'_, PyDict>, what: &str) -> PyResult<Map<String, Value>> {
    let mut map = Map::new();
    for (k, v) in dict.iter() {
        let key: String =
            k.extract().map_err(|_| PyTypeError::new_err(format!("{what}: keys must be strings")))?;
        let value = from_py(&v, &key)?;
        map.insert(key, value);
    }
    Ok(map)
}
