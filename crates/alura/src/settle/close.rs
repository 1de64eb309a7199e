//! A trade or position the call may have closed, told from the open trade the server shows now
//! (`get_current_trade`): only the newest open trade shows, with its positions, and none shows
//! (404) when nothing is open. For a close, `Landed` means what was to be closed is closed, by
//! this call or not: sending it again would change nothing. Closing by asset or all positions is
//! `Landed` only when nothing is open at all: older open trades do not show.

use serde_json::{Map, Value, json};

use super::{Settlement, unknown};
use crate::Client;
use crate::errors::{Error, Result};

/// What a close asked for.
enum Target<'a> {
    Trade(&'a str),
    Position(&'a str),
    Asset(i64),
    Everything,
}

impl Target<'_> {
    fn of<'a>(operation: &str, args: &'a Map<String, Value>) -> Result<Target<'a>> {
        let text = |name: &str| {
            args.get(name)
                .and_then(Value::as_str)
                .ok_or_else(|| Error::invalid(format!("settle(): the call has no {name}")))
        };
        Ok(match operation {
            "close_trade" => Target::Trade(text("tradeId")?),
            "close_position" => Target::Position(text("positionId")?),
            "close_position_by_asset" => Target::Asset(
                args.get("assetIndex")
                    .and_then(Value::as_i64)
                    .ok_or_else(|| Error::invalid("settle(): the call has no assetIndex"))?,
            ),
            _ => Target::Everything,
        })
    }

    /// What `Landed` carries: what was closed.
    fn closed(&self) -> Settlement {
        let result = match self {
            Target::Trade(id) => json!({"tradeId": id, "status": "closed"}),
            Target::Position(id) => json!({"positionId": id, "status": "closed"}),
            Target::Asset(asset) => json!({"assetIndex": asset, "status": "closed"}),
            Target::Everything => json!({"status": "closed"}),
        };
        Settlement::Landed { result }
    }
}

impl Client {
    pub(super) async fn settle_close(
        &self,
        operation: &str,
        args: &Map<String, Value>,
    ) -> Result<Settlement> {
        let target = Target::of(operation, args)?;
        let current = match self.call("get_current_trade", Map::new()).await {
            Ok(reply) => reply.to_value()?,
            // No open trade at all: no open position either.
            Err(Error::Api { status: 404, .. }) => return Ok(target.closed()),
            Err(e) => return Ok(unknown(format!("the current trade could not be read: {e}"))),
        };
        let trade = current.get("data").filter(|d| d.is_object()).unwrap_or(&current);
        if trade.is_null() {
            return Ok(target.closed());
        }
        let id = |v: &Value| v.get("id").map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned));
        let positions = trade.get("positions").and_then(Value::as_array);
        let open_positions = || positions.into_iter().flatten().filter(|p| matches!(status(p), Status::Open));
        match target {
            Target::Trade(wanted) => {
                if id(trade).as_deref() != Some(wanted) {
                    // Only the newest open trade shows: ours may be another, open or not.
                    return Ok(unknown(format!(
                        "the open trade shown is not {wanted}, so whether {wanted} closed cannot be told"
                    )));
                }
                match status(trade) {
                    Status::Closed => Ok(target.closed()),
                    // The open trade shown is the one the call closes: not closed.
                    Status::Open | Status::Unsaid => {
                        Ok(Settlement::NotLanded { reason: format!("trade {wanted} is still open") })
                    }
                    Status::Other(s) => {
                        Ok(unknown(format!("trade {wanted} is {s:?}, which settle() cannot read")))
                    }
                }
            }
            Target::Position(wanted) => {
                let Some(position) =
                    positions.into_iter().flatten().find(|p| id(p).as_deref() == Some(wanted))
                else {
                    return Ok(unknown(format!(
                        "position {wanted} is not in the open trade shown, so whether it closed cannot be told"
                    )));
                };
                match status(position) {
                    Status::Closed => Ok(target.closed()),
                    Status::Open => {
                        Ok(Settlement::NotLanded { reason: format!("position {wanted} is still open") })
                    }
                    Status::Unsaid => Ok(unknown(format!("position {wanted} is shown without a status"))),
                    Status::Other(s) => {
                        Ok(unknown(format!("position {wanted} is {s:?}, which settle() cannot read")))
                    }
                }
            }
            Target::Asset(asset) => {
                let of_asset = |v: &Value| v.get("assetIndex").and_then(Value::as_i64) == Some(asset);
                if open_positions().any(of_asset) {
                    return Ok(Settlement::NotLanded {
                        reason: format!("a position on asset {asset} is still open"),
                    });
                }
                // Older open trades do not show: one on this asset may still hold a position.
                Ok(unknown(format!(
                    "no open position on asset {asset} in the open trade shown, but older open trades do not show"
                )))
            }
            Target::Everything => match open_positions().next() {
                Some(_) => {
                    Ok(Settlement::NotLanded { reason: "the open trade still has an open position".into() })
                }
                // An open trade is still there, and older ones do not show.
                None => Ok(unknown("a trade is still open, and older open trades do not show".into())),
            },
        }
    }
}

/// A trade's or position's status, read only as far as it can be: a word this does not know is
/// neither open nor closed.
enum Status {
    Open,
    Closed,
    Unsaid,
    Other(String),
}

fn status(value: &Value) -> Status {
    let Some(word) = value.get("status").and_then(Value::as_str) else { return Status::Unsaid };
    match word.to_ascii_lowercase().as_str() {
        "open" | "active" => Status::Open,
        "closed" | "filled" | "settled" | "liquidated" | "cancelled" | "canceled" => Status::Closed,
        _ => Status::Other(word.to_owned()),
    }
}
