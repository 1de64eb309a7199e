//! What became of a POST whose outcome is unknown, found out with read-only calls: a session
//! opened or not, a trade closed or not. Never sends the POST again.
//!
//! The backend lets a user hold one active session per asset, so a session opened by the call is
//! the active session for its asset that was created after the call was sent; one created before
//! means the call was refused. A trade the call closed is no longer the open one.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::errors::{Error, Result};
use crate::{Client, asset};

/// How far apart our clock and the server's may be when telling a session the call opened from
/// one that was there before it.
const CLOCK_SLACK: Duration = Duration::from_secs(2);

/// What became of a POST whose outcome was unknown ([`Client::settle`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Settlement {
    /// It was carried out: `result` is what it made (the session), as the server shows it now.
    Landed {
        /// What it made or changed, as the server shows it now.
        result: Value,
    },
    /// It was not carried out: safe to send again (with a new idempotency key).
    NotLanded {
        /// How that is known.
        reason: String,
    },
    /// The lookup could not tell: do not send it again before you know.
    StillUnknown {
        /// Why not.
        reason: String,
    },
}

/// The operations [`Client::settle`] can look up.
pub const SETTLES: [&str; 3] = ["create_trading_session", "create_advance_trading_session", "close_trade"];

impl Client {
    /// What became of the POST behind `error`, an [`Error::OutcomeUnknown`] from this client:
    /// looked up with read-only calls (`list_active_sessions`, `get_current_trade`); the POST is
    /// never sent again. Call it once the server has had time to act on the request (its
    /// timeout has passed).
    pub async fn settle(&self, error: &Error) -> Result<Settlement> {
        let call = match error {
            Error::OutcomeUnknown { call, .. } => call,
            other => {
                return Err(Error::invalid(format!(
                    "settle() takes an unknown outcome (OutcomeUnknown), not {}",
                    other.kind()
                )));
            }
        };
        let (Some(operation), Some(arguments), Some(sent_at)) =
            (&call.operation, &call.arguments, call.sent_at)
        else {
            return Err(Error::invalid("settle(): this error does not say which call it came from"));
        };
        self.settle_call(operation, arguments, sent_at).await
    }

    /// [`Client::settle`] for a call given by its operation, its arguments (names as in the
    /// spec) and when it was sent: what the bindings call, holding their own arguments.
    pub async fn settle_call(
        &self,
        operation: &str,
        args: &Map<String, Value>,
        sent_at: SystemTime,
    ) -> Result<Settlement> {
        let args = asset::any_form(args.clone())?;
        match operation {
            "create_trading_session" | "create_advance_trading_session" => {
                self.settle_open(&args, sent_at).await
            }
            "close_trade" => self.settle_close(&args).await,
            other => Err(Error::invalid(format!("settle() can look up {}, not {other}", SETTLES.join(", ")))),
        }
    }

    async fn settle_open(&self, args: &Map<String, Value>, sent_at: SystemTime) -> Result<Settlement> {
        let Some(asset) = args.get("assetIndex").and_then(Value::as_i64) else {
            return Err(Error::invalid("settle(): the call has no assetIndex"));
        };
        let answer = match self.call("list_active_sessions", Map::new()).await.and_then(|r| r.to_value()) {
            Ok(answer) => answer,
            Err(e) => return Ok(unknown(format!("the active sessions could not be read: {e}"))),
        };
        let Some(sessions) = list(&answer) else {
            return Ok(unknown("the active sessions came in a shape settle() does not know".into()));
        };
        // By index or by symbol (a server that reshapes its answers keeps one or the other).
        let symbol = asset::symbol_of(asset).ok();
        let ours: Vec<&Value> = sessions
            .iter()
            .filter(|s| {
                let index =
                    s.get("assetIndex").and_then(|v| v.as_i64().or_else(|| v.as_str()?.trim().parse().ok()));
                index == Some(asset)
                    || (symbol.is_some() && s.get("symbol").and_then(Value::as_str) == symbol)
            })
            .collect();
        // The newest, if a server lists more than one.
        let Some(session) = ours.iter().max_by_key(|s| s.get("createdAt").and_then(when)) else {
            return Ok(Settlement::NotLanded {
                reason: format!(
                    "no active session for asset {asset} (one that opened and has closed since would not show)"
                ),
            });
        };
        let since = sent_at.checked_sub(CLOCK_SLACK).unwrap_or(UNIX_EPOCH);
        match session.get("createdAt").and_then(when) {
            Some(created) if created >= since && !same_terms(args, session) => Ok(unknown(format!(
                "the active session for asset {asset} opened about when the call was sent, but with other terms"
            ))),
            Some(created) if created >= since => Ok(Settlement::Landed { result: (*session).clone() }),
            Some(_) => Ok(Settlement::NotLanded {
                reason: format!(
                    "the active session for asset {asset} opened before the call, so the server refused a second one"
                ),
            }),
            None => Ok(unknown(format!(
                "there is an active session for asset {asset}, but not when it opened (createdAt)"
            ))),
        }
    }

