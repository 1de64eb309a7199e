//! Packaging: `cargo xtask dist` builds what users install (Python wheels and sdist, npm tarballs)
//! into `target/dist/`, and `cargo xtask version` writes the workspace version into every
//! `package.json`. The test command packs the host's packages with the same functions and installs
//! them as users do (see `suite::installed`).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

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

/// What `cargo xtask dist` installs into the `target/py` virtualenv besides the dev requirements:
/// zig as the cross linker, cargo-zigbuild (the version maturin 1.16 embeds, so napi's builds use
/// the same compiler wrappers and share maturin's compiled dependencies) and auditwheel.
const DIST_TOOLS: [&str; 3] = ["ziglang==0.17.1", "cargo-zigbuild==0.24.0", "auditwheel==6.8.2"];

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

/// `program args` in `dir`, its standard output as text.
fn output(program: impl AsRef<Path>, args: &[&str], dir: &Path) -> Result<String> {
    let program = program.as_ref();
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .with_context(|| format!("cannot run {}", program.display()))?;
    if !out.status.success() {
        bail!(
            "`{} {}` failed ({}): {}",
            program.display(),
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The names in a wheel or sdist (read with Python's zipfile and tarfile).
pub fn archive_names(python: &Path, archive: &Path) -> Result<Vec<String>> {
    let script = "import sys, tarfile, zipfile\n\
                  p = sys.argv[1]\n\
                  names = zipfile.ZipFile(p).namelist() if p.endswith('.whl') else tarfile.open(p).getnames()\n\
                  print('\\n'.join(names))";
    let path = archive.to_str().context("a UTF-8 path")?;
    Ok(output(python, &["-c", script, path], Path::new("."))?.lines().map(str::to_owned).collect())
}

const NATIVE_SUFFIXES: [&str; 6] = [".so", ".pyd", ".dylib", ".dll", ".node", ".a"];

/// A wheel holds one native file, the module maturin built, and the licence texts.
pub fn check_wheel(python: &Path, wheel: &Path) -> Result<()> {
    let names = archive_names(python, wheel)?;
    let native: Vec<&String> =
        names.iter().filter(|n| NATIVE_SUFFIXES.iter().any(|s| n.ends_with(s))).collect();
    ensure!(
        native.len() == 1 && native[0].starts_with("alura/_native."),
        "{}: expected one native module, alura/_native.*, found {native:?}",
        wheel.display()
    );
    for licence in ["LICENSE-MIT", "LICENSE-APACHE"] {
        ensure!(
            names.iter().any(|n| n.ends_with(&format!(".dist-info/licenses/{licence}"))),
            "{}: no {licence} in its dist-info",
            wheel.display()
        );
    }
    Ok(())
}

/// The workspace crates `alura-python` builds with, as (name, directory relative to the root).
fn python_crates(root: &Path) -> Result<Vec<(String, PathBuf)>> {
    let tree = output(
        std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()),
        &["tree", "-p", "alura-python", "-e", "normal,build", "--prefix", "none", "--no-dedupe", "-f", "{p}"],
        root,
    )?;
    let mut crates: Vec<(String, PathBuf)> = Vec::new();
    for line in tree.lines() {
        // `alura v0.1.0 (/work/main/crates/alura)`: only local crates name a directory.
        let Some((name, rest)) = line.split_once(' ') else { continue };
        let Some(dir) = rest.split_once(" (").and_then(|(_, d)| d.strip_suffix(')')) else { continue };
        let Ok(rel) = Path::new(dir).strip_prefix(root) else { continue };
        if !crates.iter().any(|(n, _)| n == name) {
            crates.push((name.to_owned(), rel.to_path_buf()));
        }
    }
    ensure!(crates.len() >= 4, "cargo tree found only {crates:?} under {}", root.display());
    Ok(crates)
}

/// The sdist builds on its own: it holds the workspace manifest and lock file, every file git
/// tracks under each workspace crate `alura-python` builds with, the spec the simulator embeds,
/// the Python sources and the licences, and no native binary.
pub fn check_sdist(root: &Path, python: &Path, sdist: &Path) -> Result<()> {
    let names = archive_names(python, sdist)?;
    let top = names.first().and_then(|n| n.split('/').next()).context("an empty sdist")?.to_owned();
    let has =
        |rel: &str| names.iter().any(|n| n.strip_prefix(&top).and_then(|n| n.strip_prefix('/')) == Some(rel));
    let mut missing = Vec::new();
    let mut wanted: Vec<String> = [
        "Cargo.toml",
        "Cargo.lock",
        "pyproject.toml",
        "README.md",
        "LICENSE-MIT",
        "LICENSE-APACHE",
        "openapi/alura.raw.json",
        "python/alura/__init__.py",
        "python/alura/py.typed",
    ]
    .map(String::from)
    .to_vec();
    let crates = python_crates(root)?;
    for (_, dir) in &crates {
        let dir = dir.to_str().context("a UTF-8 path")?;
        let tracked =
            output("git", &["ls-files", "--", &format!("{dir}/Cargo.toml"), &format!("{dir}/src")], root)?;
        wanted.extend(tracked.lines().map(str::to_owned));
    }
    for rel in &wanted {
        if !has(rel) {
            missing.push(rel.clone());
        }
    }
    ensure!(missing.is_empty(), "{}: missing {}", sdist.display(), missing.join(", "));
    let native: Vec<&String> =
        names.iter().filter(|n| NATIVE_SUFFIXES.iter().any(|s| n.ends_with(s))).collect();
    ensure!(native.is_empty(), "{}: native binaries in the sdist: {native:?}", sdist.display());
    println!(
        "sdist {}: {} files; crates {}",
        sdist.file_name().unwrap_or_default().to_string_lossy(),
        names.len(),
        crates.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", ")
    );
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target).with_context(|| format!("copying {}", entry.path().display()))?;
        }
    }
    Ok(())
}

