//! Packaging: `cargo xtask dist` builds what users install (Python wheels and sdist, npm tarballs)
//! into `target/dist/`, and `cargo xtask version` writes the workspace version into every
//! `package.json`. The test command packs the host's packages with the same functions and installs
//! them as users do (see `checks::suite::installed`). Wheels are `wheels.rs`, npm packages
//! `npm.rs`, versions `version.rs`.

mod npm;
mod version;
mod wheels;

pub use npm::{pack_npm, pack_npm_from};
pub use version::{version, workspace_version};
use wheels::{AUDITWHEEL_MUSL, make_executable, maturin_env, venv_path};
pub use wheels::{archive_names, check_sdist, check_wheel, sdist};

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail, ensure};

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

/// `program args` in `dir`, its standard output as text.
pub(super) fn output(program: impl AsRef<Path>, args: &[&str], dir: &Path) -> Result<String> {
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

pub(super) fn copy_dir(from: &Path, to: &Path) -> Result<()> {
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
