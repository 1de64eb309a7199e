//! `cargo xtask test`'s fuzzing step: Schemathesis against the simulator, bounded and seeded.
//!
//! It builds and starts the `alura-mock` binary, logs in with a fresh wallet for a bearer
//! token, opens a few sessions so that ids of real sessions, trades and positions exist, and runs
//! Schemathesis from the test virtualenv over `openapi/alura.json` with a fixed seed, a fixed
//! number of examples per operation and a hard time limit. It fails naming what each failed
//! check found and where. The run's files (the generated `schemathesis.toml`, the JSON report,
//! Schemathesis's crash cache for `st replay`) stay in `target/schemathesis/`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use alloy_signer_local::PrivateKeySigner;
use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use crate::spec::probe;

/// The spec the simulator is held to.
pub const SPEC: &str = "openapi/alura.json";
/// Schemathesis's seed: the same seed generates the same cases.
pub const SEED: u64 = 20_251_125;
/// What the simulator must pass.
pub const CHECKS: [&str; 6] = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "ignored_auth",
];
/// Generated cases per operation and phase (the coverage phase adds its boundary cases): about
/// 3,500 requests in all, a minute's run. A count rather than Schemathesis's `--max-time`, which
/// repeats fuzzing until the time is spent and so runs different cases on a faster machine.
pub const MAX_EXAMPLES: u32 = 100;
/// Past this, Schemathesis is killed and the step fails: the run normally takes about a minute.
pub const HARD_TIMEOUT: Duration = Duration::from_secs(180);
/// Longer than any run, so the token never lapses mid-run.
const TOKEN_TTL_SECS: u64 = 7 * 86_400;
/// How long the simulator may take to print its URL.
const STARTUP: Duration = Duration::from_secs(30);

/// Builds the simulator, starts it, logs in and runs Schemathesis (`python -m schemathesis.cli`
/// from the virtualenv of `python`) with [`CHECKS`]; fails naming every failure it reports.
pub fn schemathesis(root: &Path, python: &Path) -> Result<()> {
    let simulator = Simulator::build_and_start(root)?;
    let fixture = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(Fixture::set_up(&simulator.url))?;
    let dir = target_dir(root).join("schemathesis");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let config = dir.join("schemathesis.toml");
    std::fs::write(&config, fixture.config()).with_context(|| format!("writing {}", config.display()))?;
    let report = dir.join("report.json");
    let _ = std::fs::remove_file(&report);
    let args = arguments(root, &config, &simulator.url, &report);
    println!(
        "schemathesis against the simulator at {} (seed {SEED}, {MAX_EXAMPLES} examples per operation):\n  \
         cd {} && {} {}",
        simulator.url,
        dir.display(),
        python.display(),
        args.join(" ")
    );
    let started = Instant::now();
    // In its own directory: Schemathesis keeps a crash cache (for `st replay`) where it runs.
    let status = run_bounded(python, &args, &dir, HARD_TIMEOUT)?;
    drop(simulator);
    let elapsed = started.elapsed().as_secs_f64();
    let failures = read_failures(&report);
    match (status, failures) {
        (Some(0), Ok(failures)) if failures.is_empty() => {
            println!("schemathesis: no failure in {elapsed:.0} s");
            Ok(())
        }
        (None, _) => bail!("schemathesis ran over {} s and was stopped", HARD_TIMEOUT.as_secs()),
        (Some(code), Ok(failures)) if !failures.is_empty() => bail!(
            "schemathesis found {} kind(s) of failure against the simulator, which must answer as \
             {SPEC} says (exit code {code}; the report is {}):\n{}",
            failures.len(),
            report.display(),
            failures.join("\n")
        ),
        (Some(code), Ok(_)) => bail!("schemathesis failed (exit code {code}) without reporting a failure"),
        (Some(code), Err(e)) => bail!(
            "schemathesis failed (exit code {code}) and left no report: {e:#} (is it installed in \
             the virtualenv? bindings/python/requirements-dev.txt lists it)"
        ),
    }
}

