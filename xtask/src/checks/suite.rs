//! `cargo xtask test`: every check and test suite, in every language, from a fresh clone.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::process::{cargo, cargo_with, host_triple, run};
use crate::venv::{bare_venv, venv};
use crate::{generate, release};

/// Everything, in the order a failure is cheapest to find.
pub fn all(root: &Path) -> Result<()> {
    let triple = host_triple()?;
    let target = [("CARGO_BUILD_TARGET", triple.as_str())];
    cargo(root, &["fmt", "--all", "--check"])?;
    generate::run(root, true, false, false)?;
    versions(root)?;
    cargo_with(
        root,
        &["clippy", "--workspace", "--all-targets", "--quiet", "--", "-D", "warnings"],
        &target,
    )?;
    cargo_with(root, &["test", "--workspace"], &target)?;
    crate::checks::examples::rust(root, &target)?;
    python(root, &target)?;
    crate::checks::fuzz::schemathesis(root, &venv(root)?)?;
    node(root, &target)?;
    crate::checks::soak::run(root, &target, 60, 1, crate::checks::soak::Bindings::Built)?;
    crate::checks::nestjs::check(root, &target, &bare_venv(root)?)?;
    installed(root)?;
    actionlint(root)
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
    crate::release::version(root, true)
}

/// `PATH` as a user without Rust has it: `first`, then every directory of ours that holds no
/// `cargo` and no `rustc`.
fn path_without_rust(first: Option<&Path>) -> Result<String> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let kept =
        std::env::split_paths(&path).filter(|d| !d.join("cargo").exists() && !d.join("rustc").exists());
    let joined = std::env::join_paths(first.map(Path::to_path_buf).into_iter().chain(kept))?;
    joined.into_string().map_err(|_| anyhow::anyhow!("PATH is not UTF-8"))
}

/// Runs `program args` in `dir` with `path` as PATH and no Cargo or rustup variables.
fn run_without_rust(program: impl AsRef<Path>, args: &[&str], dir: &Path, path: &str) -> Result<()> {
    let program = program.as_ref();
    let mut command = Command::new(program);
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        if key.starts_with("CARGO") || key.starts_with("RUSTUP") || key.starts_with("RUSTC") {
            command.env_remove(key.as_ref());
        }
    }
    let status = command
        .args(args)
        .current_dir(dir)
        .env("PATH", path)
        .status()
        .with_context(|| format!("cannot run {}", program.display()))?;
    if !status.success() {
        bail!("`{} {}` failed ({status})", program.display(), args.join(" "));
    }
    Ok(())
}

/// The host's wheel and npm tarballs installed as users install them, each with its smoke script
/// (`cargo xtask installed`, the last step of `cargo xtask test`, whose builds it reuses).
pub fn installed(root: &Path) -> Result<()> {
    let triple = host_triple()?;
    installed_python(root, &[("CARGO_BUILD_TARGET", triple.as_str())])?;
    installed_node(root)
}

/// The Python package installed as users install it: the host's wheel, built from the debug build
/// the Python suite just made (no compiling), checked for stray binaries, installed into a fresh
/// virtualenv with no Rust on PATH, then the smoke script against the simulator it carries. Also
/// the sdist (no compiling either), checked for every crate it needs.
fn installed_python(root: &Path, target: &[(&str, &str)]) -> Result<()> {
    let started = std::time::Instant::now();
    let python = root.join("target/py/bin/python");
    let dev = root.join("target/dist/dev");
    let wheels = dev.join("wheel");
    release::fresh_dir(&wheels)?;
    let out = wheels.to_str().context("a UTF-8 path")?;
    let maturin = python.with_file_name("maturin");
    run(
        &maturin,
        &["build", "--quiet", "--profile", "dev", "-m", "bindings/python/Cargo.toml", "-o", out],
        root,
        target,
    )?;
    let wheel = release::only_file(&wheels, ".whl")?;
    release::check_wheel(&python, &wheel)?;

    let env = dev.join("venv");
    if env.exists() {
        std::fs::remove_dir_all(&env)?;
    }
    let system = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    run(&system, &["-m", "venv", env.to_str().context("a UTF-8 path")?], root, &[])?;
    let bin = env.join("bin");
    let path = path_without_rust(Some(&bin))?;
    let pip_wheel = format!("{}[pandas]", wheel.to_str().context("a UTF-8 path")?);
    let py = bin.join("python");
    run_without_rust(
        &py,
        &["-m", "pip", "install", "--quiet", "--only-binary", ":all:", &pip_wheel],
        &dev,
        &path,
    )?;
    let smoke = root.join("xtask/smoke/smoke.py");
    run_without_rust(&py, &[smoke.to_str().context("a UTF-8 path")?, "--no-rust"], &dev, &path)?;

    let sdist = release::sdist(root, &python, &dev.join("sdist"))?;
    release::check_sdist(root, &python, &sdist)?;
    println!(
        "installed wheel ({}, debug build) and sdist ({}) checked in {:.0} s",
        release::size(&wheel),
        release::size(&sdist),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The npm packages installed as users install them: the main package and the host's addon
/// package (the debug addon `npm run build` just made), packed with `npm pack`, installed into a
/// fresh project with no Rust on PATH (offline: npm takes both from the tarballs and skips the
/// other platforms' optional addons), then the smoke script through require and through import.
/// A second project installs the main package alone: requiring it must fail naming the platform.
fn installed_node(root: &Path) -> Result<()> {
    let started = std::time::Instant::now();
    let host = release::platform(&host_triple()?)?;
    let native = root.join("bindings/node/native");
    let dev = root.join("target/dist/dev/npm");
    let addon = native.join(format!("alura.{}.node", host.node));
    let tarballs = release::pack_npm(root, &dev, &native, &[(host, addon)])?;
    let tarballs: Vec<&str> =
        tarballs.iter().map(|t| t.to_str().context("a UTF-8 path")).collect::<Result<_>>()?;
    let path = path_without_rust(None)?;
    let smoke = root.join("xtask/smoke");
    for (name, packages) in [("project", &tarballs[..]), ("bare", &tarballs[..1])] {
        let project = dev.join(name);
        release::fresh_dir(&project)?;
        std::fs::write(
            project.join("package.json"),
            "{ \"name\": \"alura-install-check\", \"private\": true }\n",
        )?;
        let mut install = vec!["install", "--offline", "--no-audit", "--no-fund", "--loglevel=error"];
        install.extend(packages);
        run_without_rust("npm", &install, &project, &path)?;
        for file in ["smoke-run.cjs", "smoke.cjs", "smoke.mjs", "no-addon.cjs"] {
            std::fs::copy(smoke.join(file), project.join(file))?;
        }
    }
    let project = dev.join("project");
    run_without_rust("node", &["smoke.cjs", "--no-rust"], &project, &path)?;
    run_without_rust("node", &["smoke.mjs", "--no-rust"], &project, &path)?;
    run_without_rust("node", &["no-addon.cjs", host.node], &dev.join("bare"), &path)?;
    let sizes: Vec<String> = tarballs.iter().map(|t| release::size(Path::new(t))).collect();
    println!(
        "installed npm tarballs ({}, debug addon) checked in {:.0} s",
        sizes.join(" + "),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The release workflow through actionlint (from target/py), so it cannot rot unnoticed.
fn actionlint(root: &Path) -> Result<()> {
    run(root.join("target/py/bin/actionlint"), &[".github/workflows/release.yml"], root, &[])?;
    println!("actionlint: .github/workflows/release.yml is clean");
    Ok(())
}
