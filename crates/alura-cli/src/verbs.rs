//! The hand-written verbs: what people need beyond one call.

use std::io::Write;

use clap::{Arg, ArgMatches, Command, value_parser};
use serde_json::{Map, Value, json};

use crate::output::Format;
use crate::{Failure, exit, show};

pub fn commands() -> Vec<Command> {
    let symbol = || Arg::new("symbol").required(true).help("An asset: a symbol (BTC) or an index (0)");
    let interval = || Arg::new("interval").required(true).help("1m, 5m, 15m, 1h, 4h, 1d ...");
    vec![
        crate::candles::command(symbol(), interval()),
        Command::new("trade")
            .about("Open a trade, after showing what will be sent")
            .subcommand_required(true)
            .subcommand(crate::confirm::flags(
                Command::new("quick")
                    .about("A quick-trade session on one asset (POST /trading-sessions)")
                    .arg(symbol())
                    .arg(
                        Arg::new("budget")
                            .long("budget")
                            .required(true)
                            .help("USDC, sent with exactly its digits"),
                    )
                    .arg(Arg::new("profit-target").long("profit-target").required(true).help("Percent"))
                    .arg(Arg::new("loss-threshold").long("loss-threshold").help("Percent"))
                    .arg(Arg::new("max-positions").long("max-positions").value_parser(value_parser!(u32))),
            )),
        crate::watch::command(symbol(), interval()),
        Command::new("login").about(
            "Log in and keep the token; the key from --keystore, ALURA_PRIVATE_KEY, or asked without echo",
        ),
        Command::new("doctor")
            .about("Check the way to the API: DNS, TLS, reachability, clocks, the spec, login, rate limit"),
        Command::new("mock")
            .about("Run the simulator on loopback until stopped")
            .arg(Arg::new("port").long("port").value_parser(value_parser!(u16)).default_value("8080")),
    ]
}

/// Runs `name` when it is a verb; `None` when it is an operation group.
pub async fn run(
    name: &str,
    sub: &ArgMatches,
    global: &ArgMatches,
    format: Option<Format>,
) -> Result<Option<u8>, Failure> {
    Ok(Some(match name {
        "candles" => crate::candles::candles(sub, global, format).await?,
        "trade" => trade(sub, global, format).await?,
        "watch" => crate::watch::watch(sub, global, format).await?,
        "login" => login(global).await?,
        "doctor" => crate::doctor::doctor(global).await?,
        "mock" => mock(sub)?,
        _ => return Ok(None),
    }))
}

fn text<'a>(m: &'a ArgMatches, name: &str) -> Option<&'a String> {
    m.get_one::<String>(name)
}

/// An asset argument as the API takes it: an index as a number, a symbol as text.
pub(crate) fn asset(text: &str) -> Value {
    text.parse::<i64>().map_or_else(|_| Value::from(text), Value::from)
}

async fn trade(m: &ArgMatches, global: &ArgMatches, format: Option<Format>) -> Result<u8, Failure> {
    let (_, q) = m.subcommand().ok_or_else(|| Failure::Usage("trade needs quick".into()))?;
    let mut body = Map::new();
    body.insert("budget".into(), json!(text(q, "budget")));
    body.insert("profitTarget".into(), json!(text(q, "profit-target")));
    body.insert("assetIndex".into(), asset(text(q, "symbol").map_or("", |s| s)));
    if let Some(loss) = text(q, "loss-threshold") {
        body.insert("lossThreshold".into(), json!(loss));
    }
    if let Some(n) = q.get_one::<u32>("max-positions") {
        body.insert("maxPositions".into(), json!(n));
    }
    let url = format!("{}/trading-sessions", crate::base_url(global)?.trim_end_matches('/'));
    if !crate::confirm::order("POST", &url, &body, q)? {
        return Ok(if q.get_flag("dry-run") { 0 } else { exit::DECLINED });
    }
    let client = crate::client_with(global, crate::key::Need::Sign)?;
    let reply = client.call("create_trading_session", body).await?;
    show(&reply.to_json_text()?, format, global.get_flag("show-secrets"))?;
    Ok(0)
}

async fn login(global: &ArgMatches) -> Result<u8, Failure> {
    let client = crate::client_with(global, crate::key::Need::Ask)?;
    client.login().await?;
    if let Some(address) = client.address() {
        crate::key::remember(client.base_url(), address);
    }
    let address = client.address().map(|a| a.to_string()).unwrap_or_default();
    let lapses = client
        .token()
        .and_then(|t| t.expires_at)
        .map(httpdate::fmt_http_date)
        .unwrap_or_else(|| "an unknown time".into());
    writeln!(std::io::stdout(), "logged in as {address}; the token lapses at {lapses}")
        .map_err(Failure::io)?;
    Ok(0)
}

fn mock(m: &ArgMatches) -> Result<u8, Failure> {
    let port = m.get_one::<u16>("port").copied().unwrap_or(8080);
    let server = alura_mock::MockServer::start(alura_mock::Config { port, ..Default::default() })
        .map_err(|e| Failure::Io(format!("cannot listen on 127.0.0.1:{port}: {e}")))?;
    writeln!(std::io::stdout(), "the simulator listens at {}; stop it with Ctrl-C", server.url())
        .map_err(Failure::io)?;
    loop {
        std::thread::park();
    }
}