/// The command line after `python`; the token and the ids to use come in `config`.
pub fn arguments(root: &Path, config: &Path, base_url: &str, report: &Path) -> Vec<String> {
    let spec = root.join(SPEC);
    [
        "-m",
        "schemathesis.cli",
        "--config-file",
        &config.to_string_lossy(),
        "run",
        &spec.to_string_lossy(),
        "--url",
        base_url,
        "--checks",
        &CHECKS.join(","),
        "--seed",
        &SEED.to_string(),
        "--max-examples",
        &MAX_EXAMPLES.to_string(),
        // One worker: the cases reach the simulator in the same order every time, so its state
        // (balances, sessions) and with it every answer is the same run after run.
        "--workers",
        "1",
        // No example database: what a previous run found must not change this one.
        "--generation-database",
        "none",
        "--request-timeout",
        "10",
        "--report",
        "json",
        "--report-json-path",
        &report.to_string_lossy(),
        "--no-color",
    ]
    .map(str::to_owned)
    .to_vec()
}

/// `CARGO_TARGET_DIR`, or the workspace's `target/`.
fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), |d| root.join(PathBuf::from(d)))
}

/// The simulator as a child process; killed when dropped.
pub(crate) struct Simulator {
    child: Child,
    pub(crate) url: String,
}

impl Simulator {
    /// Builds the `alura-mock` binary (debug, for the host triple) and starts it.
    pub(crate) fn build_and_start(root: &Path) -> Result<Self> {
        let triple = crate::process::host_triple()?;
        crate::process::cargo_with(
            root,
            &["build", "--quiet", "-p", "alura-mock"],
            &[("CARGO_BUILD_TARGET", &triple)],
        )?;
        let binary = target_dir(root)
            .join(&triple)
            .join("debug")
            .join(format!("alura-mock{}", std::env::consts::EXE_SUFFIX));
        Self::start(&binary)
    }

