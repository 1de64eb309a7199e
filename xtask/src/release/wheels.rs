//! Python wheels and the sdist, built with maturin and checked for what they hold.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, ensure};

use super::{fresh_dir, only_file, output};

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
pub(super) fn venv_path(python: &Path) -> Result<String> {
    let bin = python.parent().context("the venv's bin")?;
    let path = std::env::var_os("PATH").unwrap_or_default();
    let joined =
        std::env::join_paths(std::iter::once(bin.to_path_buf()).chain(std::env::split_paths(&path)))?;
    joined.into_string().map_err(|_| anyhow::anyhow!("PATH is not UTF-8"))
}

#[cfg(unix)]
pub(super) fn make_executable(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755))?;
    Ok(())
}

#[cfg(not(unix))]
pub(super) fn make_executable(_: &Path) -> Result<()> {
    bail!("cargo xtask dist runs on Linux")
}

/// What maturin added to the environment of its `cargo rustc` (recorded by the shim): the zig
/// wrappers as CC, CXX, AR, RANLIB and linker, ZIG_COMMAND, cargo-zigbuild's settings. Python's
/// own settings (PYO3_*) and our bookkeeping are left out.
pub(super) fn maturin_env(dump: &Path) -> Result<Vec<(String, String)>> {
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
pub(super) const AUDITWHEEL_MUSL: &str = "\
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
