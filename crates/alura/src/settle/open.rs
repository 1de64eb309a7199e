//! A session the call may have opened: the active session for its asset, created after the call
//! was sent, with the terms it asked for.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use super::when::when;
use super::{Settlement, list, unknown};
use crate::errors::{Error, Result};
use crate::{Client, asset};

/// How far apart our clock and the server's may be when telling a session the call opened from
/// one that was there before it.
const CLOCK_SLACK: Duration = Duration::from_secs(2);

impl Client {
    pub(super) async fn settle_open(
        &self,
        args: &Map<String, Value>,
        sent_at: SystemTime,
    ) -> Result<Settlement> {
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
