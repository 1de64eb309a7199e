//! Typed client for the Alura Trading API.
//!
//! The client, its types and the table in [`operations`] are written by `cargo xtask gen` from
//! `openapi/alura.json` and must not be edited by hand. The one hand-written piece is
//! [`Hooks`]: the generated [`Client`] hands every request to a [`Transport`], so the `alura`
//! crate can own authentication and retry while this crate stays pure generated code.
//!
//! Most users want the `alura` crate, which wraps this client with wallet login, token renewal,
//! retry and typed errors. Used on its own, with [`Hooks::direct`], it sends each request once:
//!
//! ```no_run
//! # async fn run() -> Result<(), alura_api::Error<alura_api::types::ErrorResponse>> {
//! let client = alura_api::Client::new("http://127.0.0.1:3000", alura_api::Hooks::direct());
//! let candles = client.get_candles().symbol("BTC").interval("1h").limit(10).send().await?;
//! println!("{} candles", candles.len());
//! # Ok(()) }
//! ```

// The generated types name `::alura_api::Decimal` (typify's `x-rust-type`), which must resolve
// inside this crate too.
extern crate self as alura_api;

mod decimal;
mod entries;
mod hooks;
pub mod operation;
pub mod rate;
pub mod tolerant;

/// Everything `cargo xtask gen` writes into this crate (`src/generated/`).
mod generated {
    // progenitor matches 4XX before a specific 4xx code of the same body type: harmless, but
    // unreachable.
    #[allow(clippy::all, rustdoc::all, missing_docs, unreachable_patterns)]
    #[rustfmt::skip]
    pub mod client;
    #[rustfmt::skip]
    pub mod operations;
}
pub use generated::operations;
pub use operation::{ASSET_ARGUMENTS, Field, Kind, Location, Operation, find};

pub use decimal::{Decimal, ParseDecimalError};
pub use entries::RawEntries;
pub use generated::client::*;
pub use hooks::{BoxFuture, Hooks, Transport};
pub use progenitor_client::OperationInfo;
pub use rate::Rate;
/// The `rust_decimal` the [`Decimal`] wraps, for its arithmetic, rounding and `dec!`-free constructors.
pub use rust_decimal;