    async fn settle_close(&self, args: &Map<String, Value>) -> Result<Settlement> {
        let Some(trade) = args.get("tradeId").and_then(Value::as_str) else {
            return Err(Error::invalid("settle(): the call has no tradeId"));
        };
        let closed =
            || Settlement::Landed { result: serde_json::json!({"tradeId": trade, "status": "closed"}) };
        let current = match self.call("get_current_trade", Map::new()).await {
            Ok(reply) => reply.to_value()?,
            // No open trade at all: ours is closed.
            Err(Error::Api { status: 404, .. }) => return Ok(closed()),
            Err(e) => return Ok(unknown(format!("the current trade could not be read: {e}"))),
        };
        let current = current.get("data").filter(|d| d.is_object()).unwrap_or(&current);
        if current.is_null() {
            return Ok(closed());
        }
        let id = current.get("id").map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned));
        if id.as_deref() != Some(trade) {
            // Only the newest open trade shows: ours may be another, open or not.
            return Ok(unknown(format!(
                "the open trade shown is not {trade}, so whether {trade} closed cannot be told"
            )));
        }
        match current.get("status").and_then(Value::as_str).map(str::to_ascii_lowercase).as_deref() {
            Some("open" | "active") | None => {
                Ok(Settlement::NotLanded { reason: format!("trade {trade} is still open") })
            }
            Some(_) => Ok(closed()),
        }
    }
}

/// Whether `session` has the terms the call asked for, where both say them: the budget and
/// profit target of a quick session, the strategy and duration of an advance one.
fn same_terms(args: &Map<String, Value>, session: &Value) -> bool {
    let text = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_owned);
    let number = |v: &Value| text(v).trim().parse::<crate::Decimal>().ok();
    let pairs = [("budget", "budget"), ("amount", "budget"), ("profitTarget", "profitTarget")];
    let numbers = pairs.iter().all(|(asked, shown)| match (args.get(*asked), session.get(*shown)) {
        (Some(a), Some(s)) if !s.is_null() => number(a).is_none() || number(a) == number(s),
        _ => true,
    });
    let words =
        ["executionStrategy", "strategyDuration"].iter().all(|k| match (args.get(*k), session.get(*k)) {
            (Some(a), Some(s)) if !s.is_null() => text(a) == text(s),
            _ => true,
        });
    // An advance session's budget is the whole wallet when asked so: its amount says nothing.
    let whole_wallet = args.get("maxWalletBudget") == Some(&Value::Bool(true));
    (numbers || whole_wallet) && words
}

fn unknown(reason: String) -> Settlement {
    Settlement::StillUnknown { reason }
}

/// The sessions of an answer: a list, or one under `data`, `items` or `sessions`.
fn list(answer: &Value) -> Option<&Vec<Value>> {
    answer
        .as_array()
        .or_else(|| ["data", "items", "sessions"].iter().find_map(|k| answer.get(*k)?.as_array()))
}

