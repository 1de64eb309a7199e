//! `cargo xtask soak`: the chaos soak (`crates/alura-soak`) against the simulator, built
//! beside it. The test command runs it for a minute.

use std::path::Path;

use anyhow::Result;

use crate::process::cargo_with;

pub fn run(root: &Path, target: &[(&str, &str)], duration: u64, seed: u64) -> Result<()> {
    // The soak starts the simulator's binary from beside its own.
    cargo_with(root, &["build", "--quiet", "-p", "alura-mock"], target)?;
    let (duration, seed) = (duration.to_string(), seed.to_string());
    cargo_with(
        root,
        &["run", "--quiet", "-p", "alura-soak", "--", "--duration", &duration, "--seed", &seed],
        target,
    )
}
