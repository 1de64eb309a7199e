//! The formatters generated code goes through, so it reads like code a person wrote: ruff for
//! Python, prettier for JavaScript and TypeScript. Each is pinned (ruff in
//! `bindings/python/requirements-dev.txt`, prettier in `bindings/node/package.json`) and set up
//! on first use, so `cargo xtask gen` on a fresh clone formats exactly as CI does.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

use anyhow::{Context, Result, bail};

use crate::process::run;

/// Formats `text` as the file `rel` (relative to a workspace root), whose extension picks the
/// tool. The tools and their settings always come from this workspace, so a copy of the
/// inputs elsewhere (as the tests make) formats the same.
pub fn format(rel: &str, text: String) -> Result<String> {
    let root = &crate::root();
    if rel.ends_with(".py") {
        pipe(&ruff(root)?, &["format", "--quiet", "--stdin-filename", rel, "-"], root, text)
    } else if let Some(local) =
        rel.strip_prefix("bindings/node/").filter(|r| [".js", ".mjs", ".ts"].iter().any(|e| r.ends_with(e)))
    {
        let dir = root.join("bindings/node");
        pipe(&prettier(root)?, &["--stdin-filepath", local], &dir, text)
    } else {
        Ok(text)
    }
}

fn pipe(program: &Path, args: &[&str], dir: &Path, text: String) -> Result<String> {
    let mut child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot run {}", program.display()))?;
    child.stdin.take().context("a piped stdin")?.write_all(text.as_bytes())?;
    let out = child.wait_with_output()?;
    if !out.status.success() {
        bail!("{} {} failed: {}", program.display(), args.join(" "), String::from_utf8_lossy(&out.stderr));
    }
    String::from_utf8(out.stdout).context("formatter output is not UTF-8")
}

/// Tests generate in parallel threads; one of them sets a tool up while the others wait.
static SETUP: Mutex<()> = Mutex::new(());

/// `ruff` from the project's virtualenv, (re)installed when missing or not at the pinned version.
fn ruff(root: &Path) -> Result<PathBuf> {
    let _one = SETUP.lock().unwrap_or_else(|e| e.into_inner());
    let ruff = root.join("target/py/bin/ruff");
    let requirements = std::fs::read_to_string(root.join("bindings/python/requirements-dev.txt"))?;
    let pin = requirements
        .lines()
        .find(|l| l.starts_with("ruff=="))
        .context("bindings/python/requirements-dev.txt pins no ruff==")?;
    let wanted = format!("ruff {}", pin.trim_start_matches("ruff=="));
    let installed = Command::new(&ruff).arg("--version").output().ok();
    if installed.is_none_or(|o| String::from_utf8_lossy(&o.stdout).trim() != wanted) {
        let python = crate::venv::bare_venv(root)?;
        run(&python, &["-m", "pip", "install", "--quiet", pin], root, &[])?;
    }
    Ok(ruff)
}

/// `prettier` from the Node package's dependencies, installed with `npm ci` when missing or not
/// at the version `package.json` pins.
fn prettier(root: &Path) -> Result<PathBuf> {
    let _one = SETUP.lock().unwrap_or_else(|e| e.into_inner());
    let dir = root.join("bindings/node");
    let version = |path: PathBuf| -> Option<String> {
        let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
        Some(json["devDependencies"]["prettier"].as_str().or(json["version"].as_str())?.to_owned())
    };
    let wanted = version(dir.join("package.json")).context("bindings/node/package.json pins no prettier")?;
    if version(dir.join("node_modules/prettier/package.json")) != Some(wanted) {
        run("npm", &["ci", "--no-audit", "--no-fund"], &dir, &[])?;
    }
    Ok(dir.join("node_modules/.bin/prettier"))
}
