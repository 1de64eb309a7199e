use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};
use xtask::{checks::bench, checks::suite, generate, release, root, spec::fetch, spec::probe};

/// Project automation for the Alura SDK.
#[derive(Parser)]
#[command(name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Download the spec the backend serves and print how it changed from openapi/alura.raw.json.
    Fetch {
        /// The backend to ask.
        #[arg(long, default_value = fetch::DEFAULT_BASE_URL)]
        base_url: String,
        /// The raw spec to compare with and, with --write, to replace.
        #[arg(long, default_value = generate::RAW)]
        out: PathBuf,
        /// Fail if any change is breaking.
        #[arg(long)]
        check: bool,
        /// Write the served spec to --out.
        #[arg(long)]
        write: bool,
    },
    /// Call every GET operation of openapi/alura.json on a live server and check each answer
    /// against its documented schema (logs in first when given a key; sends no other POST).
    Probe {
        /// The server to probe, e.g. https://testnet-api.alura.fun.
        #[arg(long)]
        base_url: String,
        /// Hex private key of the wallet to log in with (or ALURA_PRIVATE_KEY); without one,
        /// authenticated operations are skipped.
        #[arg(long)]
        private_key: Option<String>,
        /// The spec whose schemas the answers must match.
        #[arg(long, default_value = "openapi/alura.json")]
        spec: PathBuf,
    },
    /// Regenerate openapi/alura.json and every client surface from the raw spec and the overlay.
    Gen {
        /// Write nothing; fail, naming the stale files, if any committed output is out of date.
        #[arg(long)]
        check: bool,
        /// Print what normalisation changed.
        #[arg(long, short)]
        verbose: bool,
        /// Generate without the overlay actions that no longer apply upstream (each is listed
        /// as a warning), instead of stopping.
        #[arg(long)]
        allow_stale: bool,
    },
    /// Run the local simulator (arguments go to `alura-mock`).
    Mock {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Run every check and test: formatting, generated files, clippy, the test suites.
    Test,
    /// Only the checks against the NestJS app in tests/nestjs (part of `test`; needs the
    /// Python virtualenv and the Node package that `test` builds).
    Nestjs,
    /// Only the README's Rust examples, run as doctests against the simulator (part of `test`;
    /// the Python and Node examples run in their suites).
    Examples,
    /// Build what users install into target/dist/: Python wheels (manylinux2014 x86_64 and
    /// aarch64, musllinux_1_2 x86_64) and sdist, npm tarballs (the main package and one addon
    /// package per platform), cross-built with zig.
    Dist,
    /// Pack the npm tarballs from addons built elsewhere (the release workflow's runners).
    PackNpm {
        /// A directory with napi's loader (napi.cjs) and types (index.d.ts) from any build.
        #[arg(long)]
        native: PathBuf,
        /// A directory searched, with its subdirectories, for alura.<platform>.node files.
        #[arg(long)]
        addons: PathBuf,
        /// Where the tarballs go.
        #[arg(long, default_value = "target/dist")]
        out: PathBuf,
    },
    /// Install the host's wheel and npm tarballs as users do (fresh virtualenv and npm project,
    /// no Rust on PATH) and run the smoke scripts; the last step of `test`, reusing its builds.
    Installed,
    /// Write the workspace version (Cargo.toml) into every package.json and derive the per-platform
    /// npm packages from bindings/node/package.json.
    Version {
        /// Write nothing; fail, naming the stale files, if any is out of date.
        #[arg(long)]
        check: bool,
    },
    /// Benchmark each language's client beside its baseline; writes bench/results.md.
    Bench,
    /// Trade against the simulator while a seeded schedule injects faults, then check every
    /// invariant against the simulator's log (`crates/alura-soak`).
    Soak {
        /// Seconds of trading.
        #[arg(long, default_value_t = 60)]
        duration: u64,
        /// Seeds the faults and the traders' choices.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse().command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Cmd) -> Result<()> {
    let root = root();
    match command {
        Cmd::Fetch { base_url, out, check, write } => fetch::run(&base_url, &root.join(out), check, write),
        Cmd::Probe { base_url, private_key, spec } => probe::run(&root.join(spec), &base_url, private_key),
        Cmd::Gen { check, verbose, allow_stale } => generate::run(&root, check, verbose, allow_stale),
        Cmd::Mock { args } => {
            let mut all = vec!["run", "--quiet", "-p", "alura-mock", "--"];
            all.extend(args.iter().map(String::as_str));
            xtask::process::cargo(&root, &all)
        }
        Cmd::Test => suite::all(&root),
        Cmd::Nestjs => {
            let triple = xtask::process::host_triple()?;
            xtask::checks::nestjs::check(
                &root,
                &[("CARGO_BUILD_TARGET", triple.as_str())],
                &xtask::venv::bare_venv(&root)?,
            )
        }
        Cmd::Examples => {
            let triple = xtask::process::host_triple()?;
            xtask::checks::examples::rust(&root, &[("CARGO_BUILD_TARGET", triple.as_str())])
        }
        Cmd::Dist => release::dist(&root),
        Cmd::Installed => suite::installed(&root),
        Cmd::PackNpm { native, addons, out } => {
            release::pack_npm_from(&root, &root.join(native), &root.join(addons), &root.join(out))
        }
        Cmd::Version { check } => release::version(&root, check),
        Cmd::Bench => bench::bench(&root),
        Cmd::Soak { duration, seed } => {
            let triple = xtask::process::host_triple()?;
            let target = [("CARGO_BUILD_TARGET", triple.as_str())];
            xtask::checks::soak::run(&root, &target, duration, seed, xtask::checks::soak::Bindings::Build)
        }
    }
}
