//! The run: the simulator in a process of its own (so the client's memory and descriptors are
//! the soak's own), the clients trading on it, and the seeded schedule of faults, with one full
//! restart halfway (killed, the port refused for a while, back with none of its state).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use alloy_signer_local::PrivateKeySigner;
use alura::Client;
use anyhow::{Context, Result, bail};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use crate::trader::{self, Call};
use crate::usage::{self, Sample};

/// The client's time limits: each call must end within `DEADLINE` (and a margin).
pub const TIMEOUT: Duration = Duration::from_secs(2);
pub const DEADLINE: Duration = Duration::from_secs(8);

/// One request the simulator received, as its log says.
#[derive(Debug, Clone)]
pub struct Served {
    pub operation: String,
    pub idempotency_key: Option<String>,
    pub status: Option<u16>,
}

pub struct Run {
    pub duration: Duration,
    pub clients: usize,
    pub calls: Vec<Call>,
    pub served: Vec<Served>,
    pub faults: BTreeMap<&'static str, usize>,
    /// Logins the server acted on but whose answer was lost (a stalled or cut-off verify): each
    /// is followed by another.
    pub logins_lost: usize,
    pub restarts: usize,
    pub usage: Vec<Sample>,
}

/// The operations a fault may meet, and whether they need a token.
const TARGETS: [(&str, bool); 8] = [
    ("get_candles", false),
    ("create_trading_session", true),
    ("get_current_trade", true),
    ("close_trade", true),
    ("list_active_sessions", true),
    ("get_trade_logs", true),
    ("request_challenge", false),
    ("verify_signature", false),
];

fn fault(rng: &mut StdRng, authenticated: bool) -> (&'static str, Value) {
    match rng.random_range(0..if authenticated { 9 } else { 8 }) {
        0 => ("500", json!({"kind": "status", "status": 500})),
        1 => ("502", json!({"kind": "status", "status": 502})),
        2 => ("503", json!({"kind": "status", "status": 503})),
        3 => ("429 Retry-After", json!({"kind": "status", "status": 429, "headers": {"Retry-After": "1"}})),
        4 => ("stalled body", json!({"kind": "stall", "after_bytes": 8, "ms": 3000})),
        5 => ("connection reset", json!({"kind": "close"})),
        6 => ("cut-off body", json!({"kind": "truncated"})),
        7 => ("slow answer", json!({"kind": "delay", "ms": 400})),
        _ => ("token revoked (401)", json!({"kind": "expired_token"})),
    }
}

/// The simulator, a process of its own.
struct Simulator {
    child: Child,
    url: String,
}

impl Simulator {
    fn start(port: u16, seed: u64) -> Result<Self> {
        let binary =
            std::env::current_exe()?.with_file_name(format!("alura-mock{}", std::env::consts::EXE_SUFFIX));
        let mut child = Command::new(&binary)
            .args(["--port", &port.to_string(), "--seed", &seed.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {} (cargo build -p alura-mock)", binary.display()))?;
        let mut line = String::new();
        BufReader::new(child.stdout.take().context("its stdout")?).read_line(&mut line)?;
        let url = line.trim().to_owned();
        if !url.starts_with("http://") {
            let _ = child.kill();
            bail!("the simulator did not start: {line:?}");
        }
        Ok(Self { child, url })
    }

    fn port(&self) -> u16 {
        self.url.rsplit(':').next().and_then(|p| p.parse().ok()).unwrap_or(0)
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub async fn run(duration: Duration, seed: u64, clients: usize) -> Result<Run> {
    let started = Instant::now();
    let until = started + duration;
    let mut simulator = Some(Simulator::start(0, seed)?);
    let (url, port) = simulator.as_ref().map(|s| (s.url.clone(), s.port())).expect("started");
    let control = reqwest::Client::new();
    // Held shared by every call; the restart takes it alone, so that no call is in flight
    // between reading the simulator's log and killing it.
    let gate = std::sync::Arc::new(tokio::sync::RwLock::new(()));
    let traders: Vec<_> = (0..clients)
        .map(|who| {
            let client = Client::builder()
                .base_url(&url)
                .signer(PrivateKeySigner::random())
                .timeout(TIMEOUT)
                .retry(alura::RetryPolicy { deadline: DEADLINE, ..alura::RetryPolicy::default() })
                .build()
                .expect("a client for the simulator");
            tokio::spawn(trader::trade(client, who, until, seed, gate.clone()))
        })
        .collect();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut served = Vec::new();
    let mut faults: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut usage = vec![usage::sample(Duration::ZERO)];
    let mut restarts = 0;
    let mut logins_lost = 0;
    let restart_at = started + duration / 2;
    while Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(150)).await;
        usage.push(usage::sample(started.elapsed()));
        let (operation, authenticated) = TARGETS[rng.random_range(0..TARGETS.len())];
        let (kind, f) = fault(&mut rng, authenticated);
        let injected = control
            .post(format!("{url}/__mock/faults"))
            .json(&json!({"operation": operation, "faults": [f]}))
            .send()
            .await;
        if injected.is_ok_and(|r| r.status().is_success()) {
            *faults.entry(kind).or_default() += 1;
            if operation == "verify_signature" && matches!(kind, "stalled body" | "cut-off body") {
                logins_lost += 1;
            }
        }
        if restarts == 0 && Instant::now() >= restart_at {
            let quiet = gate.write().await;
            served.extend(ledger(&control, &url).await?);
            // Killed: the port refuses connections until it is back, with none of its state.
            drop(simulator.take());
            drop(quiet);
            tokio::time::sleep(Duration::from_millis(700)).await;
            simulator = Some(Simulator::start(port, seed)?);
            restarts += 1;
            *faults.entry("simulator restart").or_default() += 1;
        }
    }
    let mut calls = Vec::new();
    for trader in traders {
        calls.extend(trader.await.context("a trader panicked")?);
    }
    usage.push(usage::sample(started.elapsed()));
    served.extend(ledger(&control, &url).await?);
    drop(simulator);
    Ok(Run { duration, clients, calls, served, faults, logins_lost, restarts, usage })
}

/// The requests the invariants are about (the POSTs and the logins), as the simulator logged
/// them: only those, so the soak's own bookkeeping stays small beside the clients'.
async fn ledger(control: &reqwest::Client, url: &str) -> Result<Vec<Served>> {
    let mut served = Vec::new();
    for operation in ["create_trading_session", "close_trade", "verify_signature"] {
        let url = format!("{url}/__mock/requests?operation={operation}");
        let records: Vec<Value> = control.get(url).send().await?.json().await?;
        served.extend(records.into_iter().map(|r| Served {
            operation: operation.to_owned(),
            idempotency_key: r["idempotencyKey"].as_str().map(str::to_owned),
            status: r["status"].as_u64().and_then(|s| u16::try_from(s).ok()),
        }));
    }
    Ok(served)
}
