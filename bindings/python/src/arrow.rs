//! Columns in Arrow: the calls behind `candles_arrow` and `records_arrow`, as module functions
//! taking the client (its methods are in `client.rs`). The handover itself is
//! `to_python/arrow.rs`.

use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::client::{NativeClient, guarded, select_interruptible, settled, symbol_of};
use crate::completion;
use crate::errors;
use crate::from_python::map_from_py;
use crate::to_python::arrow::NativeArrow;

/// Candle history as a record batch.
#[pyfunction]
#[pyo3(signature = (client, symbol, interval=None, limit=None, start_time=None, end_time=None))]
pub fn candles_arrow(
    py: Python<'_>,
    client: PyRef<'_, NativeClient>,
    symbol: &Bound<'_, PyAny>,
    interval: Option<String>,
    limit: Option<u64>,
    start_time: Option<i64>,
    end_time: Option<i64>,
) -> PyResult<NativeArrow> {
    let query = alura::HistoryQuery { symbol: symbol_of(py, symbol)?, interval, limit, start_time, end_time };
    let inner = client.client.clone();
    let batch = select_interruptible(py, guarded(async move { inner.candles_arrow(query).await }))?;
    batch.map(NativeArrow).map_err(|e| errors::to_py(py, e))
}

/// [`candles_arrow`], as a coroutine.
#[pyfunction]
#[pyo3(signature = (client, symbol, interval=None, limit=None, start_time=None, end_time=None))]
pub fn candles_arrow_async<'py>(
    py: Python<'py>,
    client: PyRef<'py, NativeClient>,
    symbol: &Bound<'py, PyAny>,
    interval: Option<String>,
    limit: Option<u64>,
    start_time: Option<i64>,
    end_time: Option<i64>,
) -> PyResult<Bound<'py, PyAny>> {
    let query = alura::HistoryQuery { symbol: symbol_of(py, symbol)?, interval, limit, start_time, end_time };
    let inner = client.client.clone();
    let work = guarded(async move { inner.candles_arrow(query).await });
    let start = client.start(alura_ffi::event_loop::fits_the_loop(limit));
    completion::spawn(py, start, work, |py, outcome| {
        settled(py, &None, outcome, |py, batch| Bound::new(py, NativeArrow(batch)).map(Bound::into_any))
    })
}

/// What `operation` answers (a list of objects) as a record batch; `args` by the spec's names.
#[pyfunction]
pub fn records_arrow(
    py: Python<'_>,
    client: PyRef<'_, NativeClient>,
    operation: String,
    args: &Bound<'_, PyDict>,
) -> PyResult<NativeArrow> {
    let args = map_from_py(args, "args").map_err(|e| errors::validation(py, e.value(py).to_string()))?;
    let inner = client.client.clone();
    let batch =
        select_interruptible(py, guarded(async move { inner.records_arrow(&operation, args).await }))?;
    batch.map(NativeArrow).map_err(|e| errors::to_py(py, e))
}

/// [`records_arrow`], as a coroutine.
#[pyfunction]
pub fn records_arrow_async<'py>(
    py: Python<'py>,
    client: PyRef<'py, NativeClient>,
    operation: String,
    args: &Bound<'py, PyDict>,
) -> PyResult<Bound<'py, PyAny>> {
    let args = map_from_py(args, "args").map_err(|e| errors::validation(py, e.value(py).to_string()))?;
    let inner = client.client.clone();
    let work = guarded(async move { inner.records_arrow(&operation, args).await });
    completion::spawn(py, client.start(true), work, |py, outcome| {
        settled(py, &None, outcome, |py, batch| Bound::new(py, NativeArrow(batch)).map(Bound::into_any))
    })
}
