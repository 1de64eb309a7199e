//! The SDK against a backend we did not write: the NestJS app in `tests/nestjs` (the real
//! `@nestjs/swagger`, throttler, validation pipe and TypeORM-style answers). `cargo xtask test`
//! starts it, regenerates every client from the spec it serves in a scratch copy of the
//! workspace (which must build), and runs against it the Rust quickstart, a Python and a Node
//! check, and every shared scenario that injects no fault, in all three languages.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::process::{cargo_with, run};

/// The running app; killed when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// `node dist/main.js` on a free loopback port; its first line of output names the URL.
    fn start(dir: &Path) -> Result<Self> {
        let mut child = Command::new("node")
            .arg("dist/main.js")
            .current_dir(dir)
            .env("PORT", "0")
            // The app exits when this pipe closes: when xtask ends, however it ends.
            .env("EXIT_WITH_STDIN", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("cannot start node dist/main.js")?;
        let stdout = child.stdout.take().context("no stdout")?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let mut server = Server { child, url: String::new() };
        let line =
            rx.recv_timeout(Duration::from_secs(60)).context("the NestJS app did not start in 60 s")?;
        match line.trim().strip_prefix("listening on ") {
            Some(url) => server.url = url.to_owned(),
            None => bail!("the NestJS app said {line:?} instead of where it listens"),
        }
        Ok(server)
    }
}

/// Everything against the NestJS app. `target` is the explicit build target the suite uses;
/// the Python virtualenv and the Node package must be built already.
pub fn check(root: &Path, target: &[(&str, &str)], python: &Path) -> Result<()> {
    let dir = root.join("tests/nestjs");
    run("npm", &["ci", "--no-audit", "--no-fund", "--loglevel=error"], &dir, &[])?;
    run("npm", &["run", "build"], &dir, &[])?;
    let server = Server::start(&dir)?;
    println!("nestjs: the reference backend is at {}", server.url);
    let scratch = regenerate(root, &server.url, target)?;
    regenerated_bindings(root, &scratch, &server.url, target, python)?;
    let with_url = [target[0], ("ALURA_BASE_URL", server.url.as_str())];
    cargo_with(root, &["run", "--quiet", "-p", "alura", "--example", "quickstart"], &with_url)?;
    run(python, &["tests/nestjs/clients/check.py", &server.url], root, &[])?;
    run("node", &["tests/nestjs/clients/check.mjs", &server.url], root, &[])?;
    let scenarios = [target[0], ("ALURA_SCENARIO_BASE_URL", server.url.as_str())];
    let rust =
        ["test", "--quiet", "-p", "alura", "--test", "scenarios", "--", "--ignored", "against_a_backend"];
    cargo_with(root, &rust, &scenarios)?;
    let pytest = ["-m", "pytest", "-q", "bindings/python/tests/test_scenarios.py", "-k", "backend"];
    run(python, &pytest, root, &scenarios[1..])?;
    let node = ["--test", "--test-name-pattern", "against a backend", "test/scenarios.test.js"];
    run("node", &node, &root.join("bindings/node"), &scenarios[1..])
}

