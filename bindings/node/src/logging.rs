//! The SDK's log records (drift warnings; with a lower level, each attempt, retry and login)
//! as calls of one JS function, which `lib/log.js` hands to the user's logger.

use std::sync::{OnceLock, RwLock};

use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;

/// `(level, target, message)`; weak, so a logger never keeps the process alive.
type Sink = ThreadsafeFunction<
    (String, String, String),
    Unknown<'static>,
    (String, String, String),
    Status,
    false,
    true,
>;

static SINK: RwLock<Option<Sink>> = RwLock::new(None);

struct Bridge;

impl log::Log for Bridge {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::max_level() && metadata.target().starts_with("alura")
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let Ok(sink) = SINK.read() else { return };
        if let Some(sink) = sink.as_ref() {
            let level = record.level().as_str().to_ascii_lowercase();
            let target = record.target().replace("::", ".");
            sink.call((level, target, record.args().to_string()), ThreadsafeFunctionCallMode::NonBlocking);
        }
    }

    fn flush(&self) {}
}

/// Sends the SDK's records at `level` (`off`, `error`, `warn`, `info`, `debug`, `trace`) or
/// above to `callback(level, target, message)` on the JS thread.
#[napi]
pub fn set_log_sink(
    callback: Function<(String, String, String), Unknown<'static>>,
    level: String,
) -> Result<()> {
    let filter: log::LevelFilter = level.parse().map_err(|_| {
        Error::from_reason(format!("unknown log level {level:?}: use off, error, warn, info, debug or trace"))
    })?;
    let sink = callback.build_threadsafe_function().callee_handled::<false>().weak::<true>().build()?;
    *SINK.write().map_err(|_| Error::from_reason("the log sink lock is poisoned"))? = Some(sink);
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let _ = log::set_logger(&Bridge);
    });
    log::set_max_level(filter);
    Ok(())
}
