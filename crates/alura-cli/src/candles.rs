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
    let limit = m.get_one::<u64>("limit").copied();
    // Drawn on stderr, and only when it is a terminal and the download takes pages.
    let bar = match limit.filter(|n| *n > PAGE) {
        Some(n) => indicatif::ProgressBar::new(n).with_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} candles, {eta} left")
                .map_err(|e| Failure::Io(e.to_string()))?,
        ),
        None => indicatif::ProgressBar::hidden(),
    };
    // Newest page first. Whatever order a server sends, whether it honours `endTime`, however
    // many it puts in a page: each page is sorted, only candles older than all shown are kept,
    // and paging stops when a page brings none.
    let mut pages: Vec<Vec<J>> = Vec::new();
    let mut end = m.get_one::<i64>("end").copied();
    let mut got: u64 = 0;
    loop {
        let want = limit.map(|n| n.saturating_sub(got).min(PAGE));
        let reply = client.call("get_candle_history", page(want, end)).await?;
        let J::Arr(mut rows) =
            J::parse(&reply.to_json_text()?).map_err(|e| Failure::Sdk(alura::Error::decode(e)))?
        else {
            return Err(Failure::Sdk(alura::Error::decode("get_candle_history: the answer is not a list")));
        };
        if limit.is_none_or(|n| n <= PAGE) && pages.is_empty() && rows.iter().any(|r| open_time(r).is_none())
        {
            // One page of candles with no open time to order by: shown as the server sent them.
            return crate::show_value(J::Arr(rows), format, show_secrets).map(|()| 0);
        }
        let timeless = rows.iter().filter(|r| open_time(r).is_none()).count();
        if timeless > 0 {
            bar.suspend(|| {
                eprintln!("{timeless} candles with no open time left out: they cannot be put in order")
            });
        }
        rows.retain(|r| open_time(r).is_some_and(|t| end.is_none_or(|end| t <= end)));
        rows.sort_by_key(|r| open_time(r).unwrap_or(i64::MIN));
        rows.dedup_by_key(|r| open_time(r));
        // Beyond what was asked for (a server that ignores `limit`): the newest of them.
        if let Some(n) = want {
            let extra = rows.len().saturating_sub(usize::try_from(n).unwrap_or(usize::MAX));
            rows.drain(..extra);
        }
        let Some(oldest) = rows.first().and_then(open_time) else { break };
        got = got.saturating_add(rows.len() as u64);
        bar.inc(rows.len() as u64);
        pages.push(rows);
        match (limit, oldest.checked_sub(1)) {
            (Some(n), Some(before)) if got < n && before >= 0 => end = Some(before),
            _ => break,
        }
    }
    bar.finish_and_clear();
    if let Some(n) = limit.filter(|n| got < *n) {
        eprintln!("the server had {got} of the {n} candles asked for");
    }
    let all: Vec<J> = pages.into_iter().rev().flatten().collect();
    crate::show_value(J::Arr(all), format, show_secrets).map(|()| 0)
}

/// A candle's open time in ms, in any of the shapes the SDK reads (`alura::CandleField`), or the
/// first item of an array row.
fn open_time(row: &J) -> Option<i64> {
    let value = match row {
        J::Obj(fields) => fields
            .iter()
            .find(|(k, _)| alura::CandleField::of(k) == alura::CandleField::OpenTime)
            .map(|(_, v)| v),
        J::Arr(items) => items.first(),
        _ => None,
    }?;
    match value {
        J::Num(n) | J::Str(n) => n.parse().ok(),
        _ => None,
    }
}
