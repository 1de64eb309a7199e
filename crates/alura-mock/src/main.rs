use std::process::ExitCode;

use clap::Parser;

/// A local simulator of the Alura testnet backend. Prints its base URL, then serves until stopped.
#[derive(Parser)]
#[command(name = "alura-mock", version)]
struct Args {
    /// Loopback port to listen on (0: any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Lifetime of issued bearer tokens, in seconds.
    #[arg(long, default_value_t = 86_400)]
    token_ttl: u64,
    /// Seed of the market data and generated ids.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Throttle like @nestjs/throttler: N requests per window per route and client, with its headers on
    /// every answer, e.g. `10/s`, `100/5s`, `1000/10m`.
    #[arg(long)]
    rate_limit: Option<alura_mock::Throttle>,
    /// Answer like a backend that drifts from the spec: extra fields, optional fields missing or
    /// null, decimals as strings (also switchable with `POST /__mock/drift`).
    #[arg(long)]
    drift: bool,
    /// Answer every operation with a schema-valid example from the spec, with no state: a
    /// server that follows the contract and nothing more.
    #[arg(long)]
    examples_only: bool,
    /// Appends every answered request to this file, one JSON object a line, before answering it.
    #[arg(long)]
    request_log: Option<std::path::PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let config = alura_mock::Config {
        port: args.port,
        token_ttl_secs: args.token_ttl,
        seed: args.seed,
        rate_limit: args.rate_limit,
        drift: args.drift,
        examples_only: args.examples_only,
        request_log: args.request_log,
    };
    let server = match alura_mock::MockServer::start(config) {
        Ok(server) => server,
        Err(e) => {
            eprintln!("alura-mock: cannot listen on 127.0.0.1:{}: {e}", args.port);
            return ExitCode::FAILURE;
        }
    };
    println!("{}", server.url());
    eprintln!(
        "alura-mock: serving the Alura API on {}; control routes under /__mock; Ctrl-C stops",
        server.url()
    );
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    let _ = runtime.block_on(tokio::signal::ctrl_c());
    ExitCode::SUCCESS
}
