//! The run: the simulator in a process of its own, one trader process per language trading on
//! it, and the seeded schedule of faults, with one full restart halfway (killed, the port refused
//! for a while, back with none of its state). The simulator appends every answer to a request log
//! before sending it, so the log survives the kill and holds whatever a client saw answered.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use crate::protocol::{Call, DEADLINE};
use crate::traders::{Language, Programs, Trader};
use crate::usage::Sample;

/// One request the simulator answered, as its log says.
#[derive(Debug, Clone)]
pub struct Served {
    pub operation: String,
    pub idempotency_key: Option<String>,
    pub status: Option<u16>,
}

/// What one language's trader did and held.
pub struct Traded {
    pub calls: Vec<Call>,
    pub usage: Vec<Sample>,
}

pub struct Run {
    pub duration: Duration,
    /// Clients in all.
    pub clients: usize,
    pub languages: BTreeMap<Language, Traded>,
    pub served: Vec<Served>,
    pub faults: BTreeMap<&'static str, usize>,
    /// Logins the server acted on but whose answer was lost (a stalled or cut-off verify): each
    /// is followed by another.
    pub logins_lost: usize,
    pub restarts: usize,
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
    fn start(port: u16, seed: u64, journal: &Path) -> Result<Self> {
        let binary =
            std::env::current_exe()?.with_file_name(format!("alura-mock{}", std::env::consts::EXE_SUFFIX));
        let mut child = Command::new(&binary)
            .args(["--port", &port.to_string(), "--seed", &seed.to_string()])
            .arg("--request-log")
            .arg(journal)
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

/// Where the request log and the traders' stderr go: kept after the run, to read when it fails.
fn logs_dir() -> Result<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/soak");
    std::fs::create_dir_all(&dir)?;
    let journal = dir.join("requests.jsonl");
    if journal.exists() {
        std::fs::remove_file(&journal)?;
    }
    Ok(dir)
}

pub async fn run(
    duration: Duration,
    seed: u64,
    clients: usize,
    languages: &[Language],
    programs: &Programs,
) -> Result<Run> {
    let logs = logs_dir()?;
    let journal = logs.join("requests.jsonl");
    let started = Instant::now();
    let until = started + duration;
    let mut simulator = Some(Simulator::start(0, seed, &journal)?);
    let (url, port) = simulator.as_ref().map(|s| (s.url.clone(), s.port())).expect("started");
    let control = reqwest::Client::new();
    let mut traders = Vec::new();
    for &language in languages {
        traders.push(Trader::start(language, programs, &url, (duration, seed, clients), &logs)?);
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let mut faults: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut restarts = 0;
    let mut logins_lost = 0;
    let restart_at = started + duration / 2;
    while Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(150)).await;
        for trader in &mut traders {
            trader.sample(started.elapsed());
        }
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
            // Killed: the port refuses connections until it is back, with none of its state.
            drop(simulator.take());
            tokio::time::sleep(Duration::from_millis(700)).await;
            simulator = Some(Simulator::start(port, seed, &journal)?);
            restarts += 1;
            *faults.entry("simulator restart").or_default() += 1;
        }
    }
    let mut by_language = BTreeMap::new();
    for trader in traders {
        // Each stops on its own once its last call ends, within the deadline.
        let (language, calls, usage) = trader.finish(DEADLINE + Duration::from_secs(20))?;
        by_language.insert(language, Traded { calls, usage });
    }
    drop(simulator);
    let served = ledger(&journal)?;
    Ok(Run {
        duration,
        clients: clients * languages.len(),
        languages: by_language,
        served,
        faults,
        logins_lost,
        restarts,
    })
}

/// Every request the simulator answered, from the log it appended to: both its lives.
fn ledger(journal: &Path) -> Result<Vec<Served>> {
    let text = std::fs::read_to_string(journal).context("the simulator's request log")?;
    let mut served = Vec::new();
    for line in text.lines() {
        // The last line may be cut where the kill fell; what was cut had not been answered.
        let Ok(r) = serde_json::from_str::<Value>(line) else { continue };
        served.push(Served {
            operation: r["operation"].as_str().unwrap_or_default().to_owned(),
            idempotency_key: r["idempotencyKey"].as_str().map(str::to_owned),
            status: r["status"].as_u64().and_then(|s| u16::try_from(s).ok()),
        });
    }
    Ok(served)
}
