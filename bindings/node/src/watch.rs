//! `NativeWatch`: any watch stream (`alura_ffi::watch::Watch`: candles, signals, the current
//! trade, a trade's log) stepped from JS, each step a Promise of the event as JSON text, money as
//! the client's money option says. `lib/index.js` makes async iterators of it.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use alura_ffi::watch::{Of, Options, Watch};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use tokio::sync::Mutex;

use crate::client::NativeClient;
use crate::errors::{aborted, guarded, invalid, to_js};
use crate::mock::NativeMockServer;
use crate::to_js::money::{self, Money};
use crate::{abort, completion, logging};

#[napi(object)]
pub struct WatchOptions {
    pub include_open: Option<bool>,
    pub stale_after: Option<u32>,
    pub jitter_ms: Option<f64>,
    pub every_ms: Option<f64>,
    pub pnl_step: Option<String>,
}

/// Watch polls under way in this process, for tests: an aborted watch leaves none.
#[napi]
#[cfg_attr(test, allow(dead_code))] // only JS calls it
pub fn watch_polls_in_flight() -> u32 {
    u32::try_from(alura_ffi::watch::polls_in_flight()).unwrap_or(u32::MAX)
}

#[napi]
pub struct NativeWatch {
    watch: Arc<Mutex<Watch>>,
    log: logging::ClientLog,
    money: Money,
    on_loop: bool,
}

/// Milliseconds from JS as a duration, or an error naming the option.
fn millis(name: &str, ms: Option<f64>) -> Result<Option<Duration>> {
    ms.map(|ms| {
        Duration::try_from_secs_f64(ms / 1000.0)
            .map_err(|_| invalid(format!("{name} must be 0 or more, not {ms}")))
    })
    .transpose()
}

#[napi]
impl NativeWatch {
    /// `kind` is `candles`, `signals`, `current_trade` or `trade_logs`; `target` the symbol or the
    /// trade id.
    #[napi(constructor)]
    pub fn new(
        client: &NativeClient,
        kind: String,
        target: Option<String>,
        interval: Option<String>,
        options: Option<WatchOptions>,
        clock: Option<&NativeMockServer>,
    ) -> Result<Self> {
        let (target, interval) = (target.unwrap_or_default(), interval.unwrap_or_default());
        let of = match kind.as_str() {
            "candles" => Of::Candles { symbol: target, interval },
            "signals" => Of::Signals { symbol: target, interval },
            "current_trade" => Of::CurrentTrade,
            "trade_logs" => Of::TradeLogs { trade_id: target },
            other => return Err(invalid(format!("no watch of {other:?}"))),
        };
        let o = options.unwrap_or(WatchOptions {
            include_open: None,
            stale_after: None,
            jitter_ms: None,
            every_ms: None,
            pnl_step: None,
        });
        let pnl_step = o
            .pnl_step
            .map(|s| alura::Decimal::from_str(&s).map_err(|e| invalid(format!("pnlStep: {e}"))))
            .transpose()?;
        let clock = match clock {
            Some(mock) => {
                Some(Arc::new(alura_ffi::watch::Simulated(mock.clock()?)) as Arc<dyn alura::MarketClock>)
            }
            None => None,
        };
        let options = Options {
            include_open: o.include_open,
            stale_after: o.stale_after,
            jitter: millis("jitterMs", o.jitter_ms)?,
            every: millis("everyMs", o.every_ms)?,
            pnl_step,
            clock,
        };
        let watch = Watch::open(&client.client, of, options).map_err(to_js)?;
        Ok(Self {
            watch: Arc::new(Mutex::new(watch)),
            log: client.log.clone(),
            money: if client.money_strings { Money::Strings } else { Money::Numbers },
            on_loop: client.client.reports_sockets(),
        })
    }

    /// The next event, as JSON text; aborted with `abortId`, the poll under way is dropped.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn next(&self, env: Env, abort_id: Option<u32>) -> Result<Unknown<'static>> {
        let (watch, log, money) = (self.watch.clone(), self.log.clone(), self.money);
        let work = guarded(async move {
            let text = watch.lock().await.next_json().await?;
            money::rewrite(text.as_bytes(), money).map_err(|e| alura::Error::decode(e.to_string()))
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
