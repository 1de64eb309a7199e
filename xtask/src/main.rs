use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};
use xtask::{bench, fetch, generate, root, suite};

/// Project automation for the Alura SDK.
#[derive(Parser)]
#[command(name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Download the spec the backend serves into openapi/alura.raw.json.
    Fetch {
        /// The backend to ask.
        #[arg(long, default_value = fetch::DEFAULT_BASE_URL)]
        base_url: String,
        /// Where to write it.
        #[arg(long, default_value = generate::RAW)]
        out: PathBuf,
    },
    /// Regenerate openapi/alura.json and every client surface from the raw spec and the overlay.
    Gen {
        /// Write nothing; fail, naming the stale files, if any committed output is out of date.
        #[arg(long)]
        check: bool,
        /// Print what normalisation changed.
        #[arg(long, short)]
        verbose: bool,
    },
    /// Run the local simulator (arguments go to `alura-mock`).
    Mock {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Run every check and test: formatting, generated files, clippy, the test suites.
    Test,
    /// Benchmark each language's client beside its baseline; writes bench/results.md.
    Bench,
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
        Cmd::Fetch { base_url, out } => {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            let (spec, url) = runtime.block_on(fetch::fetch(&base_url))?;
            let out = if out.is_absolute() { out } else { root.join(out) };
            fetch::write(&spec, &out)?;
            println!("fetched {url} -> {}", out.display());
            Ok(())
        }
        Cmd::Gen { check, verbose } => generate::run(&root, check, verbose),
        Cmd::Mock { args } => {
            let mut all = vec!["run", "--quiet", "-p", "alura-mock", "--"];
            all.extend(args.iter().map(String::as_str));
            suite::cargo(&root, &all)
        }
        Cmd::Test => suite::all(&root),
        Cmd::Bench => bench::bench(&root),
    }
}
