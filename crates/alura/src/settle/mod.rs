//! What became of a POST whose outcome is unknown, found out with read-only calls: a session
//! opened or not (`open.rs`), a trade or position closed or not (`close.rs`). Never sends the
//! POST again.

use std::time::SystemTime;

use serde::Serialize;
use serde_json::{Map, Value};

mod close;
mod open;
mod when;

use crate::errors::{Error, Result};
use crate::{Client, asset};

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
pub const SETTLES: [&str; 6] = [
    "create_trading_session",
    "create_advance_trading_session",
    "close_trade",
    "close_position",
    "close_position_by_asset",
    "close_all_positions",
];

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
            "close_trade" | "close_position" | "close_position_by_asset" | "close_all_positions" => {
                self.settle_close(operation, &args).await
            }
            other => Err(Error::invalid(format!("settle() can look up {}, not {other}", SETTLES.join(", ")))),
        }
    }
}

pub(crate) fn unknown(reason: String) -> Settlement {
    Settlement::StillUnknown { reason }
}

/// The sessions of an answer: a list, or one under `data`, `items` or `sessions`.
pub(crate) fn list(answer: &Value) -> Option<&Vec<Value>> {
    answer
        .as_array()
        .or_else(|| ["data", "items", "sessions"].iter().find_map(|k| answer.get(*k)?.as_array()))
}
