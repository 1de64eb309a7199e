//! One version everywhere: the workspace's (Cargo.toml) written into every `package.json`, and the
//! per-platform npm packages derived from `bindings/node/package.json`.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail, ensure};
use serde_json::{Value, json};

use super::PLATFORMS;
use super::npm::{addon_manifest, addon_readme};

/// The version of every package: `[workspace.package] version` of the root `Cargo.toml`.
pub fn workspace_version(root: &Path) -> Result<String> {
    let text = fs::read_to_string(root.join("Cargo.toml")).context("reading Cargo.toml")?;
    let mut in_section = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_section = line == "[workspace.package]";
        } else if in_section
            && let Some(value) =
                line.strip_prefix("version").map(str::trim_start).and_then(|l| l.strip_prefix('='))
        {
            return Ok(value.trim().trim_matches('"').to_owned());
        }
    }
    bail!("Cargo.toml has no version in [workspace.package]")
}

pub(super) fn read_json(path: &Path) -> Result<Value> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

/// JSON as npm writes it: two spaces, a final newline.
pub(super) fn npm_json(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("JSON values always serialize");
    text.push('\n');
    text
}

/// The crates we publish (alura-api, then alura, which depends on it) must name each other's
/// version for crates.io; `[workspace.dependencies]` carries it beside the path. alura-mock stays a
/// path alone: it is a dev-dependency of alura, which publishing drops.
const PUBLISHED: [&str; 2] = ["alura-api", "alura"];

fn cargo_toml(root: &Path, version: &str) -> Result<String> {
    let text = fs::read_to_string(root.join("Cargo.toml")).context("reading Cargo.toml")?;
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.split_inclusive('\n') {
        let name = line.split(" = {").next().unwrap_or("");
        match line.split_once("path = ") {
            Some((_, rest)) if PUBLISHED.contains(&name) => {
                out.push_str(&format!("{name} = {{ version = \"{version}\", path = {rest}"));
            }
            _ => out.push_str(line),
        }
    }
    Ok(out)
}

/// Every file `cargo xtask version` owns, with the contents it should have.
fn package_files(root: &Path) -> Result<Vec<(PathBuf, String)>> {
    let version = workspace_version(root)?;
    let node = root.join("bindings/node");
    let mut main = read_json(&node.join("package.json"))?;
    main["version"] = json!(version);
    main["napi"]["targets"] = json!(PLATFORMS.iter().map(|p| p.triple).collect::<Vec<_>>());
    let mut lock = read_json(&node.join("package-lock.json"))?;
    lock["version"] = json!(version);
    if let Some(own) = lock.get_mut("packages").and_then(|p| p.get_mut("")).and_then(Value::as_object_mut) {
        own.insert("version".into(), json!(version));
    }
    let mut files =
        vec![(node.join("package.json"), npm_json(&main)), (node.join("package-lock.json"), npm_json(&lock))];
    files.push((root.join("Cargo.toml"), cargo_toml(root, &version)?));
    for p in &PLATFORMS {
        let dir = node.join("npm").join(p.node);
        files.push((dir.join("package.json"), npm_json(&addon_manifest(&main, p))));
        files.push((dir.join("README.md"), addon_readme(&main, p)));
    }
    Ok(files)
}

/// Writes the workspace version into `bindings/node/package.json` (and its lock file) and the
/// per-platform addon packages under `bindings/node/npm/`, which it derives from the main
/// package. With `check`, writes nothing and fails naming each file that is out of date. Either
/// way, CHANGELOG.md must have a section for the version.
pub fn version(root: &Path, check: bool) -> Result<()> {
    let mut stale = Vec::new();
    for (path, want) in package_files(root)? {
        if fs::read_to_string(&path).ok().as_deref() == Some(want.as_str()) {
            continue;
        }
        let shown = path.strip_prefix(root).unwrap_or(&path).display().to_string();
        if check {
            stale.push(shown);
        } else {
            if let Some(dir) = path.parent() {
                fs::create_dir_all(dir)?;
            }
            fs::write(&path, want).with_context(|| format!("writing {shown}"))?;
            println!("wrote {shown}");
        }
    }
    let version = workspace_version(root)?;
    let mut problems = Vec::new();
    if !stale.is_empty() {
        problems.push(format!(
            "out of date with version {version} of Cargo.toml and bindings/node/package.json (run `cargo xtask version`): {}",
            stale.join(", ")
        ));
    }
    let changelog = fs::read_to_string(root.join("CHANGELOG.md")).context("reading CHANGELOG.md")?;
    if !changelog
        .lines()
        .any(|l| l.strip_prefix("## ").and_then(|h| h.split_whitespace().next()) == Some(&version))
    {
        problems.push(format!("CHANGELOG.md has no `## {version}` section for the version of Cargo.toml"));
    }
    ensure!(problems.is_empty(), "{}", problems.join("\n"));
    Ok(())
}
