//! `cargo xtask soak`: clients trade against the simulator for a while as a seeded schedule
//! injects faults (5xx, 429 with `Retry-After`, stalled and cut bodies, dropped connections,
//! revoked tokens, a full restart with the port refused meanwhile), then every invariant is
//! checked against the simulator's own ledger and the table printed. Exits non-zero when one
//! fails.

mod chaos;
mod ledger;
mod trader;
mod usage;

use std::time::Duration;

use anyhow::Result;
use clap::Parser;

/// A chaos soak of the SDK against the simulator.
#[derive(Parser)]
struct Args {
    /// How long the clients trade, in seconds.
    #[arg(long, default_value_t = 60)]
    duration: u64,
    /// Seeds the fault schedule and the traders' choices: the same seed, the same run.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// How many clients trade at once, each with its own wallet.
    #[arg(long, default_value_t = 4)]
    clients: usize,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let duration = Duration::from_secs(args.duration);
    let run = chaos::run(duration, args.seed, args.clients).await?;
    let report = ledger::check(&run);
    print!("{}", report.table(&run));
    if report.failed() {
        anyhow::bail!("soak: an invariant does not hold (seed {})", args.seed);
    }
    Ok(())
}
