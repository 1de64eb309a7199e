//! The Node addon: the Rust SDK as a native class whose methods return Promises. It converts
//! arguments, results and errors; login, retry and validation live in the `alura` crate. Its
//! files mirror the Python binding's: `client`, `options`, `errors`, `from_js`/`to_js` (Python's
//! `from_python`/`to_python`), `completion`, `loop_runtime`, `logging`, `signer`, `mock`, `watch`, `arrow`, `cli`, `early`.

// Public so their `#[napi]` items count as used in every build, tests included.
pub mod abort;
pub mod cli;

mod arrow;
mod callback;
mod client;
mod completion;
mod early;
mod errors;
mod from_js;
pub mod logging;
mod loop_runtime;
mod mock;
mod options;
mod signer;
mod to_js;
mod uv;
mod watch;

use napi_derive::napi;
use serde_json::{Value, json};

pub(crate) use errors::{invalid, to_js};

/// Every operation of the spec: id, method, path, tag, authenticated.
#[napi]
pub fn operations() -> Value {
    json!(alura_api::operations::OPERATIONS
        .iter()
        .map(|op| json!({"id": op.id, "method": op.method, "path": op.path, "tag": op.tag, "authenticated": op.authenticated}))
        .collect::<Vec<_>>())
}

/// The assets of the Rust SDK as [symbol, index] pairs.
#[napi]
pub fn assets() -> Value {
    json!(alura::Asset::ALL.iter().map(|a| json!([a.symbol(), a.index()])).collect::<Vec<_>>())
}

/// The operations whose unknown outcome `settle()` can look up.
#[napi]
pub fn settles() -> Vec<&'static str> {
    alura::SETTLES.to_vec()
}

/// The testnet.
#[napi]
pub fn default_base_url() -> String {
    alura::DEFAULT_BASE_URL.to_owned()
}