pub fn fresh_dir(dir: &Path) -> Result<()> {
    if dir.exists() {
        fs::remove_dir_all(dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))
}

/// `npm pack` of the package in `dir` into `out`; the tarball's path.
fn npm_pack(dir: &Path, out: &Path) -> Result<PathBuf> {
    let dest = out.to_str().context("a UTF-8 path")?;
    let name = output("npm", &["pack", "--silent", "--pack-destination", dest], dir)?;
    let name = name.lines().last().context("npm pack named no tarball")?.trim();
    Ok(out.join(name))
}

/// Lays out and packs the npm packages into `out`: the main package (JavaScript, the loader and
/// types from `native`, `optionalDependencies` on every platform's addon package) and one package
/// per addon given. Returns the tarballs, the main package's first.
pub fn pack_npm(
    root: &Path,
    out: &Path,
    native: &Path,
    addons: &[(&Platform, PathBuf)],
) -> Result<Vec<PathBuf>> {
    let node = root.join("bindings/node");
    let stage = out.join("stage");
    fresh_dir(&stage)?;
    let mut main = read_json(&node.join("package.json"))?;
    let name = main["name"].as_str().context("package.json has a name")?.to_owned();
    let version = workspace_version(root)?;
    ensure!(main["version"] == json!(version), "bindings/node/package.json: run `cargo xtask version`");

    let dir = stage.join(&name);
    copy_dir(&node.join("lib"), &dir.join("lib"))?;
    fs::create_dir_all(dir.join("native"))?;
    fs::copy(node.join("npm/native-index.js"), dir.join("native/index.js"))?;
    for file in ["napi.cjs", "index.d.ts"] {
        fs::copy(native.join(file), dir.join("native").join(file))
            .with_context(|| format!("{}: build the addon first", native.join(file).display()))?;
    }
    fs::copy(node.join("README.md"), dir.join("README.md"))?;
    for file in ["LICENSE-MIT", "LICENSE-APACHE"] {
        fs::copy(root.join(file), dir.join(file))?;
    }
    let m = main.as_object_mut().context("package.json is an object")?;
    // Scripts and dev tools are for building in the repository, not for users.
    m.remove("scripts");
    m.remove("devDependencies");
    let optional: Map<String, Value> =
        PLATFORMS.iter().map(|p| (format!("{name}-{}", p.node), json!(version))).collect();
    m.insert("optionalDependencies".into(), Value::Object(optional));
    fs::write(dir.join("package.json"), npm_json(&main))?;
    let mut tarballs = vec![npm_pack(&dir, out)?];

    let manifest = read_json(&node.join("package.json"))?;
    for (p, addon) in addons {
        let pkg = addon_manifest(&manifest, p);
        let dir = stage.join(pkg["name"].as_str().context("a name")?);
        fs::create_dir_all(&dir)?;
        let file = pkg["main"].as_str().context("a main file")?;
        fs::copy(addon, dir.join(file)).with_context(|| format!("copying {}", addon.display()))?;
        fs::write(dir.join("package.json"), npm_json(&pkg))?;
        fs::write(dir.join("README.md"), addon_readme(&manifest, p))?;
        for file in ["LICENSE-MIT", "LICENSE-APACHE"] {
            fs::copy(root.join(file), dir.join(file))?;
        }
        tarballs.push(npm_pack(&dir, out)?);
    }
    Ok(tarballs)
}

