//! What every trader is given and what it prints, in any language.
//!
//! A trader is started as `<program> --url U --duration S --seed N --clients C`. It runs `C`
//! clients, each with a fresh wallet, a timeout of [`TIMEOUT`] per attempt and a retry deadline
//! of [`DEADLINE`], doing the trader's mix (`trader.rs` and `traders/`, kept alike) until `S`
//! seconds have passed, and prints one JSON object a line per call as soon as it ends:
//!
//! ```json
//! {"op": "create_trading_session", "ms": 12.5, "error": "OutcomeUnknownError", "key": "..."}
//! ```
//!
//! `error` is null when the call succeeded, else the SDK error's class; anything that is not an
//! SDK error is `Unexpected:<its type>`, which fails the soak like an `InternalError`. `key` is
//! the Idempotency-Key of a POST, null otherwise.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The client's time limits: each call must end within `DEADLINE` (and a margin).
pub const TIMEOUT: Duration = Duration::from_secs(2);
pub const DEADLINE: Duration = Duration::from_secs(8);

#[derive(clap::Args)]
pub struct TraderArgs {
    #[arg(long)]
    pub url: String,
    #[arg(long)]
    pub duration: u64,
    #[arg(long)]
    pub seed: u64,
    #[arg(long)]
    pub clients: usize,
}

/// One call as its client saw it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Call {
    pub op: String,
    /// How long it took, in milliseconds.
    pub ms: f64,
    pub error: Option<String>,
    pub key: Option<String>,
}

impl Call {
    /// A panic, an `InternalError`, or anything that is not an SDK error.
    pub fn is_bug(&self) -> bool {
        self.error.as_deref().is_some_and(|e| e == "InternalError" || e.starts_with("Unexpected"))
    }
}

/// The arguments a trader is started with, in the order above.
pub fn arguments(url: &str, duration: Duration, seed: u64, clients: usize) -> Vec<String> {
    let mut out = Vec::new();
    for (flag, value) in [
        ("--url", url.to_owned()),
        ("--duration", duration.as_secs().to_string()),
        ("--seed", seed.to_string()),
        ("--clients", clients.to_string()),
    ] {
        out.push(flag.to_owned());
        out.push(value);
    }
    out
}