    fn start(binary: &Path) -> Result<Self> {
        let mut child = Command::new(binary)
            .args(["--port", "0", "--token-ttl", &TOKEN_TTL_SECS.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("cannot start {}", binary.display()))?;
        let stdout = child.stdout.take().context("the simulator's stdout")?;
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let _ = sender.send(reader.read_line(&mut line).map(|_| line));
            // Keeps the pipe open (and drained) for as long as the simulator runs.
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        });
        let mut simulator = Self { child, url: String::new() };
        match receiver.recv_timeout(STARTUP) {
            Ok(Ok(line)) if line.trim().starts_with("http://") => {
                simulator.url = line.trim().to_owned();
                Ok(simulator)
            }
            Ok(Ok(line)) => bail!("the simulator printed {line:?} instead of its URL"),
            Ok(Err(e)) => bail!("reading the simulator's URL: {e}"),
            Err(_) => bail!("the simulator printed no URL within {} s", STARTUP.as_secs()),
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a run starts from: a fresh wallet signed in, with a session open on every asset, so
/// that the operations on a user, session, trade or position reach more than their 404.
struct Fixture {
    token: String,
    /// Values that exist, per path parameter name.
    ids: Vec<(&'static str, Vec<String>)>,
}

impl Fixture {
    async fn set_up(base: &str) -> Result<Self> {
        let client = reqwest::Client::builder()
            .no_proxy()
            .timeout(probe::TIMEOUT)
            .build()
            .context("building the HTTP client")?;
        let wallet = PrivateKeySigner::random();
        let login = probe::login(&client, base, &wallet, probe::MAX_BODY).await;
        let token = login.token.with_context(|| {
            format!("logging in to the simulator: {}", login.failure.clone().unwrap_or_default())
        })?;
        let user = match &login.verify {
            Some(Ok(answer)) => answer.json().ok().and_then(|v| v["user"]["id"].as_str().map(str::to_owned)),
            _ => None,
        };
        let user = user.context("the simulator's login answer names no user id")?;
        let (mut sessions, mut trades, mut positions) = (Vec::new(), Vec::new(), Vec::new());
        for asset in 0..ASSETS {
            let body = json!({"budget": 100, "profitTarget": 40, "maxPositions": 3, "assetIndex": asset});
            let request = client.post(format!("{base}/trading-sessions")).bearer_auth(&token).json(&body);
            let session = answer(request, 201).await.context("opening a session")?;
            sessions.push(text(&session["id"])?);
            let request = client.get(format!("{base}/trading-sessions/current-trade")).bearer_auth(&token);
            let trade = answer(request, 200).await.context("reading the current trade")?;
            trades.push(text(&trade["id"])?);
            for position in trade["positions"].as_array().into_iter().flatten() {
                positions.push(text(&position["id"])?);
            }
        }
        let ids = vec![
            ("userId", vec![user]),
            ("sessionId", sessions),
            ("tradeId", trades),
            ("positionId", positions),
        ];
        Ok(Self { token, ids })
    }

    /// `schemathesis.toml` for the run: the bearer token for every request, and each path
    /// parameter given a value that exists half the time (generated ones the other half).
    fn config(&self) -> String {
        let quoted =
            |values: &[String]| values.iter().map(|v| format!("{v:?}")).collect::<Vec<_>>().join(", ");
        let mut toml = format!(
            "# Written by `cargo xtask test` (xtask/src/checks/fuzz.rs) for one run against the simulator.\n\
             headers = {{ Authorization = \"Bearer {}\" }}\n",
            self.token
        );
        for (name, values) in &self.ids {
            toml += &format!("\n[dictionaries.{name}]\nvalues = [{}]\n", quoted(values));
        }
        toml += "\n[parameters]\n";
        for (name, _) in &self.ids {
            toml += &format!("\"path.{name}\" = {{ dictionary = \"{name}\", probability = 0.5 }}\n");
        }
        toml
    }
}

/// How many assets the simulator trades (`assetIndex` 0 to 5).
const ASSETS: usize = 6;

/// The JSON answer of `request`, which must come with status `expected`.
async fn answer(request: reqwest::RequestBuilder, expected: u16) -> Result<Value> {
    let response = request.send().await?;
    let status = response.status().as_u16();
    let body = response.text().await?;
    if status != expected {
        bail!("HTTP {status} (expected {expected}): {}", probe::schema::truncate(&body, 200));
    }
    serde_json::from_str(&body).context("the answer is not JSON")
}

fn text(value: &Value) -> Result<String> {
    value.as_str().map(str::to_owned).with_context(|| format!("expected an id, got {value}"))
}

/// Runs `program args` in `dir`, killing it at `limit`; `None` when it had to be killed.
fn run_bounded(program: &Path, args: &[String], dir: &Path, limit: Duration) -> Result<Option<i32>> {
    let mut child = Command::new(program)
        .args(args)
        .current_dir(dir)
        // Loopback traffic must never go through a proxy from the environment.
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost")
        .stdin(Stdio::null())
        .spawn()
        .with_context(|| format!("cannot run {}", program.display()))?;
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status.code().unwrap_or(-1)));
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// One line per failure group of Schemathesis's JSON report: what, how often, where.
fn read_failures(report: &Path) -> Result<Vec<String>> {
    let text =
        std::fs::read_to_string(report).with_context(|| format!("no report at {}", report.display()))?;
    let report: Value = serde_json::from_str(&text).context("the report is not JSON")?;
    let mut lines = Vec::new();
    for failure in report["failures"].as_array().into_iter().flatten() {
        let operations: Vec<&str> =
            failure["operations"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        lines.push(format!(
            "  {} [{}] x{}: {}",
            failure["title"].as_str().unwrap_or("?"),
            failure["code"].as_str().unwrap_or("?"),
            failure["count"],
            operations.join(", ")
        ));
    }
    for error in report["errors"].as_array().into_iter().flatten() {
        lines.push(format!(
            "  Schemathesis error: {} x{}",
            error["title"].as_str().unwrap_or("?"),
            error["count"]
        ));
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_named_with_their_check_and_operations() {
        let dir = tempfile::tempdir().unwrap();
        let report = dir.path().join("report.json");
        let json = json!({
            "failures": [{"type": "ServerError", "code": "ST101", "title": "Server error", "count": 2,
                          "operations": ["GET /health", "POST /user/withdraw"]}],
            "errors": [{"title": "Runtime Error", "count": 1}],
        });
        std::fs::write(&report, json.to_string()).unwrap();
        assert_eq!(
            read_failures(&report).unwrap(),
            [
                "  Server error [ST101] x2: GET /health, POST /user/withdraw",
                "  Schemathesis error: Runtime Error x1"
            ]
        );
        assert!(read_failures(&dir.path().join("none.json")).is_err());
    }

    #[test]
    fn the_config_carries_the_token_and_real_ids_for_path_parameters() {
        let fixture = Fixture {
            token: "alura_abc".into(),
            ids: vec![("userId", vec!["u1".into()]), ("tradeId", vec!["t1".into(), "t2".into()])],
        };
        let toml = fixture.config();
        assert!(toml.contains("headers = { Authorization = \"Bearer alura_abc\" }\n"), "{toml}");
        assert!(toml.contains("[dictionaries.tradeId]\nvalues = [\"t1\", \"t2\"]\n"), "{toml}");
        assert!(
            toml.contains("\"path.userId\" = { dictionary = \"userId\", probability = 0.5 }\n"),
            "{toml}"
        );
    }
}