/// `cargo xtask pack-npm`: the npm tarballs from addons built elsewhere (the release workflow's
/// runners): every `alura.<platform>.node` found under `addons`, napi's loader and types from
/// `native`, tarballs into `out`.
pub fn pack_npm_from(root: &Path, native: &Path, addons: &Path, out: &Path) -> Result<()> {
    let mut found = Vec::new();
    let mut dirs = vec![addons.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
            let path = entry?.path();
            if path.is_dir() {
                dirs.push(path);
            } else if let Some(p) =
                PLATFORMS.iter().find(|p| path.ends_with(format!("alura.{}.node", p.node)))
            {
                ensure!(
                    !found.iter().any(|(q, _): &(&Platform, PathBuf)| q.node == p.node),
                    "two addons for {}",
                    p.node
                );
                found.push((p, path));
            }
        }
    }
    found.sort_by_key(|(p, _)| PLATFORMS.iter().position(|q| q.node == p.node));
    ensure!(!found.is_empty(), "no alura.<platform>.node under {}", addons.display());
    fs::create_dir_all(out)?;
    for tarball in pack_npm(root, out, native, &found)? {
        println!("{:>8}  {}", size(&tarball), tarball.display());
    }
    Ok(())
}

/// `12.3 MB`, `48 kB`.
pub fn size(path: &Path) -> String {
    let bytes = fs::metadata(path).map(|m| m.len()).unwrap_or(0) as f64;
    if bytes < 1_000_000.0 {
        format!("{:.0} kB", bytes / 1000.0)
    } else {
        format!("{:.1} MB", bytes / 1_000_000.0)
    }
}

pub fn only_file(dir: &Path, suffix: &str) -> Result<PathBuf> {
    let found: Vec<PathBuf> = fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    match found.as_slice() {
        [one] => Ok(one.clone()),
        _ => bail!("expected one *{suffix} in {}, found {found:?}", dir.display()),
    }
}

/// The sdist of `bindings/python` in `out` (no compiling: maturin lists and copies files).
pub fn sdist(root: &Path, python: &Path, out: &Path) -> Result<PathBuf> {
    fresh_dir(out)?;
    let maturin = python.with_file_name("maturin");
    let dest = out.to_str().context("a UTF-8 path")?;
    crate::process::run(&maturin, &["sdist", "-m", "bindings/python/Cargo.toml", "-o", dest], root, &[])?;
    only_file(out, ".tar.gz")
}

