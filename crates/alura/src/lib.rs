//! The Alura Trading SDK for Rust.
//!
//! [`Client`] reaches every operation of the Alura API through the builders generated from its
//! spec ([`Client::api`]), and adds what a caller should not have to write: wallet login
//! (EVM challenge + `personal_sign`), a cached token renewed before it lapses, retries with
//! full-jitter backoff that honour `Retry-After` and never send a POST twice when it may
//! have run, the spec's constraints checked before sending, and one [`Error`] to match on.
//!
//! ```no_run
//! # async fn run() -> alura::Result<()> {
//! let client = alura::Client::builder()
//!     .base_url("https://testnet-api.alura.fun")
//!     .private_key(std::env::var("ALURA_PRIVATE_KEY").unwrap_or_default())
//!     .build()?;
//! let profile = client.api().get_profile().send().await?;
//! // Only the login's fields are promised by the contract: the others are `Option`s.
//! println!("signed in as {}", profile.address.as_deref().unwrap_or("?"));
//! # Ok(()) }
//! ```
//!
//! The packages for other languages are bindings of this crate, so they behave the same way.

#![warn(missing_docs)]

/// The README's Rust examples, exactly as they read: `cargo xtask test` runs them as doctests,
/// with `--cfg alura_readme` and `ALURA_BASE_URL` pointing at the simulator.
#[cfg(all(doctest, alura_readme))]
#[doc = include_str!("../../../README.md")]
pub struct Readme;

/// The Rust guide's examples (`docs/rust.md`), run as the README's are.
#[cfg(all(doctest, alura_readme))]
#[doc = include_str!("../../../docs/rust.md")]
pub struct ReadmeRustGuide;

#[cfg(feature = "arrow")]
pub mod arrow;
mod asset;
mod auth;
pub(crate) mod call;
mod client;
mod columns;
mod decode;
mod errors;
pub mod forks;
mod headers;
mod ids;
mod language;
/// Everything `cargo xtask gen` writes into this crate (`src/generated/`).
mod generated {
    #[rustfmt::skip]
    pub mod asset;
    #[rustfmt::skip]
    pub mod client_options;
    #[rustfmt::skip]
    mod dispatch;
}
pub mod options;
mod request;
mod settle;
mod trading;
mod transport;
mod validate;
mod watch;

pub use alura_api::types;
pub use alura_api::{BoxFuture, Decimal, ParseDecimalError, rust_decimal};
pub use asset::{Asset, symbol_of as asset_symbol};
pub use auth::Spawn;
pub use auth::token::TokenInfo;
pub use auth::token_cache::default_path as default_token_cache_path;
pub use call::Reply;
pub use client::{Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_MAX_RESPONSE_BYTES};
pub use columns::{CandleColumns, CandleField, ExactCandleColumns, HistoryQuery};
pub use decode::observe::LONG_ANSWER_BYTES;
pub use decode::sensitive as is_secret_field;
/// Every error class the bindings generate theirs from (`errors/kinds.rs`).
pub use errors::kinds as error_kind;
pub use errors::kinds::{ERROR_KINDS, ErrorField, ErrorKind, FieldType};
pub use errors::{CallInfo, Error, FieldValue, RawBody, Result};
pub use generated::client_options::ClientOptions;
pub use ids::idempotency_key as new_idempotency_key;
pub use language::{Dialect, Language};
pub use options::client::TokenCacheOption;
pub use options::{CallOptions, RequestOptions};
pub use request::{RawRequest, RawResponse};
pub use settle::{SETTLES, Settlement};
pub use trading::{AdvanceTrade, ExecutionStrategy, QuickTrade, StrategyDuration};
pub use transport::budget::RateLimit;
pub use transport::retry::{RetryPolicy, Sleeper, TokioSleeper, retry_after};
pub use transport::sockets;
pub use watch::{
    CandleEvent, FollowTradeLogs, MarketClock, SignalEvent, SystemClock, TradeEvent, WatchCandles,
    WatchCurrentTrade, WatchSignals,
};
