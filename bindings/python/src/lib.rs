//! `alura._native`: the Rust SDK for Python. It converts arguments, results and errors;
//! everything the SDK does (login, retry, validation) happens in the `alura` crate. Its files
//! mirror the Node binding's: `client`, `options`, `errors`, `from_python`/`to_python` (Node's
//! `from_js`/`to_js`), `completion`, `loop_runtime`, `logging`, `signer`, `mock`, `watch`, `arrow`, `cli`, `early`.

mod arrow;
mod cli;
mod client;
mod completion;
mod early;
mod errors;
mod from_python;
mod logging;
mod loop_runtime;
mod mock;
mod options;
mod runtime;
mod signer;
mod to_python;
mod watch;

use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The operations of the spec as dicts: id, method, path, tag, authenticated, summary.
#[pyfunction]
fn operations(py: Python<'_>) -> PyResult<Vec<Bound<'_, PyDict>>> {
    alura_api::operations::OPERATIONS
        .iter()
        .map(|op| {
            let d = PyDict::new(py);
            d.set_item("id", op.id)?;
            d.set_item("method", op.method)?;
            d.set_item("path", op.path)?;
            d.set_item("tag", op.tag)?;
            d.set_item("authenticated", op.authenticated)?;
            d.set_item("summary", op.summary)?;
            Ok(d)
        })
        .collect()
}

/// The assets the Rust SDK knows, as (symbol, index) pairs.
#[pyfunction]
fn assets() -> Vec<(&'static str, u32)> {
    alura::Asset::ALL.iter().map(|a| (a.symbol(), a.index())).collect()
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    logging::install(m.py())?;
    m.add_function(wrap_pyfunction!(logging::refresh_logging, m)?)?;
    m.add_class::<client::NativeClient>()?;
    m.add_class::<mock::NativeMockServer>()?;
    m.add_class::<watch::NativeWatch>()?;
    m.add_class::<to_python::arrow::NativeArrow>()?;
    m.add_function(wrap_pyfunction!(arrow::candles_arrow, m)?)?;
    m.add_function(wrap_pyfunction!(arrow::candles_arrow_async, m)?)?;
    m.add_function(wrap_pyfunction!(arrow::records_arrow, m)?)?;
    m.add_function(wrap_pyfunction!(arrow::records_arrow_async, m)?)?;
    m.add_function(wrap_pyfunction!(watch::watch_polls_in_flight, m)?)?;
    m.add_function(wrap_pyfunction!(cli::run_cli, m)?)?;
    m.add_function(wrap_pyfunction!(operations, m)?)?;
    m.add_function(wrap_pyfunction!(assets, m)?)?;
    m.add("DEFAULT_BASE_URL", alura::DEFAULT_BASE_URL)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("SETTLES", alura::SETTLES.to_vec())?;
    Ok(())
}
