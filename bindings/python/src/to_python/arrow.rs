//! Record batches for Python through the Arrow PyCapsule interface (`__arrow_c_stream__`): any
//! consumer (pyarrow, polars, duckdb) reads the core's buffers where they are, with no copy and
//! no Python object per value. (pyo3-arrow does this too, but brings arrow-cast, arrow-select
//! and chrono-tz into every build for these few lines.)

use arrow_array::ffi_stream::FFI_ArrowArrayStream;
use arrow_array::{RecordBatch, RecordBatchIterator};
use arrow_schema::ffi::FFI_ArrowSchema;
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict};

use crate::client::{NativeClient, guarded, select_interruptible, settled, symbol_of};
use crate::completion;
use crate::errors;
use crate::from_python::map_from_py;

/// One record batch, handed over as often as asked (each consumer gets its own stream of the
/// same buffers).
#[pyclass(frozen, module = "alura._native")]
pub struct NativeArrow(RecordBatch);

#[pymethods]
impl NativeArrow {
    fn __arrow_c_schema__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyCapsule>> {
        let schema = FFI_ArrowSchema::try_from(self.0.schema().as_ref())
            .map_err(|e| errors::to_py(py, alura::Error::decode(e.to_string())))?;
        PyCapsule::new_with_value(py, schema, c"arrow_schema")
    }

    /// The batch as an Arrow C stream. `requested_schema` is not applied: the columns come as
    /// they are, and a consumer casts what it wants otherwise.
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        let reader = RecordBatchIterator::new([Ok(self.0.clone())], self.0.schema());
        PyCapsule::new_with_value(py, FFI_ArrowArrayStream::new(Box::new(reader)), c"arrow_array_stream")
    }

    #[getter]
    fn num_rows(&self) -> usize {
        self.0.num_rows()
    }

    #[getter]
    fn column_names(&self) -> Vec<String> {
        self.0.schema().fields().iter().map(|f| f.name().clone()).collect()
    }

    /// Each column's Arrow type, as Arrow writes it (`Decimal128(38, 6)`, `Float64`, ...).
    #[getter]
    fn column_types(&self) -> Vec<String> {
        self.0.schema().fields().iter().map(|f| f.data_type().to_string()).collect()
    }
}

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
