//! Project automation behind `cargo xtask`. The binary is a thin command line over these modules,
//! which the tests call directly.

pub mod bench;
pub mod dispatch;
pub mod dist;
pub mod drift;
pub mod errors;
pub mod fetch;
pub mod format;
pub mod fuzz;
pub mod generate;
pub mod mock;
pub mod model;
pub mod node;
pub mod normalise;
pub mod overlay;
pub mod probe;
pub mod python;
pub mod rust_client;
pub mod spec;
pub mod suite;

use std::path::PathBuf;

/// The workspace root (the parent of this crate's directory).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf()
}
