//! `NativeCandleWatch`: a candle watch (`alura::WatchCandles`) stepped from JS, each step a
//! Promise of the event as JSON text. `lib/index.js` makes an async iterator of it.

use std::sync::Arc;
use std::time::Duration;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use tokio::sync::Mutex;

use crate::client::NativeClient;
use crate::errors::{aborted, guarded, invalid, to_js};
use crate::mock::NativeMockServer;
use crate::{abort, completion, logging};

#[napi(object)]
pub struct WatchOptions {
    pub include_open: Option<bool>,
    pub stale_after: Option<u32>,
    pub jitter_ms: Option<f64>,
}

#[napi]
pub struct NativeCandleWatch {
    watch: Arc<Mutex<alura::WatchCandles>>,
    log: logging::ClientLog,
    on_loop: bool,
}

#[napi]
impl NativeCandleWatch {
    #[napi(constructor)]
    pub fn new(
        client: &NativeClient,
        symbol: String,
        interval: String,
        options: Option<WatchOptions>,
        clock: Option<&NativeMockServer>,
    ) -> Result<Self> {
        let mut watch = client.client.watch_candles(symbol, interval).map_err(to_js)?;
        if let Some(o) = options {
            watch =
                watch.include_open(o.include_open.unwrap_or(false)).stale_after(o.stale_after.unwrap_or(3));
            if let Some(ms) = o.jitter_ms {
                let jitter = Duration::try_from_secs_f64(ms / 1000.0)
                    .map_err(|_| invalid(format!("jitterMs must be 0 or more, not {ms}")))?;
                watch = watch.jitter(jitter);
            }
        }
        if let Some(mock) = clock {
            watch = watch.clock(Arc::new(alura_ffi::watch::Simulated(mock.clock()?)));
        }
        let on_loop = client.client.reports_sockets();
        Ok(Self { watch: Arc::new(Mutex::new(watch)), log: client.log.clone(), on_loop })
    }

    /// The next event, as JSON text; aborted with `abortId`, the poll under way is dropped.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn next(&self, env: Env, abort_id: Option<u32>) -> Result<Unknown<'static>> {
        let (watch, log) = (self.watch.clone(), self.log.clone());
        let work = guarded(async move {
            let event = watch.lock().await.next().await?;
            Ok(alura_ffi::watch::event_json(event).to_string())
        });
        let abort = abort_id.and_then(abort::get);
        completion::spawn(&env, self.on_loop, async move {
            let Some(abort) = abort else { return log.scope(work).await };
            tokio::select! {
                out = log.scope(work) => out,
                _ = abort.fired() => Err(aborted(None)),
            }
        })
    }
}
