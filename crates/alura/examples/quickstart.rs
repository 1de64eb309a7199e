//! Log in with a wallet, open a quick trade on BTC, look at it and the market, close it.
//!
//! ```sh
//! cargo run -p alura --example quickstart
//! ```
//!
//! Without `ALURA_BASE_URL` it starts the local simulator and uses a fresh wallet; with
//! `ALURA_BASE_URL` (and `ALURA_PRIVATE_KEY`) it runs against that backend.

use std::process::ExitCode;

use alloy_signer_local::PrivateKeySigner;
use alura::{Asset, Client, HistoryQuery, QuickTrade};

#[tokio::main]
async fn main() -> ExitCode {
    // Keeps the simulator (when we start one) alive until the end.
    let mut _simulator = None;
    let mut builder = Client::builder().from_env();
    if std::env::var_os("ALURA_BASE_URL").is_none() {
        let mock = match alura_mock::MockServer::start(alura_mock::Config::default()) {
            Ok(mock) => mock,
            Err(e) => {
                eprintln!("error: cannot start the local simulator: {e}");
                return ExitCode::FAILURE;
            }
        };
        println!("No ALURA_BASE_URL: using the local simulator at {}", mock.url());
        builder = builder.base_url(mock.url());
        _simulator = Some(mock);
    }
    if std::env::var_os("ALURA_PRIVATE_KEY").is_none() && std::env::var_os("ALURA_TOKEN").is_none() {
        let wallet = PrivateKeySigner::random();
        println!("No ALURA_PRIVATE_KEY: using a fresh wallet {}", wallet.address());
        builder = builder.signer(wallet);
    }
    match run(builder).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(builder: alura::ClientBuilder) -> alura::Result<()> {
    let client = builder.build()?;
    client.login().await?;
    let profile = client.api().get_profile().send().await?.into_inner();
    // Only the login's fields are promised by the API's contract; the rest may be absent.
    let text = |s: &Option<String>| s.clone().unwrap_or_else(|| "?".into());
    println!(
        "Logged in as {} (balance {:.2} USDC)",
        text(&profile.address),
        profile.balance.unwrap_or_default()
    );

    let session = client.quick_trade(QuickTrade::new(Asset::BTC, 100, 40)).await?;
    println!(
        "Opened quick trade session {} on {} (budget {} USDC, profit target {}%)",
        text(&session.id),
        session.asset_index.and_then(|i| Asset::try_from(i).ok()).map_or("?".into(), |a| a.to_string()),
        session.budget.unwrap_or_default(),
        session.profit_target.unwrap_or_default()
    );

    let trade =
        client.current_trade().await?.ok_or_else(|| alura::Error::decode("the session opened no trade"))?;
    let trade_id = trade.id.clone().ok_or_else(|| alura::Error::decode("the current trade has no id"))?;
    println!(
        "Current trade {trade_id} is {} with {} position(s):",
        text(&trade.status),
        trade.positions.len()
    );
    for p in &trade.positions {
        println!(
            "  {} {} size {:.6} entry {:.2} mark {:.2}",
            p.side.as_deref().unwrap_or("?"),
            p.symbol.as_deref().unwrap_or("?"),
            p.size.unwrap_or_default(),
            p.entry_price.unwrap_or_default(),
            p.mark_price.unwrap_or_default()
        );
    }

    // As columns: read from whatever shape the server sends (ours, Hyperliquid's, arrays, an envelope).
    let query = HistoryQuery {
        symbol: "BTC".into(),
        interval: Some("1h".into()),
        limit: Some(5),
        ..Default::default()
    };
    let candles = client.candle_columns(query).await?;
    println!("Last {} hourly BTC candles:", candles.open_time.len());
    for i in 0..candles.open_time.len() {
        println!(
            "  open time {}  O {:.2}  H {:.2}  L {:.2}  C {:.2}  V {:.2}",
            candles.open_time[i],
            candles.open[i],
            candles.high[i],
            candles.low[i],
            candles.close[i],
            candles.volume[i]
        );
    }

    let closed = client.api().close_trade().trade_id(&trade_id).send().await?.into_inner();
    println!(
        "Closed trade {trade_id}: {} position(s), PnL {} USDC",
        closed.closed.unwrap_or_default(),
        // Exact, as the server wrote it; normalize drops a "-0".
        closed.amount.unwrap_or_default().normalize()
    );
    Ok(())
}
