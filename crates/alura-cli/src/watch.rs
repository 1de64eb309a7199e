//! `alura watch candles`: the candle watch stream of the core, shown live. On a terminal, a table
//! that grows by a row as each candle closes, with the open candle on its last line redrawn in
//! place; piped, one JSON object per event (`{"kind": "closed", "candle": {...}}`).

use std::io::{IsTerminal, Write};

use alura::{CandleEvent, CandleField};
use clap::{Arg, ArgMatches, Command, value_parser};
use serde_json::{Value, json};

use crate::output::{Format, paint};
use crate::{Failure, client, exit};

pub fn command(symbol: Arg, interval: Arg) -> Command {
    Command::new("watch").about("Live data, as it comes").subcommand_required(true).subcommand(
        Command::new("candles")
            .about("Each candle once, when it closes, and the open one as it moves")
            .arg(symbol)
            .arg(interval)
            .arg(
                Arg::new("count")
                    .long("count")
                    .value_parser(value_parser!(u64))
                    .help("Stop after this many closed candles"),
            ),
    )
}

pub async fn watch(m: &ArgMatches, global: &ArgMatches, format: Option<Format>) -> Result<u8, Failure> {
    let (_, w) = m.subcommand().ok_or_else(|| Failure::Usage("watch needs candles".into()))?;
    let symbol = w.get_one::<String>("symbol").cloned().unwrap_or_default();
    let symbol = match symbol.parse::<i64>() {
        Ok(index) => alura::asset_symbol(index)?.to_owned(),
        Err(_) => symbol,
    };
    let interval = w.get_one::<String>("interval").cloned().unwrap_or_default();
    let mut watch = client(global)?.watch_candles(symbol.clone(), interval.clone())?.include_open(true);
    let terminal = std::io::stdout().is_terminal();
    let live = match format {
        Some(Format::Table) => true,
        Some(Format::Json) => false,
        Some(Format::Csv) => return Err(Failure::Usage("watch shows a table or JSON lines, not csv".into())),
        None => terminal,
    };
    let mut view = View { out: std::io::stdout(), live, redraw: live && terminal, open_shown: false };
    if live {
        view.header(&symbol, &interval)?;
    }
    let mut left = w.get_one::<u64>("count").copied();
    while left != Some(0) {
        match watch.next().await {
            Ok(event) => {
                if matches!(event, CandleEvent::Closed(_)) {
                    left = left.map(|n| n.saturating_sub(1));
                }
                view.show(&event)?;
            }
            Err(e) if exit::not_mended_by_waiting(&e) => return Err(e.into()),
            Err(e) => view.note(&format!("a poll failed, going on: {e}"))?,
        }
    }
    view.end()?;
    Ok(0)
}

struct View<W> {
    out: W,
    /// The table; otherwise JSON lines.
    live: bool,
    /// The open candle redrawn in place (on a terminal); otherwise not shown in the table.
    redraw: bool,
    /// The open candle's line is on screen, last, with no newline after it.
    open_shown: bool,
}

/// The table's columns after the open time, in order.
const COLUMNS: [(CandleField, &str); 5] = [
    (CandleField::Open, "open"),
    (CandleField::High, "high"),
    (CandleField::Low, "low"),
    (CandleField::Close, "close"),
    (CandleField::Volume, "volume"),
];

impl<W: Write> View<W> {
    fn write(&mut self, text: &str) -> Result<(), Failure> {
        self.out.write_all(text.as_bytes()).and_then(|()| self.out.flush()).map_err(Failure::io)
    }

    fn header(&mut self, symbol: &str, interval: &str) -> Result<(), Failure> {
        let mut line = format!("{:<17}", format!("{symbol} {interval} (UTC)"));
        for (_, c) in COLUMNS {
            line.push_str(&format!(" {c:>12}"));
        }
        self.write(&format!("{}\n", crate::output::bold(&line)))
    }

    /// Takes the open candle's line off the screen, so the next line can replace it.
    fn clear_open(&mut self) -> Result<(), Failure> {
        if std::mem::take(&mut self.open_shown) { self.write("\r\x1b[2K") } else { Ok(()) }
    }

    fn show(&mut self, event: &CandleEvent) -> Result<(), Failure> {
        if !self.live {
            return self.write(&format!("{}\n", event_json(event)));
        }
        match event {
            CandleEvent::Closed(c) => {
                self.clear_open()?;
                self.write(&format!("{}\n", row(c, "")))
            }
            CandleEvent::Open(_) if !self.redraw => Ok(()),
            CandleEvent::Open(c) => {
                self.clear_open()?;
                self.open_shown = true;
                self.write(&paint(&row(c, "  (open)"), "2"))
            }
            other => self.note(&event_json(other).to_string()),
        }
    }

    /// A line between the rows: a gap, a quiet spell, a failed poll.
    fn note(&mut self, text: &str) -> Result<(), Failure> {
        if !self.live {
            eprintln!("{text}");
            return Ok(());
        }
        self.clear_open()?;
        self.write(&format!("{}\n", paint(text, "2")))
    }

    fn end(&mut self) -> Result<(), Failure> {
        if self.open_shown { self.write("\n") } else { Ok(()) }
    }
}

