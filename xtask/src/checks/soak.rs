//! `cargo xtask soak`: the chaos soak (`crates/alura-soak`) against the simulator, with clients
//! in Rust, Python and Node. The test command runs it for a minute, once both bindings are
//! built; on its own it builds them first.

use std::path::Path;

use anyhow::{Context, Result};

use crate::process::{cargo_with, run as run_program};
use crate::venv::bare_venv;

/// Which bindings to build before the run: the test command has just built both.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Bindings {
    Build,
    Built,
}

pub fn run(root: &Path, target: &[(&str, &str)], duration: u64, seed: u64, bindings: Bindings) -> Result<()> {
    let python = bare_venv(root)?;
    if bindings == Bindings::Build {
        let pep517 = [("MATURIN_PEP517_ARGS", "--profile dev"), target[0]];
        run_program(&python, &["-m", "pip", "install", "--quiet", "./bindings/python"], root, &pep517)?;
        let node = root.join("bindings/node");
        if !node.join("node_modules").exists() {
            run_program("npm", &["ci", "--no-audit", "--no-fund"], &node, &[])?;
        }
        run_program("npm", &["run", "build"], &node, target)?;
    }
    // The soak starts the simulator's binary from beside its own.
    cargo_with(root, &["build", "--quiet", "-p", "alura-mock"], target)?;
    let (duration, seed) = (duration.to_string(), seed.to_string());
    let python = python.to_str().context("a UTF-8 path")?;
    cargo_with(
        root,
        &[
            "run",
            "--quiet",
            "-p",
            "alura-soak",
            "--",
            "--duration",
            &duration,
            "--seed",
            &seed,
            "--python",
            python,
        ],
        target,
    )
}
