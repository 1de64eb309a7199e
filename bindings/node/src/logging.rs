//! The SDK's log records (drift warnings; with a lower level, each attempt, retry and login)
//! as calls of a JS function, which `lib/log.js` hands to the user's logger.
//!
//! Records are the core's `tracing` events. A client made with its own `logger` runs each of
//! its calls under its own dispatcher ([`ClientLog`]), so its events reach only its logger; the
//! others go to the process-wide one `setLogger` sets (the global default dispatcher). The core
//! spawns no tasks, so every event of a call happens inside the call's future.

use std::sync::{LazyLock, OnceLock, RwLock};

use napi::bindgen_prelude::*;

use crate::callback::Callback;
use napi_derive::napi;
use tracing::level_filters::LevelFilter;
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Dispatch, Event, Metadata, Subscriber};

/// `(level, target, message)`.
type Sink = Callback<(String, String, String), Unknown<'static>>;

/// Where records go and from which level; the process-wide one changes with `setLogger`.
struct JsLog {
    state: RwLock<(Option<Sink>, LevelFilter)>,
}

/// The SDK's own targets (`alura::http`...), not those of the mock server or the HTTP stack.
fn ours(target: &str) -> bool {
    target == "alura" || target.starts_with("alura::")
}

impl Subscriber for JsLog {
    fn register_callsite(&self, metadata: &'static Metadata<'static>) -> Interest {
        // `sometimes`: the level can change at any time, so `enabled` decides per event.
        if metadata.is_event() && ours(metadata.target()) { Interest::sometimes() } else { Interest::never() }
    }

    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        let Ok(state) = self.state.read() else { return false };
        state.0.is_some() && metadata.is_event() && ours(metadata.target()) && *metadata.level() <= state.1
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        None
    }

    // Spans are never enabled (only events are), so these are never called with one of ours.
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let Ok(state) = self.state.read() else { return };
        let Some(sink) = state.0.as_ref() else { return };
        let mut text = Text::default();
        event.record(&mut text);
        let metadata = event.metadata();
        let level = metadata.level().as_str().to_ascii_lowercase();
        let target = metadata.target().replace("::", ".");
        sink.call((level, target, text.0));
    }
}

/// An event as one line: its message, then its other fields as ` name=value`.
#[derive(Default)]
struct Text(String);

impl tracing::field::Visit for Text {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.record_debug(field, &format_args!("{value}"));
    }

    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        use std::fmt::Write;
        let _ = if field.name() == "message" {
            let rest = std::mem::take(&mut self.0);
            write!(self.0, "{value:?}{rest}")
        } else {
            write!(self.0, " {}={value:?}", field.name())
        };
    }
}

fn level_filter(level: &str) -> Result<LevelFilter> {
    level.parse().map_err(|_| {
        Error::from_reason(format!("unknown log level {level:?}: use off, error, warn, info, debug or trace"))
    })
}

static PROCESS: LazyLock<Dispatch> =
    LazyLock::new(|| Dispatch::new(JsLog { state: RwLock::new((None, LevelFilter::WARN)) }));

fn process_log() -> &'static JsLog {
    PROCESS.downcast_ref::<JsLog>().unwrap_or_else(|| unreachable!("PROCESS holds a JsLog"))
}

/// Sends the SDK's records at `level` (`off`, `error`, `warn`, `info`, `debug`, `trace`) or
/// above to `callback(level, target, message)` on the JS thread, for every client without a
/// logger of its own.
#[napi]
pub fn set_log_sink(
    callback: Function<(String, String, String), Unknown<'static>>,
    level: String,
) -> Result<()> {
    let filter = level_filter(&level)?;
    let sink = Sink::new(&callback)?;
    *process_log().state.write().map_err(|_| Error::from_reason("the log sink lock is poisoned"))? =
        (Some(sink), filter);
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let _ = tracing::dispatcher::set_global_default(PROCESS.clone());
    });
    Ok(())
}

/// Where one client's records go: its own logger, or the process-wide one.
#[derive(Clone)]
pub struct ClientLog(Option<Dispatch>);

impl ClientLog {
    /// `sink` at `level` for a client with its own logger (lib/log.js decides the level, and
    /// always passes one with a sink); without a sink, the process-wide logger.
    pub fn new(
        sink: Option<Function<'_, (String, String, String), Unknown<'static>>>,
        level: Option<&str>,
    ) -> Result<Self> {
        let Some(sink) = sink else { return Ok(Self(None)) };
        let filter = level_filter(level.ok_or_else(|| Error::from_reason("a client logger needs a level"))?)?;
        let sink = Sink::new(&sink)?;
        Ok(Self(Some(Dispatch::new(JsLog { state: RwLock::new((Some(sink), filter)) }))))
    }

    /// `work` with its records sent to this client's logger.
    pub fn in_scope<T>(&self, work: impl FnOnce() -> T) -> T {
        match &self.0 {
            Some(dispatch) => tracing::dispatcher::with_default(dispatch, work),
            None => work(),
        }
    }

    /// `future` with its records sent to this client's logger.
    pub async fn scope<T>(&self, future: impl std::future::Future<Output = T>) -> T {
        use tracing::instrument::WithSubscriber;
        match &self.0 {
            Some(dispatch) => future.with_subscriber(dispatch.clone()).await,
            None => future.await,
        }
    }
}
