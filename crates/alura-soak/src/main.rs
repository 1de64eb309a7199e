//! `cargo xtask soak`: clients in Rust, Python and Node trade against the simulator for a while
//! as a seeded schedule injects faults (5xx, 429 with `Retry-After`, stalled and cut bodies,
//! dropped connections, revoked tokens, a full restart with the port refused meanwhile), then
//! every invariant is checked against the simulator's own request log and the table printed.
//! Exits non-zero when one fails.
//!
//! Each language's clients run in a process of their own (a trader), so that the memory and
//! descriptors measured are theirs; `alura-soak trade` is the Rust trader, `traders/` holds the
//! others. Every trader speaks the same protocol: see [`protocol`].

mod chaos;
mod ledger;
mod protocol;
mod trader;
mod traders;
mod usage;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use clap::{Parser, Subcommand};

use crate::traders::Language;

/// A chaos soak of the SDK against the simulator.
#[derive(Parser)]
struct Args {
    #[command(subcommand)]
    trade: Option<Trade>,
    /// How long the clients trade, in seconds.
    #[arg(long, default_value_t = 60)]
    duration: u64,
    /// Seeds the fault schedule and the traders' choices (each language draws its own from it).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// How many clients trade at once in each language, each with its own wallet.
    #[arg(long, default_value_t = 2)]
    clients: usize,
    /// The languages whose clients trade.
    #[arg(long, value_delimiter = ',', default_value = "rust,python,node")]
    languages: Vec<Language>,
    /// The Python that has the `alura` package installed.
    #[arg(long, default_value = "python3")]
    python: PathBuf,
    /// The built npm package (`bindings/node`, after `npm run build`).
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../../bindings/node"))]
    node_package: PathBuf,
}

#[derive(Subcommand)]
enum Trade {
    /// Runs the Rust trader: what `traders/` does in the other languages.
    Trade(protocol::TraderArgs),
}

fn main() -> Result<()> {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    if let Some(Trade::Trade(trader)) = args.trade {
        return runtime.block_on(trader::run(trader));
    }
    let duration = Duration::from_secs(args.duration);
    let programs = traders::Programs { python: args.python, node_package: args.node_package };
    let run = runtime.block_on(chaos::run(duration, args.seed, args.clients, &args.languages, &programs))?;
    let report = ledger::check(&run);
    print!("{}", report.table(&run));
    if report.failed() {
        anyhow::bail!("soak: an invariant does not hold (seed {})", args.seed);
    }
    Ok(())
}
