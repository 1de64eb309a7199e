//! The Python virtualenv under `target/py` that the test command, the formatter and the bench use.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::process::run;

/// The virtualenv under `target/py`, made on first use; returns its python.
pub fn bare_venv(root: &Path) -> Result<PathBuf> {
    let venv = root.join("target/py");
    let python = venv.join("bin/python");
    if !python.exists() {
        let system = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
        run(&system, &["-m", "venv", venv.to_str().context("a UTF-8 path")?], root, &[])?;
    }
    Ok(python)
}

/// The virtualenv the Python suites use, with the dev requirements installed.
pub fn venv(root: &Path) -> Result<PathBuf> {
    let python = bare_venv(root)?;
    run(
        &python,
        &["-m", "pip", "install", "--quiet", "-r", "bindings/python/requirements-dev.txt"],
        root,
        &[],
    )?;
    Ok(python)
}
