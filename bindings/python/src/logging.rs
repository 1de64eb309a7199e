//! Rust's `log` records (and `tracing` events, through its `log` feature) to Python's `logging`,
//! by pyo3-log, under the `alura` logger (`alura.drift`, `alura.http`, `alura.retry`,
//! `alura.login`). The transport's own libraries (`hyper_util`, `rustls`, ...) log too, far
//! more: theirs reach Python only when their logger has a level of its own.
//!
//! Whether Python would show a record is answered once per target and level, and kept until
//! `refresh_logging`, as pyo3-log keeps each logger's level. pyo3-log itself answers it for every
//! record, shown or not, by splitting the target on `::` and hashing each part: about 20k
//! instructions a call for the 4-5 debug records a call makes (bench/notes/journal.md, session 8).

use std::collections::HashMap;
use std::sync::{OnceLock, PoisonError, RwLock};

use log::{Level, Log, Metadata, Record};
use pyo3::prelude::*;

/// Targets are `&'static str`s (`module_path!`, `tracing`'s metadata), so their address and
/// length name them. Bounded all the same, for a crate that makes its targets at run time.
type Answers = HashMap<(usize, usize, Level), bool>;
const MAX_ANSWERS: usize = 1024;

static ANSWERS: RwLock<Option<Answers>> = RwLock::new(None);
static RESET: OnceLock<pyo3_log::ResetHandle> = OnceLock::new();

struct Shown(pyo3_log::Logger);

impl Log for Shown {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        let target = metadata.target();
        let key = (target.as_ptr() as usize, target.len(), metadata.level());
        let known = ANSWERS
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .and_then(|a| a.get(&key).copied());
        if let Some(shown) = known {
            return shown;
        }
        let shown = self.0.enabled(metadata) && python_shows(target, metadata.level());
        let mut answers = ANSWERS.write().unwrap_or_else(PoisonError::into_inner);
        let answers = answers.get_or_insert_with(Answers::default);
        if answers.len() >= MAX_ANSWERS {
            answers.clear();
        }
        answers.insert(key, shown);
        shown
    }

    fn log(&self, record: &Record<'_>) {
        if self.enabled(record.metadata()) {
            self.0.log(record);
        }
    }

    fn flush(&self) {}
}

/// Whether the Python logger of `target` (`::` read as `.`) takes records of `level`. During
/// the interpreter's shutdown, or if asking fails, the record goes to pyo3-log to decide.
fn python_shows(target: &str, level: Level) -> bool {
    let number = match level {
        Level::Error => 40,
        Level::Warn => 30,
        Level::Info => 20,
        Level::Debug => 10,
        Level::Trace => 5,
    };
    // This extension's own crate (`_native`, the binding) is the SDK too.
    let ours = ["alura", "_native"]
        .iter()
        .any(|c| target == *c || target.strip_prefix(c).is_some_and(|t| t.starts_with("::")));
    let asked = Python::try_attach(|py| -> PyResult<bool> {
        let logging = py.import("logging")?;
        if !ours {
            // A transport library's records (hyper_util, rustls, h2) would flood a root logger
            // at DEBUG: they are shown only when their own logger was given a level.
            let top = target.split("::").next().unwrap_or(target);
            let level: i64 = logging.call_method1("getLogger", (top,))?.getattr("level")?.extract()?;
            if level == 0 {
                return Ok(false);
            }
        }
        let logger = logging.call_method1("getLogger", (target.replace("::", "."),))?;
        logger.call_method1("isEnabledFor", (number,))?.is_truthy()
    });
    asked.and_then(Result::ok).unwrap_or(true)
}

/// Sends Rust's records to Python's `logging`, unless another extension's logger came first.
pub fn install(py: Python<'_>) -> PyResult<()> {
    let logger = pyo3_log::Logger::new(py, pyo3_log::Caching::LoggersAndLevels)?;
    let reset = logger.reset_handle();
    if log::set_boxed_logger(Box::new(Shown(logger))).is_ok() {
        // pyo3-log's own top level: trace records are never shown.
        log::set_max_level(log::LevelFilter::Debug);
        let _ = RESET.set(reset);
    }
    Ok(())
}

/// Picks up logging levels set after `import alura`.
#[pyfunction]
pub fn refresh_logging() {
    if let Some(handle) = RESET.get() {
        handle.reset();
    }
    *ANSWERS.write().unwrap_or_else(PoisonError::into_inner) = None;
}