/// A time as servers write it: ISO 8601 (`2026-12-06T02:10:34.123Z`) or ms since the epoch.
fn when(value: &Value) -> Option<SystemTime> {
    if let Some(ms) = value.as_u64() {
        return UNIX_EPOCH.checked_add(Duration::from_millis(ms));
    }
    if let Some(ms) = value.as_f64().filter(|ms| ms.is_finite() && *ms >= 0.0) {
        return UNIX_EPOCH.checked_add(Duration::try_from_secs_f64(ms / 1000.0).ok()?);
    }
    iso8601(value.as_str()?)
}

/// `YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM]`, as a moment.
fn iso8601(text: &str) -> Option<SystemTime> {
    let digits = |s: &str| s.parse::<i64>().ok();
    let (date, rest) = text.split_once(['T', ' '])?;
    let mut date_parts = date.splitn(3, '-');
    let (y, mo, d) = (digits(date_parts.next()?)?, digits(date_parts.next()?)?, digits(date_parts.next()?)?);
    let (clock, offset) = match rest.find(['Z', 'z', '+', '-']) {
        Some(at) => rest.split_at(at),
        None => (rest, ""),
    };
    let mut clock_parts = clock.splitn(3, ':');
    let (h, mi) = (digits(clock_parts.next()?)?, digits(clock_parts.next()?)?);
    let raw = clock_parts.next().unwrap_or("0");
    let (seconds, fraction) = raw.split_once('.').unwrap_or((raw, ""));
    let seconds = digits(seconds)?;
    // The fraction as nanoseconds: its first nine digits, padded.
    let nanos: u32 = format!("{:0<9}", fraction.get(..fraction.len().min(9))?).parse().ok()?;
    let offset_secs = match offset {
        "" | "Z" | "z" => 0,
        o => {
            let sign = if o.starts_with('-') { -1 } else { 1 };
            let rest = o.get(1..)?;
            // `+05:30`, `+0530` or `+05`.
            let (oh, om) = match rest.split_once(':') {
                Some(pair) => pair,
                None if rest.len() == 4 => rest.split_at(2),
                None => (rest, "0"),
            };
            let (oh, om) = (digits(oh)?, digits(om)?);
            if !(0..24).contains(&oh) || !(0..60).contains(&om) {
                return None;
            }
            sign * (oh * 3600 + om * 60)
        }
    };
    // Years a server means: also what keeps the arithmetic below far from overflowing.
    if !(1970..=9999).contains(&y)
        || !(1..=12).contains(&mo)
        || !(1..=31).contains(&d)
        || !(0..24).contains(&h)
        || !(0..60).contains(&mi)
        || !(0..=60).contains(&seconds)
    {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm), for years 0 and later.
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let whole = days * 86_400 + h * 3600 + mi * 60 + seconds - offset_secs;
    let whole = u64::try_from(whole).ok().filter(|w| *w < 100_000_000_000)?;
    UNIX_EPOCH.checked_add(Duration::new(whole, nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_read_as_servers_write_them() {
        let at = |s: &str| iso8601(s).map(|t| t.duration_since(UNIX_EPOCH).unwrap().as_millis());
        assert_eq!(at("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(at("2026-12-06T02:10:34.123Z"), Some(1_796_523_034_123));
        assert_eq!(at("2026-12-06T03:10:34.123+01:00"), Some(1_796_523_034_123));
        assert_eq!(at("2026-12-06 02:10:34"), Some(1_796_523_034_000));
        assert_eq!(at("2026-12-06T07:40:34.123+0530"), Some(1_796_523_034_123));
        // A server's text never panics the core: offsets out of range are not times.
        assert_eq!(at("2026-01-01T00:00:00+9999999999999999:00"), None);
        assert_eq!(at("2026-01-01T00:00:00+24:00"), None);
        for bad in ["", "soon", "2026-13-01T00:00:00Z", "2026-12-06", "99999999999-01-01T00:00:00Z"] {
            assert_eq!(at(bad), None, "{bad}");
        }
        assert_eq!(
            when(&serde_json::json!(1_796_523_034_123u64))
                .map(|t| t.duration_since(UNIX_EPOCH).unwrap().as_millis()),
            Some(1_796_523_034_123)
        );
    }
}
