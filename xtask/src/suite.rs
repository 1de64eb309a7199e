//! `cargo xtask test`: every check and test suite, in every language, from a fresh clone.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::generate;

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

/// Everything, in the order a failure is cheapest to find.
pub fn all(root: &Path) -> Result<()> {
    let triple = host_triple()?;
    let target = [("CARGO_BUILD_TARGET", triple.as_str())];
    cargo(root, &["fmt", "--all", "--check"])?;
    generate::run(root, true, false)?;
    versions(root)?;
    cargo_with(
        root,
        &["clippy", "--workspace", "--all-targets", "--quiet", "--", "-D", "warnings"],
        &target,
    )?;
    cargo_with(root, &["test", "--workspace"], &target)?;
    python(root, &target)?;
    crate::fuzz::schemathesis(root, &venv(root)?)?;
    node(root, &target)
}

/// The virtualenv the Python suites use, made on first use under `target/`.
pub fn venv(root: &Path) -> Result<PathBuf> {
    let venv = root.join("target/py");
    let python = venv.join("bin/python");
    if !python.exists() {
        let system = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
        run(&system, &["-m", "venv", venv.to_str().context("a UTF-8 path")?], root, &[])?;
    }
    run(
        &python,
        &["-m", "pip", "install", "--quiet", "-r", "bindings/python/requirements-dev.txt"],
        root,
        &[],
    )?;
    Ok(python)
}

/// The spec lint, then the package installed as a user installs it, then its test suite.
fn python(root: &Path, target: &[(&str, &str)]) -> Result<()> {
    let python = venv(root)?;
    run(&python, &["-m", "openapi_spec_validator", "openapi/alura.json"], root, &[])?;
    // The dev profile shares the workspace's debug build instead of compiling everything again.
    let pep517 = [("MATURIN_PEP517_ARGS", "--profile dev"), target[0]];
    run(&python, &["-m", "pip", "install", "--quiet", "./bindings/python"], root, &pep517)?;
    run(
        &python,
        &["-c", "import alura; print('import alura:', alura.Client, alura.__version__)"],
        root,
        &[],
    )?;
    run(&python, &["-m", "pytest", "-q", "bindings/python/tests"], root, &[])
}

/// The spec through `redocly lint`, the npm package as a user builds it (`npm ci`, `npm run
/// build`), then its node:test suite,
/// which also type-checks the TypeScript example and the compile-fail fixture.
fn node(root: &Path, target: &[(&str, &str)]) -> Result<()> {
    let dir = root.join("bindings/node");
    run("npm", &["ci", "--no-audit", "--no-fund"], &dir, &[])?;
    run("npm", &["run", "lint:spec"], &dir, &[])?;
    run("npm", &["run", "build"], &dir, target)?;
    run("npm", &["test"], &dir, &[])
}

/// Every package.json carries the workspace version, and CHANGELOG.md has a section for it
/// (`cargo xtask version --check`).
fn versions(root: &Path) -> Result<()> {
    crate::dist::version(root, true)
}