/// `PATH` with the virtualenv's `bin` first, so maturin, cargo-zigbuild and `python -m ziglang`
/// (which cargo-zigbuild uses as zig) come from `target/py`.
fn venv_path(python: &Path) -> Result<String> {
    let bin = python.parent().context("the venv's bin")?;
    let path = std::env::var_os("PATH").unwrap_or_default();
    let joined =
        std::env::join_paths(std::iter::once(bin.to_path_buf()).chain(std::env::split_paths(&path)))?;
    joined.into_string().map_err(|_| anyhow::anyhow!("PATH is not UTF-8"))
}

#[cfg(unix)]
fn make_executable(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755))?;
    Ok(())
}

#[cfg(not(unix))]
fn make_executable(_: &Path) -> Result<()> {
    bail!("cargo xtask dist runs on Linux")
}

/// What maturin added to the environment of its `cargo rustc` (recorded by the shim): the zig
/// wrappers as CC, CXX, AR, RANLIB and linker, ZIG_COMMAND, cargo-zigbuild's settings. Python's
/// own settings (PYO3_*) and our bookkeeping are left out.
fn maturin_env(dump: &Path) -> Result<Vec<(String, String)>> {
    let text = fs::read(dump).with_context(|| format!("{}: maturin ran no cargo rustc", dump.display()))?;
    let mut added = Vec::new();
    for entry in text.split(|b| *b == 0) {
        let entry = String::from_utf8_lossy(entry);
        let Some((key, value)) = entry.split_once('=') else { continue };
        let skip = key.starts_with("PYO3_")
            || ["PATH", "PWD", "OLDPWD", "SHLVL", "_", "ALURA_DIST_CARGO_ENV", "RUSTFLAGS", "CARGO"]
                .contains(&key);
        if !skip && std::env::var(key).ok().as_deref() != Some(value) {
            added.push((key.to_owned(), value.to_owned()));
        }
    }
    Ok(added)
}

/// `auditwheel show` for a musllinux wheel on a glibc machine. zig links the module against
/// `libc.so` (musl's loader resolves that name to itself); auditwheel, finding no musl here, looks
/// in glibc's library directories and stops at glibc's `libc.so`, a linker script, not ELF. This
/// runs it with candidate libraries that are not ELF files skipped, as a loader would.
const AUDITWHEEL_MUSL: &str = "\
import os, sys
import auditwheel.lddtree as lddtree
from auditwheel.main import main
original = lddtree.find_lib
def is_elf(path):
    try:
        with open(path, 'rb') as f:
            return f.read(4) == b'\\x7fELF'
    except OSError:
        return False
def find_lib(platform, lib, ldpaths, root='/'):
    ldpaths = [d for d in ldpaths if not os.path.exists(os.path.join(d, lib)) or is_elf(os.path.join(d, lib))]
    return original(platform, lib, ldpaths, root)
lddtree.find_lib = find_lib
sys.argv = ['auditwheel', 'show', sys.argv[1]]
sys.exit(main())
";

