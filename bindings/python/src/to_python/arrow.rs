//! Record batches for Python through the Arrow PyCapsule interface (`__arrow_c_stream__`): any
//! consumer (pyarrow, polars, duckdb) reads the core's buffers where they are, with no copy and
//! no Python object per value. (pyo3-arrow does this too, but brings arrow-cast, arrow-select
//! and chrono-tz into every build for these few lines.) The calls that make them are `arrow.rs`.

use arrow_array::cast::AsArray;
use arrow_array::ffi_stream::FFI_ArrowArrayStream;
use arrow_array::types::{Float64Type, Int64Type, TimestampMillisecondType};
use arrow_array::{RecordBatch, RecordBatchIterator};
use arrow_schema::ffi::FFI_ArrowSchema;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyCapsule, PyDict};

/// One record batch, handed over as often as asked (each consumer gets its own stream of the
/// same buffers).
#[pyclass(frozen, module = "alura._native")]
pub struct NativeArrow(pub RecordBatch);

#[pymethods]
impl NativeArrow {
    fn __arrow_c_schema__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyCapsule>> {
        let schema = FFI_ArrowSchema::try_from(self.0.schema().as_ref()).map_err(|e| {
            pyo3::exceptions::PyValueError::new_err(format!("exporting the Arrow schema: {e}"))
        })?;
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

    /// Each float and 64-bit integer column (timestamps included) as bytes of native-endian
    /// numbers, for `numpy.frombuffer`: how `candles_df` builds its DataFrame from these same
    /// columns without pyarrow. A null is written as pandas' own missing value: NaN for a float,
    /// `i64::MIN` for an integer or a time (NaT). Other columns are left out.
    fn value_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        fn packed<'py, T: Copy, const N: usize>(
            py: Python<'py>,
            values: impl ExactSizeIterator<Item = Option<T>>,
            missing: T,
            bytes: fn(T) -> [u8; N],
        ) -> PyResult<Bound<'py, PyBytes>> {
            PyBytes::new_with(py, values.len().saturating_mul(N), |buf| {
                for (slot, v) in buf.chunks_exact_mut(N).zip(values) {
                    slot.copy_from_slice(&bytes(v.unwrap_or(missing)));
                }
                Ok(())
            })
        }
        let dict = PyDict::new(py);
        for (field, column) in self.0.schema().fields().iter().zip(self.0.columns()) {
            let bytes = if let Some(floats) = column.as_primitive_opt::<Float64Type>() {
                packed(py, floats.iter(), f64::NAN, f64::to_ne_bytes)?
            } else if let Some(ints) = column.as_primitive_opt::<Int64Type>() {
                packed(py, ints.iter(), i64::MIN, i64::to_ne_bytes)?
            } else if let Some(times) = column.as_primitive_opt::<TimestampMillisecondType>() {
                packed(py, times.iter(), i64::MIN, i64::to_ne_bytes)?
            } else {
                continue;
            };
            dict.set_item(field.name(), bytes)?;
        }
        Ok(dict)
    }

    /// Each column's Arrow type, as Arrow writes it (`Decimal128(38, 6)`, `Float64`, ...).
    #[getter]
    fn column_types(&self) -> Vec<String> {
        self.0.schema().fields().iter().map(|f| f.data_type().to_string()).collect()
    }
}
