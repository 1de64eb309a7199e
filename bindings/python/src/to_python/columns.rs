//! Candles as columns for pandas: each float column one bytes object of native-endian values
//! (for `numpy.frombuffer`: no Python object per candle), or, exact, lists of `Decimal`.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};

use crate::to_python::json;

/// Candle columns of either kind.
pub enum Columns {
    Floats(alura::CandleColumns),
    Exact(alura::ExactCandleColumns),
}

pub async fn fetch_columns(
    client: alura::Client,
    query: alura::HistoryQuery,
    exact: bool,
) -> alura::Result<Columns> {
    Ok(if exact {
        Columns::Exact(client.exact_candle_columns(query).await?)
    } else {
        Columns::Floats(client.candle_columns(query).await?)
    })
}

pub fn columns_to_py<'py>(py: Python<'py>, columns: &Columns) -> PyResult<Bound<'py, PyDict>> {
    let c = match columns {
        Columns::Floats(c) => return float_columns_to_py(py, c),
        Columns::Exact(c) => c,
    };
    let dict = PyDict::new(py);
    let times = PyBytes::new_with(py, c.open_time.len().saturating_mul(8), |buf| {
        for (slot, t) in buf.chunks_exact_mut(8).zip(&c.open_time) {
            slot.copy_from_slice(&t.to_ne_bytes());
        }
        Ok(())
    })?;
    dict.set_item("openTime", times)?;
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

fn float_columns_to_py<'py>(py: Python<'py>, c: &alura::CandleColumns) -> PyResult<Bound<'py, PyDict>> {
    // Written straight into each bytes object: one pass, no buffer in between.
    fn column<'py, const N: usize, T: Copy>(
        py: Python<'py>,
        values: &[T],
        to_bytes: fn(T) -> [u8; N],
    ) -> PyResult<Bound<'py, PyBytes>> {
        PyBytes::new_with(py, values.len().saturating_mul(N), |buf| {
            for (slot, v) in buf.chunks_exact_mut(N).zip(values) {
                slot.copy_from_slice(&to_bytes(*v));
            }
            Ok(())
        })
    }
    let dict = PyDict::new(py);
    dict.set_item("openTime", column(py, &c.open_time, i64::to_ne_bytes)?)?;
    for (name, values) in
        [("open", &c.open), ("high", &c.high), ("low", &c.low), ("close", &c.close), ("volume", &c.volume)]
    {
        dict.set_item(name, column(py, values, f64::to_ne_bytes)?)?;
    }
    Ok(dict)
}