/// `cargo xtask dist`: everything users install that can be built on Linux, into `target/dist/`.
pub fn dist(root: &Path) -> Result<()> {
    let started = Instant::now();
    version(root, true)?;
    let out = root.join("target/dist");
    let work = out.join("build");
    fresh_dir(&work)?;
    for entry in fs::read_dir(&out)? {
        let path = entry?.path();
        let name = path.to_string_lossy();
        if path.is_file() && [".whl", ".tar.gz", ".tgz"].iter().any(|s| name.ends_with(s)) {
            fs::remove_file(&path)?;
        }
    }

    let python = crate::venv::venv(root)?;
    let mut pip = vec!["-m", "pip", "install", "--quiet"];
    pip.extend(DIST_TOOLS);
    crate::process::run(&python, &pip, root, &[])?;
    let here: Vec<&Platform> = PLATFORMS.iter().filter(|p| p.here.is_some()).collect();
    let mut rustup = vec!["target", "add"];
    rustup.extend(here.iter().map(|p| p.triple));
    crate::process::run("rustup", &rustup, root, &[])?;
    let node = root.join("bindings/node");
    if !node.join("node_modules/.bin/napi").exists() {
        crate::process::run("npm", &["ci", "--no-audit", "--no-fund"], &node, &[])?;
    }

    // The sdist, checked, then unpacked: the host's wheel is built from it, which proves it
    // builds on its own.
    let sdist = sdist(root, &python, &work.join("sdist"))?;
    check_sdist(root, &python, &sdist)?;
    let sdist_copy = out.join(sdist.file_name().context("a file name")?);
    fs::copy(&sdist, &sdist_copy)?;
    let unpacked = work.join("sdist");
    crate::process::run("tar", &["xzf", sdist.to_str().context("UTF-8")?], &unpacked, &[])?;
    let sdist_root = fs::read_dir(&unpacked)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.is_dir())
        .context("the unpacked sdist")?;

    let path = venv_path(&python)?;
    let maturin = python.with_file_name("maturin");
    let napi = node.join("node_modules/.bin/napi");
    let out_str = out.to_str().context("UTF-8")?.to_owned();
    let host = crate::process::host_triple()?;
    let sysroot = output("rustc", &["--print", "sysroot"], root)?;
    let objcopy = Path::new(sysroot.trim()).join(format!("lib/rustlib/{host}/bin/rust-objcopy"));
    // A `cargo` in front of the real one that records the environment maturin builds with.
    let shim = work.join("shim");
    fs::create_dir_all(&shim)?;
    let real_cargo = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|d| d.join("cargo"))
        .find(|c| c.is_file())
        .context("no cargo on PATH")?;
    fs::write(
        shim.join("cargo"),
        format!(
            "#!/bin/sh\nif [ \"$1\" = rustc ]; then env -0 > \"$ALURA_DIST_CARGO_ENV\"; fi\nexec '{}' \"$@\"\n",
            real_cargo.display()
        ),
    )?;
    make_executable(&shim.join("cargo"))?;
    let shim_path = format!("{}:{path}", shim.display());
    let shim_cargo = shim.join("cargo").to_str().context("UTF-8")?.to_owned();
    let dump = work.join("maturin-cargo.env");
    let dump_str = dump.to_str().context("UTF-8")?;
    let mut timings = Vec::new();
    let mut addons = Vec::new();
    for p in &here {
        let compat = p.here.expect("only platforms built here");
        // One set of flags for maturin and napi, so the addon's build reuses every dependency the
        // wheel's build compiled: maturin would add `-crt-static` for musl on its own, napi too,
        // but in different variables.
        let rustflags = if p.libc == Some("musl") { "-C target-feature=-crt-static" } else { "" };
        let envs = [
            ("PATH", shim_path.as_str()),
            ("CARGO", shim_cargo.as_str()),
            ("RUSTFLAGS", rustflags),
            ("ALURA_DIST_CARGO_ENV", dump_str),
        ];
        let _ = fs::remove_file(&dump);
        let t = Instant::now();
        let target_dir = root.join("target");
        let target_dir = target_dir.to_str().context("UTF-8")?;
        let mut cmd = Command::new(&maturin);
        cmd.args(["build", "--release", "--strip", "--zig", "--target", p.triple, "--compatibility", compat])
            .args(["-o", &out_str, "--target-dir", target_dir])
            .env_remove("CARGO_BUILD_TARGET")
            .envs(envs);
        if p.triple == host {
            // From the unpacked sdist, as pip would build it.
            cmd.current_dir(&sdist_root);
        } else {
            cmd.args(["-m", "bindings/python/Cargo.toml"]).current_dir(root);
        }
        let status = cmd.status().context("cannot run maturin")?;
        ensure!(status.success(), "maturin build for {} failed ({status})", p.triple);
        let wheel_time = t.elapsed();

        // The addon, built by napi with exactly the compiler, linker and flags maturin gave cargo
        // (zig for glibc 2.17 or musl): cargo then reuses every dependency the wheel's build
        // compiled. (napi's own `--cross-compile` runs cargo-zigbuild, whose wrappers live at
        // other paths; a different linker makes cargo rebuild everything.)
        let t = Instant::now();
        let addon_dir = work.join("node").join(p.node);
        let addon_out = addon_dir.to_str().context("UTF-8")?;
        let mut cmd = Command::new(&napi);
        cmd.args(["build", "--platform", "--release", "--target", p.triple])
            .args(["--output-dir", addon_out, "--js", "napi.cjs", "--dts", "index.d.ts"])
            .current_dir(&node)
            // napi would run $CARGO (set by `cargo xtask`); maturin runs `cargo` without it.
            .env_remove("CARGO")
            .env_remove("CARGO_BUILD_TARGET")
            .env("CARGO_TARGET_DIR", root.join("target"))
            .envs([("PATH", path.as_str()), ("RUSTFLAGS", rustflags)])
            .envs(maturin_env(&dump)?);
        let status = cmd.status().context("cannot run napi")?;
        ensure!(status.success(), "napi build for {} failed ({status})", p.triple);
        let addon = addon_dir.join(format!("alura.{}.node", p.node));
        // Strip it as maturin strips the wheel's module (napi's --strip would change RUSTFLAGS and
        // rebuild every dependency), with the llvm-objcopy every Rust toolchain ships.
        crate::process::run(&objcopy, &["--strip-all", addon.to_str().context("UTF-8")?], root, &[])?;
        timings.push((p.triple, wheel_time, t.elapsed()));
        addons.push((*p, addon));
    }

    // auditwheel names the platform each wheel really fits.
    let auditwheel = python.with_file_name("auditwheel");
    let mut wheels: Vec<PathBuf> = fs::read_dir(&out)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".whl"))
        .collect();
    wheels.sort();
    for wheel in &wheels {
        check_wheel(&python, wheel)?;
        let w = wheel.to_str().context("UTF-8")?;
        let shown = if w.contains("musllinux") {
            output(&python, &["-c", AUDITWHEEL_MUSL, w], root)?
        } else {
            output(&auditwheel, &["show", w], root)?
        };
        let shown = shown.split_whitespace().collect::<Vec<_>>().join(" ");
        let tag = shown
            .split("consistent with the following platform tag: ")
            .nth(1)
            .and_then(|r| r.split('"').nth(1))
            .with_context(|| format!("auditwheel show {w}: {shown}"))?
            .to_owned();
        let name = wheel.file_name().unwrap_or_default().to_string_lossy().into_owned();
        let eliminate = shown.split("will need to be eliminated: ").nth(1).unwrap_or("").trim();
        if w.contains("musllinux") && !name.contains(&tag) && eliminate == "libc.so" {
            // zig names musl's libc `libc.so`, which musl's loader maps to itself but auditwheel
            // does not accept. The release workflow builds musllinux wheels in the musllinux
            // container with musl's own toolchain and runs them on Alpine.
            println!(
                "auditwheel: {name} fits {tag} only: its module needs `libc.so`, zig's name for musl's libc"
            );
            continue;
        }
        ensure!(name.contains(&tag), "{name}: auditwheel says it fits {tag}");
        println!("auditwheel: {name} fits {tag}");
    }

    let host_native = work.join("node").join(platform(&host)?.node);
    let tarballs = pack_npm(root, &out, &host_native, &addons)?;

    println!(
        "\nbuild times (release, {} cores):",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    for (triple, wheel, addon) in &timings {
        println!("  {triple:28} wheel {:>6.0} s   addon {:>6.0} s", wheel.as_secs_f64(), addon.as_secs_f64());
    }
    println!("\nin {}:", out.display());
    for file in wheels.iter().chain([&sdist_copy]).chain(&tarballs) {
        println!("  {:>8}  {}", size(file), file.file_name().unwrap_or_default().to_string_lossy());
    }
    for (p, addon) in &addons {
        println!("  {:>8}  ({} unpacked: alura.{}.node)", size(addon), p.triple, p.node);
    }
    println!("done in {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}
