//! Running other programs, for every job of xtask: a command that fails names its command line.
//! A leaf module: the jobs (suite, dist, fuzz, bench, ...) use it, and it uses none of them.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

/// Runs `program args` in `dir`, failing with the command line when it fails.
pub fn run(program: impl AsRef<Path>, args: &[&str], dir: &Path, envs: &[(&str, &str)]) -> Result<()> {
    let program = program.as_ref();
    let status = Command::new(program)
        .args(args)
        .current_dir(dir)
        .envs(envs.iter().copied())
        .status()
        .with_context(|| format!("cannot run {}", program.display()))?;
    if !status.success() {
        bail!("`{} {}` failed ({status})", program.display(), args.join(" "));
    }
    Ok(())
}

pub fn cargo(root: &Path, args: &[&str]) -> Result<()> {
    cargo_with(root, args, &[])
}

pub fn cargo_with(root: &Path, args: &[&str], envs: &[(&str, &str)]) -> Result<()> {
    run(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()), args, root, envs)
}

/// The host's target triple. `napi build` always passes `--target`, which puts its artifacts
/// under `target/<triple>/`; building everything else for the same explicit target lets cargo,
/// maturin and napi share one set of artifacts instead of compiling the workspace twice.
pub fn host_triple() -> Result<String> {
    let out = Command::new("rustc").arg("-vV").output().context("cannot run rustc -vV")?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_owned))
        .context("rustc -vV names no host")
}
