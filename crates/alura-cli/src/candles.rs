//! `alura candles`: history of any length, a page per call. Pages are fetched newest first, each
//! ending just before the oldest candle of the one after it, and shown oldest first; on a
//! terminal a progress bar runs while it takes more than one page.

use clap::{Arg, ArgMatches, Command, value_parser};
use serde_json::{Map, json};

use crate::output::{Format, J};
use crate::{Failure, client};

/// Candles per call: a few hundred kilobytes of JSON, so the bar moves and a failed page costs
/// little.
pub const PAGE: u64 = 10_000;

pub fn command(symbol: Arg, interval: Arg) -> Command {
    Command::new("candles")
        .about("Candle history, oldest first, fetched a page at a time")
        .arg(symbol)
        .arg(interval)
        .arg(
            Arg::new("limit")
                .long("limit")
                .value_parser(value_parser!(u64))
                .help("How many, the newest (any number: more than one page is fetched page by page)"),
        )
        .arg(
            Arg::new("end")
                .long("end")
                .value_parser(value_parser!(i64))
                .help("The last open time, ms since the epoch"),
        )
}

pub async fn candles(m: &ArgMatches, global: &ArgMatches, format: Option<Format>) -> Result<u8, Failure> {
    let client = client(global)?;
    let symbol = crate::verbs::asset(m.get_one::<String>("symbol").map_or("", |s| s));
    let interval = m.get_one::<String>("interval").cloned().unwrap_or_default();
    let limit = m.get_one::<u64>("limit").copied();
    let page = |n: Option<u64>, end: Option<i64>| {
        let mut args = Map::new();
        args.insert("symbol".into(), symbol.clone());
        args.insert("interval".into(), json!(interval));
        if let Some(n) = n {
            args.insert("limit".into(), json!(n));
        }
        if let Some(end) = end {
            args.insert("endTime".into(), json!(end));
        }
        args
    };
    let show_secrets = global.get_flag("show-secrets");
    let Some(limit) = limit.filter(|n| *n > PAGE) else {
        let reply = client.call("get_candle_history", page(limit, m.get_one::<i64>("end").copied())).await?;
        return crate::show(&reply.to_json_text()?, format, show_secrets).map(|()| 0);
    };
    // Drawn on stderr, and only when it is a terminal: piped output stays clean.
    let bar = indicatif::ProgressBar::new(limit).with_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} candles, {eta} left")
            .map_err(|e| Failure::Io(e.to_string()))?,
    );
    let mut pages: Vec<Vec<J>> = Vec::new();
    let mut end = m.get_one::<i64>("end").copied();
    let mut left = limit;
    while left > 0 {
        let want = left.min(PAGE);
        let reply = client.call("get_candle_history", page(Some(want), end)).await?;
        let J::Arr(mut rows) =
            J::parse(&reply.to_json_text()?).map_err(|e| Failure::Sdk(alura::Error::decode(e)))?
        else {
            return Err(Failure::Sdk(alura::Error::decode("get_candle_history: the answer is not a list")));
        };
        // A server that does not honour endTime exactly: nothing already shown comes twice.
        if let Some(end) = end {
            rows.retain(|r| open_time(r).is_none_or(|t| t <= end));
        }
        let got = rows.len() as u64;
        let oldest = rows.first().and_then(open_time);
        bar.inc(got);
        left = left.saturating_sub(got);
        pages.push(rows);
        if got < want {
            break; // the server has no older candles
        }
        match oldest.and_then(|t| t.checked_sub(1)) {
            Some(before) => end = Some(before),
            None => {
                bar.suspend(|| {
                    eprintln!("the candles carry no open time to page by: the newest {} shown", limit - left)
                });
                break;
            }
        }
    }
    bar.finish_and_clear();
    let all: Vec<J> = pages.into_iter().rev().flatten().collect();
    crate::show_value(J::Arr(all), format, show_secrets).map(|()| 0)
}

/// A candle's open time in ms, in any of the shapes the SDK reads: `openTime`, Hyperliquid's
/// `t`, or the first item of an array row.
fn open_time(row: &J) -> Option<i64> {
    let value = match row {
        J::Obj(fields) => fields.iter().find(|(k, _)| k == "openTime" || k == "t").map(|(_, v)| v),
        J::Arr(items) => items.first(),
        _ => None,
    }?;
    match value {
        J::Num(n) | J::Str(n) => n.parse().ok(),
        _ => None,
    }
}
