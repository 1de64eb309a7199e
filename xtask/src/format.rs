//! The formatters generated code goes through, so it reads like code a person wrote: ruff for
//! Python, prettier for JavaScript and TypeScript. Each is pinned (ruff in
//! `bindings/python/requirements-dev.txt`, prettier in `bindings/node/package.json`) and set up
//! on first use, so `cargo xtask gen` on a fresh clone formats exactly as CI does.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::suite::run;

/// Formats `text` as the file `rel` (relative to a workspace root), whose extension picks the
/// tool. The tools and their settings always come from this workspace, so a copy of the
/// inputs elsewhere (as the tests make) formats the same.
pub fn format(rel: &str, text: String) -> Result<String> {
    let root = &crate::root();
    if rel.ends_with(".py") {
        pipe(&ruff(root)?, &["format", "--quiet", "--stdin-filename", rel, "-"], root, text)
    } else if let Some(local) =
        rel.strip_prefix("bindings/node/").filter(|r| r.ends_with(".js") || r.ends_with(".ts"))
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

/// `ruff` from the project's virtualenv, installed at the pinned version when missing.
fn ruff(root: &Path) -> Result<PathBuf> {
    let ruff = root.join("target/py/bin/ruff");
    if !ruff.exists() {
        let requirements = std::fs::read_to_string(root.join("bindings/python/requirements-dev.txt"))?;
        let pin = requirements
            .lines()
            .find(|l| l.starts_with("ruff=="))
            .context("bindings/python/requirements-dev.txt pins no ruff==")?;
        let python = crate::suite::bare_venv(root)?;
        run(&python, &["-m", "pip", "install", "--quiet", pin], root, &[])?;
    }
    Ok(ruff)
}

/// `prettier` from the Node package's dependencies, installed with `npm ci` when missing.
fn prettier(root: &Path) -> Result<PathBuf> {
    let dir = root.join("bindings/node");
    let prettier = dir.join("node_modules/.bin/prettier");
    if !prettier.exists() {
        run("npm", &["ci", "--no-audit", "--no-fund"], &dir, &[])?;
    }
    Ok(prettier)
}
