//! Packaging: `cargo xtask version` writes the workspace version into every `package.json` and
//! derives the per-platform npm packages from the main one.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail, ensure};
use serde_json::{Map, Value, json};

/// One platform we publish native code for.
pub struct Platform {
    /// The Rust target triple.
    pub triple: &'static str,
    /// napi-rs's name for it: the addon is `alura.<node>.node` in the npm package `alura-<node>`.
    pub node: &'static str,
    /// For people: "Linux x64 (glibc)".
    pub label: &'static str,
    /// npm's `os`, `cpu` and `libc` for the addon package.
    pub os: &'static str,
    pub cpu: &'static str,
    pub libc: Option<&'static str>,
    /// maturin's `--compatibility` when `cargo xtask dist` builds the wheel here; `None` for the
    /// platforms only the release workflow can build (macOS and Windows need their SDKs).
    pub here: Option<&'static str>,
}

/// Every platform with prebuilt wheels and addons, in the order packages list them.
pub const PLATFORMS: [Platform; 6] = [
    Platform {
        triple: "x86_64-unknown-linux-gnu",
        node: "linux-x64-gnu",
        label: "Linux x64 (glibc)",
        os: "linux",
        cpu: "x64",
        libc: Some("glibc"),
        here: Some("manylinux2014"),
    },
    Platform {
        triple: "aarch64-unknown-linux-gnu",
        node: "linux-arm64-gnu",
        label: "Linux arm64 (glibc)",
        os: "linux",
        cpu: "arm64",
        libc: Some("glibc"),
        here: Some("manylinux2014"),
    },
    Platform {
        triple: "x86_64-unknown-linux-musl",
        node: "linux-x64-musl",
        label: "Linux x64 (musl)",
        os: "linux",
        cpu: "x64",
        libc: Some("musl"),
        here: Some("musllinux_1_2"),
    },
    Platform {
        triple: "x86_64-apple-darwin",
        node: "darwin-x64",
        label: "macOS x64",
        os: "darwin",
        cpu: "x64",
        libc: None,
        here: None,
    },
    Platform {
        triple: "aarch64-apple-darwin",
        node: "darwin-arm64",
        label: "macOS arm64",
        os: "darwin",
        cpu: "arm64",
        libc: None,
        here: None,
    },
    Platform {
        triple: "x86_64-pc-windows-msvc",
        node: "win32-x64-msvc",
        label: "Windows x64",
        os: "win32",
        cpu: "x64",
        libc: None,
        here: None,
    },
];

/// The platform of `triple` (the host's, usually).
pub fn platform(triple: &str) -> Result<&'static Platform> {
    PLATFORMS
        .iter()
        .find(|p| p.triple == triple)
        .with_context(|| format!("no prebuilt packages for {triple}"))
}

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

fn read_json(path: &Path) -> Result<Value> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

/// JSON as npm writes it: two spaces, a final newline.
fn npm_json(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("JSON values always serialize");
    text.push('\n');
    text
}

/// The npm package holding the addon for `p`, derived from the main package's manifest.
fn addon_manifest(main: &Value, p: &Platform) -> Value {
    let name = main["name"].as_str().unwrap_or("alura");
    let binary = main["napi"]["binaryName"].as_str().unwrap_or(name);
    let file = format!("{binary}.{}.node", p.node);
    let mut m = Map::new();
    m.insert("name".into(), json!(format!("{name}-{}", p.node)));
    m.insert("version".into(), main["version"].clone());
    m.insert(
        "description".into(),
        json!(format!(
            "The {} native addon of {name}, the Alura Trading SDK for Node (installed by {name})",
            p.label
        )),
    );
    for key in ["license", "author", "homepage", "repository", "bugs"] {
        if let Some(v) = main.get(key) {
            m.insert(key.into(), v.clone());
        }
    }
    m.insert("os".into(), json!([p.os]));
    m.insert("cpu".into(), json!([p.cpu]));
    if let Some(libc) = p.libc {
        m.insert("libc".into(), json!([libc]));
    }
    m.insert("main".into(), json!(file));
    m.insert("files".into(), json!([file, "LICENSE-MIT", "LICENSE-APACHE"]));
    if let Some(v) = main.get("engines") {
        m.insert("engines".into(), v.clone());
    }
    Value::Object(m)
}

fn addon_readme(main: &Value, p: &Platform) -> String {
    let name = main["name"].as_str().unwrap_or("alura");
    format!(
        "# `{name}-{node}`\n\nThe {label} native addon (`{triple}`) of [`{name}`](https://www.npmjs.com/package/{name}), \
         the Alura Trading SDK for Node.\n\nDo not install it yourself: `npm install {name}` picks the addon for your \
         platform as an optional dependency.\n",
        node = p.node,
        label = p.label,
        triple = p.triple,
    )
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
    let changelog = fs::read_to_string(root.join("CHANGELOG.md")).context("reading CHANGELOG.md")?;
    ensure!(
        changelog
            .lines()
            .any(|l| l.strip_prefix("## ").and_then(|h| h.split_whitespace().next()) == Some(&version)),
        "CHANGELOG.md has no `## {version}` section for the version of Cargo.toml"
    );
    if !stale.is_empty() {
        bail!(
            "out of date with version {version} of Cargo.toml and bindings/node/package.json (run `cargo xtask version`): {}",
            stale.join(", ")
        );
    }
    Ok(())
}
