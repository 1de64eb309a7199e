//! Project automation behind `cargo xtask`. The binary is a thin command line over these modules,
//! which the tests call directly.

pub mod checks;
pub mod generate;
pub mod process;
pub mod release;
pub mod spec;
pub mod venv;

use std::path::{Path, PathBuf};

/// The workspace root: the nearest folder with `xtask/` above the crate `cargo` runs (xtask itself, or
/// a crate whose tests use it). `cargo run` and `cargo test` say at run time where that crate is; the
/// path compiled in is only the fallback, because two clones sharing one target directory share this
/// binary, and it would otherwise work on the clone that built it.
pub fn root() -> PathBuf {
    let compiled = Path::new(env!("CARGO_MANIFEST_DIR"));
    let running = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    let start = running.as_deref().unwrap_or(compiled);
    start
        .ancestors()
        .find(|dir| dir.join("xtask/Cargo.toml").is_file())
        .unwrap_or_else(|| compiled.parent().expect("xtask lives in the workspace"))
        .to_path_buf()
}