fn event_json(event: &CandleEvent) -> Value {
    match event {
        CandleEvent::Closed(c) => json!({"kind": "closed", "candle": c}),
        CandleEvent::Open(c) => json!({"kind": "open", "candle": c}),
        CandleEvent::Gap { from_ms, to_ms } => json!({"kind": "gap", "from_ms": from_ms, "to_ms": to_ms}),
        CandleEvent::Stale { intervals } => json!({"kind": "stale", "intervals": intervals}),
        other => json!({"kind": "other", "event": format!("{other:?}")}),
    }
}

/// One candle as a table line: its open time, then each price as the server wrote it, the close
/// green when it is above the open and red when below.
fn row(candle: &Value, suffix: &str) -> String {
    let field = |want: CandleField| match candle {
        Value::Object(map) => map.iter().find(|(k, _)| CandleField::of(k) == want).map(|(_, v)| v),
        _ => None,
    };
    let text = |v: Option<&Value>| match v {
        Some(Value::String(s)) => s.clone(),
        None | Some(Value::Null) => String::new(),
        Some(other) => other.to_string(),
    };
    let time = field(CandleField::OpenTime).and_then(Value::as_i64).map_or_else(String::new, utc);
    let number = |f: CandleField| text(field(f)).parse::<f64>().ok();
    let sgr = match (number(CandleField::Open), number(CandleField::Close)) {
        (Some(o), Some(c)) if c > o => "32",
        (Some(o), Some(c)) if c < o => "31",
        _ => "",
    };
    let mut line = format!("{time:<17}");
    for (f, _) in COLUMNS {
        let cell = format!(" {:>12}", text(field(f)));
        line.push_str(&if f == CandleField::Close && !sgr.is_empty() { paint(&cell, sgr) } else { cell });
    }
    line + suffix
}

/// `14 Nov 2023 22:13`, UTC, from ms since the epoch; the number itself outside years 1970 to
/// 9999 (what HTTP dates cover).
fn utc(ms: i64) -> String {
    const LAST: i64 = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
    match u64::try_from(ms) {
        Ok(after) if ms <= LAST => {
            let at = std::time::UNIX_EPOCH + std::time::Duration::from_millis(after);
            // "Tue, 14 Nov 2023 22:13:20 GMT": the day, month, year, hours and minutes.
            httpdate::fmt_http_date(at).get(5..22).map_or_else(|| ms.to_string(), str::to_owned)
        }
        _ => ms.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use alura::CandleEvent;
    use serde_json::json;

    use super::View;

    fn candle(minute: i64, open: f64, close: f64) -> serde_json::Value {
        json!({"openTime": 1_700_000_040_000_i64 + minute * 60_000, "open": open, "high": 2.0, "low": 0.5, "close": close, "volume": "12.50"})
    }

    #[test]
    fn the_live_table_redraws_the_open_candle_in_place_and_keeps_each_closed_one() {
        let mut view = View { out: Vec::new(), live: true, redraw: true, open_shown: false };
        view.show(&CandleEvent::Open(candle(0, 1.0, 1.5))).unwrap();
        view.show(&CandleEvent::Open(candle(0, 1.0, 1.25))).unwrap();
        view.show(&CandleEvent::Closed(candle(0, 1.0, 1.2))).unwrap();
        view.show(&CandleEvent::Open(candle(1, 1.2, 1.1))).unwrap();
        view.end().unwrap();
        let screen = String::from_utf8(view.out).unwrap();
        // Each open line is taken off (carriage return, erase line) before the next is drawn.
        let lines: Vec<&str> = screen.split("\r\x1b[2K").collect();
        assert_eq!(lines.len(), 3, "{screen:?}");
        assert!(
            lines[0].starts_with("14 Nov 2023 22:14") && lines[0].ends_with("1.5        12.50  (open)"),
            "{:?}",
            lines[0]
        );
        assert!(lines[1].ends_with("(open)") && !lines[1].contains('\n'), "{:?}", lines[1]);
        // The closed candle stays, with its volume as the server wrote it; the new open one follows.
        let (closed, open) = lines[2].split_once('\n').unwrap();
        assert!(
            closed.starts_with("14 Nov 2023 22:14") && closed.ends_with("1.2        12.50"),
            "{closed:?}"
        );
        assert!(open.starts_with("14 Nov 2023 22:15") && open.ends_with("(open)\n"), "{open:?}");
    }

    #[test]
    fn piped_each_event_is_one_json_line() {
        let mut view = View { out: Vec::new(), live: false, redraw: false, open_shown: false };
        view.show(&CandleEvent::Closed(candle(0, 1.0, 1.2))).unwrap();
        view.show(&CandleEvent::Gap { from_ms: 1, to_ms: 2 }).unwrap();
        let text = String::from_utf8(view.out).unwrap();
        let events: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(events[0]["kind"], "closed");
        assert_eq!(events[0]["candle"]["volume"], "12.50");
        assert_eq!(events[1], json!({"kind": "gap", "from_ms": 1, "to_ms": 2}));
    }

    #[test]
    fn open_times_read_as_utc() {
        assert_eq!(super::utc(0), "01 Jan 1970 00:00");
        assert_eq!(super::utc(1_700_000_000_000), "14 Nov 2023 22:13");
        assert_eq!(super::utc(951_782_400_000), "29 Feb 2000 00:00");
        // Any number a server sends: shown as it is, never a panic.
        assert_eq!(super::utc(-1), "-1");
        assert_eq!(super::utc(i64::MAX), i64::MAX.to_string());
    }
}