/// `cargo xtask fetch --write && cargo xtask gen --allow-stale` in a copy of the workspace's
/// tracked files, then a build of the regenerated Rust client, as a user does the day the
/// backend changes. The copy builds into the workspace's target directory, so only our own
/// crates compile again. Returns the copy.
fn regenerate(root: &Path, url: &str, target: &[(&str, &str)]) -> Result<std::path::PathBuf> {
    let scratch = root.join("target/nestjs-regen");
    if scratch.exists() {
        std::fs::remove_dir_all(&scratch).context("clearing target/nestjs-regen")?;
    }
    // Tracked files and new ones not ignored: the workspace as it is, uncommitted work included.
    let listed = Command::new("git")
        .args(["ls-files", "-z", "--cached", "--others", "--exclude-standard"])
        .current_dir(root)
        .output()
        .context("git ls-files (the NestJS step copies the workspace's files, and needs a git checkout)")?;
    if !listed.status.success() {
        bail!("git ls-files failed: is {} a git checkout?", root.display());
    }
    for rel in listed.stdout.split(|b| *b == 0).filter(|p| !p.is_empty()) {
        let rel = std::str::from_utf8(rel).context("a tracked path that is not UTF-8")?;
        let (from, to) = (root.join(rel), scratch.join(rel));
        if !from.is_file() {
            continue;
        }
        std::fs::create_dir_all(to.parent().context("a path without a parent")?)?;
        std::fs::copy(&from, &to).with_context(|| format!("copying {rel}"))?;
    }
    separate_artifacts(&scratch)?;
    crate::spec::fetch::run(url, &scratch.join(crate::generate::RAW), false, true)?;
    crate::generate::run(&scratch, false, false, true)?;
    let target_dir = root.join("target");
    let target_dir = target_dir.to_str().context("a UTF-8 target directory")?;
    let envs = [target[0], ("CARGO_TARGET_DIR", target_dir)];
    cargo_with(&scratch, &["build", "--quiet", "-p", "alura", "--example", "quickstart"], &envs)?;
    println!("nestjs: regenerated from {url}, and the regenerated Rust client builds");
    Ok(scratch)
}

/// The regenerated Python and Node packages, built from the copy as `cargo xtask test` builds
/// ours, log in and trade against the app (the copy's `check.py` and `check.mjs`, which load
/// the copy's packages).
fn regenerated_bindings(
    root: &Path,
    scratch: &Path,
    url: &str,
    target: &[(&str, &str)],
    python: &Path,
) -> Result<()> {
    let target_dir = root.join("target");
    let target_dir = target_dir.to_str().context("a UTF-8 target directory")?;
    let envs = [target[0], ("CARGO_TARGET_DIR", target_dir)];
    let node = scratch.join("bindings/node");
    run("npm", &["ci", "--no-audit", "--no-fund", "--loglevel=error"], &node, &[])?;
    run("npm", &["run", "build"], &node, &envs)?;
    run("node", &["tests/nestjs/clients/check.mjs", url], scratch, &[])?;
    let wheels = scratch.join("target/wheels");
    let site = scratch.join("target/site");
    let (wheels_arg, site_arg) = (wheels.to_str().context("UTF-8")?, site.to_str().context("UTF-8")?);
    let build = [
        "-m",
        "maturin",
        "build",
        "--quiet",
        "--profile",
        "dev",
        "-m",
        "bindings/python/Cargo.toml",
        "-o",
        wheels_arg,
    ];
    run(python, &build, scratch, &envs)?;
    let wheel = std::fs::read_dir(&wheels)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "whl"))
        .context("maturin made no wheel")?;
    let wheel = wheel.to_str().context("UTF-8")?;
    run(
        python,
        &["-m", "pip", "install", "--quiet", "--no-deps", "--target", site_arg, wheel],
        scratch,
        &[],
    )?;
    run(python, &["tests/nestjs/clients/check.py", url], scratch, &[("PYTHONPATH", site_arg)])?;
    println!("nestjs: the regenerated Python and Node packages build and trade");
    Ok(())
}

/// Gives the copy's own crates another version. Cargo names a workspace member's artifacts by
/// its name, version and path relative to the workspace, all the same in the copy: without
/// this, the regenerated crates would be built over ours in the shared target directory (and
/// ours, built next, taken for fresh). Dependencies keep theirs, so they are not built again.
fn separate_artifacts(scratch: &Path) -> Result<()> {
    let manifest = scratch.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).context("reading the copy's Cargo.toml")?;
    let ours = format!("version = \"{}\"", env!("CARGO_PKG_VERSION"));
    if text.matches(&ours).count() < 3 {
        bail!("the copy's Cargo.toml does not give the workspace version where expected ({ours})");
    }
    // A pre-release maturin and napi can both write (PEP 440 `a1`).
    let regen = format!("version = \"{}-alpha.1\"", env!("CARGO_PKG_VERSION"));
    std::fs::write(&manifest, text.replace(&ours, &regen)).context("writing the copy's Cargo.toml")
}
