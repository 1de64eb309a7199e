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

/// The workspace root (the parent of this crate's directory). `cargo run` says where the crate
/// is when it runs it; the path compiled in is only the fallback, because two clones sharing
/// one target directory share this binary, and it would work on the clone that built it.
pub fn root() -> PathBuf {
    let dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    dir.parent().expect("xtask lives in the workspace").to_path_buf()
}
