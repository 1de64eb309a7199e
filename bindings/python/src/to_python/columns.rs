//! Candles with exact prices as columns for pandas: open times as one bytes object of
//! native-endian int64 (for `numpy.frombuffer`), each price column a list of `Decimal`. (Float
//! columns come from the Arrow batch: `NativeArrow.value_bytes`.)

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};

use crate::to_python::json;

pub fn exact_columns_to_py<'py>(
    py: Python<'py>,
    c: &alura::ExactCandleColumns,
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    let times = PyBytes::new_with(py, c.open_time.len().saturating_mul(8), |buf| {
        for (slot, t) in buf.chunks_exact_mut(8).zip(&c.open_time) {
            slot.copy_from_slice(&t.to_ne_bytes());
        }
        Ok(())
    })?;
    dict.set_item("open_time", times)?;
    for (name, values) in
        [("open", &c.open), ("high", &c.high), ("low", &c.low), ("close", &c.close), ("volume", &c.volume)]
    {
        let list = PyList::empty(py);
        for v in values {
            match v {
                Some(d) => list.append(json::decimal(py, &d.to_string())?)?,
                None => list.append(py.None())?,
            }
        }
        dict.set_item(name, list)?;
    }
    Ok(dict)
}
