//! `cargo xtask bench`: each language's client beside its peers (the default client and the
//! fastest one people pick), against one simulator process, alternating over several rounds;
//! medians and ratios (to the best peer, and to the default client) go to `bench/results.md`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::process::{self, host_triple, run};

/// How long one language's harness may run before it is stopped: every loop in it is bounded in
/// count, and this bounds it in time too (a whole run takes about ten minutes).
const HARNESS_LIMIT: Duration = Duration::from_secs(20 * 60);

/// Runs a command and returns the `BENCH {json}` lines it printed.
fn collect(program: &str, args: &[&str], dir: &Path, envs: &[(&str, &str)]) -> Result<Vec<Value>> {
    eprintln!("bench: {program} {}", args.join(" "));
    let mut command = Command::new(program);
    // A group of its own, so a stop reaches what it started too (cargo runs the bench binary).
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command
        .args(args)
        .current_dir(dir)
        .envs(envs.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("cannot run {program}"))?;
    let stdout = child.stdout.take().context("stdout")?;
    let reader =
        std::thread::spawn(move || BufReader::new(stdout).lines().map_while(Result::ok).collect::<Vec<_>>());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if started.elapsed() > HARNESS_LIMIT {
            let _ = Command::new("kill").args(["-KILL", "--", &format!("-{}", child.id())]).status();
            let _ = child.wait();
            bail!("`{program} {}` ran past {} s and was stopped", args.join(" "), HARNESS_LIMIT.as_secs());
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let lines = reader.join().map_err(|_| anyhow::anyhow!("the reader of {program}'s output panicked"))?;
    if !status.success() {
        bail!("`{program} {}` failed ({status})", args.join(" "));
    }
    Ok(lines
        .iter()
        .filter_map(|l| l.strip_prefix("BENCH "))
        .filter_map(|j| serde_json::from_str(j).ok())
        .collect())
}

struct Mock(Child, String);

impl Mock {
    fn start(binary: &Path) -> Result<Self> {
        let mut child = Command::new(binary)
            .args(["--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start alura-mock")?;
        let mut line = String::new();
        BufReader::new(child.stdout.take().context("stdout")?).read_line(&mut line)?;
        Ok(Self(child, line.trim().to_owned()))
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// wrk's requests per second at concurrency 64, or why there is none.
fn wrk(url: &str) -> Result<f64, String> {
    let out = Command::new("wrk")
        .args(["-t2", "-c64", "-d5s", &format!("{url}/api/indicators/candles/latest")])
        .output()
        .map_err(|_| "wrk is not installed (apt-get install wrk)".to_owned())?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| format!("no rate in wrk's output: {text}"))
}

/// `python -c "import alura"` minus `python -c pass`, median of 15 runs, in ms.
fn import_ms(python: &Path) -> Result<f64> {
    let time = |code: &str| -> Result<f64> {
        let mut runs = Vec::new();
        for _ in 0..15 {
            let t = Instant::now();
            let ok = Command::new(python).args(["-c", code]).status()?.success();
            if !ok {
                bail!("python -c {code:?} failed");
            }
            runs.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        Ok(median(runs))
    };
    Ok(time("import alura")? - time("pass")?)
}

pub fn bench(root: &Path) -> Result<()> {
    let started = Instant::now();
    let triple = host_triple()?;
    let target = [("CARGO_BUILD_TARGET", triple.as_str())];
    process::cargo_with(root, &["build", "--release", "-p", "alura-mock"], &target)?;
    process::cargo_with(root, &["bench", "--no-run", "-p", "alura", "--bench", "throughput"], &target)?;

    let python = crate::venv::venv(root)?;
    run(
        &python,
        &["-m", "pip", "install", "--quiet", "httpx", "aiohttp", "orjson", "eth-account"],
        root,
        &[],
    )?;
    let wheels = root.join("target/wheels");
    let _ = std::fs::remove_dir_all(&wheels);
    run(
        &python,
        &[
            "-m",
            "maturin",
            "build",
            "--quiet",
            "--release",
            "-m",
            "bindings/python/Cargo.toml",
            "-o",
            "target/wheels",
        ],
        root,
        &target,
    )?;
    let wheel = std::fs::read_dir(&wheels)?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "whl"))
        .context("no wheel built")?;
    let wheel_mb = std::fs::metadata(&wheel)?.len() as f64 / 1e6;
    run(
        &python,
        &[
            "-m",
            "pip",
            "install",
            "--quiet",
            "--force-reinstall",
            "--no-deps",
            wheel.to_str().context("path")?,
        ],
        root,
        &[],
    )?;

    let node = root.join("bindings/node");
    run("npm", &["ci", "--no-audit", "--no-fund"], &node, &[])?;
    run("npx", &["napi", "build", "--platform", "--release", "--output-dir", "native"], &node, &target)?;

    let mock = Mock::start(&root.join(format!("target/{triple}/release/alura-mock")))?;
    let url = mock.1.clone();
    let envs = [("ALURA_BENCH_URL", url.as_str()), target[0]];
    let mut results = Vec::new();
    results.extend(collect("cargo", &["bench", "-q", "-p", "alura", "--bench", "throughput"], root, &envs)?);
    let py = python.to_str().context("path")?;
    results.extend(collect(py, &["bench/python_bench.py"], root, &envs)?);
    results.extend(collect("node", &["../../bench/node_bench.mjs"], &node, &envs)?);
    let limit = wrk(&url);
    drop(mock);
    let import = import_ms(&python)?;
    let md = render(&results, &limit, import, wheel_mb, started.elapsed().as_secs_f64())?;
    std::fs::write(root.join("bench/results.md"), &md)?;
    println!("{md}");
    Ok(())
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines().find_map(|l| {
                l.strip_prefix("model name").map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned())
            })
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines().next().map(|l| l.split_whitespace().nth(1).unwrap_or("0").parse::<f64>().unwrap_or(0.0))
        })
        .unwrap_or(0.0);
    format!("{cpu}, {cores} cores, {:.0} GiB", mem / 1024.0 / 1024.0)
}

fn render(
    results: &[Value],
    limit: &Result<f64, String>,
    import_ms: f64,
    wheel_mb: f64,
    took: f64,
) -> Result<String> {
    let date = Command::new("date").arg("-u").arg("+%Y-%m-%d %H:%M UTC").output()?;
    let commit = Command::new("git").args(["rev-parse", "--short", "HEAD"]).output()?;
    let mut md = String::new();
    writeln!(md, "# Benchmarks\n")?;
    writeln!(
        md,
        "- command: `cargo xtask bench` (release builds; one `alura-mock` process serves every case)"
    )?;
    writeln!(
        md,
        "- date: {}; commit {}",
        String::from_utf8_lossy(&date.stdout).trim(),
        String::from_utf8_lossy(&commit.stdout).trim()
    )?;
    writeln!(md, "- machine: {}", machine())?;
    writeln!(
        md,
        "- each case: ours and its peers alternate, several rounds, the first to run changing each round; medians; a ratio is ours / peer in ops/s (higher is better for us): to the best peer (the fastest peer of that language in that case) and to the default client (httpx, fetch, reqwest: the first peer listed); Rust's ratio to reqwest is the median of the rounds' own ratios\n"
    )?;
    let mut cases: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    let mut order = Vec::new();
    for r in results.iter().filter(|r| r["case"] != "memory") {
        let case = r["case"].as_str().unwrap_or_default().to_owned();
        if !cases.contains_key(&case) {
            order.push(case.clone());
        }
        cases.entry(case).or_default().push(r);
    }
    let ops = |r: &Value| r["ops_per_s"].as_f64().unwrap_or(0.0);
    // The client process's own CPU per op (user + system, the simulator excluded), when measured.
    let cpu = |r: &Value| Some(r["cpu_s"].as_f64()? / r["ops"].as_f64().filter(|n| *n > 0.0)?);
    let cpu_text = |r: &Value| cpu(r).map_or(String::new(), |c| format!("{:.1}", c * 1e6));
    let cpu_ratio = |r: &Value, peer: &Value| match (cpu(r), cpu(peer)) {
        (Some(ours), Some(theirs)) if theirs > 0.0 => format!("{:.2}x", ours / theirs),
        _ => String::new(),
    };
    let is_ours = |r: &Value| r["impl"].as_str().is_some_and(|i| i.starts_with("alura"));
    // Ours / peer; a harness that pairs its rounds against its first peer gives that ratio itself.
    let ratio = |r: &Value, peer: &Value, first: bool| match (first, r["ratio"].as_f64()) {
        (true, Some(paired)) => paired,
        _ => ops(r) / ops(peer).max(f64::MIN_POSITIVE),
    };
    let mut summary = String::new();
    let mut table = String::new();
    writeln!(
        table,
        "| case | implementation | median (s) | ops/s | ratio to the best peer | ratio to the default client | CPU per op (µs) | CPU to the best peer's |"
    )?;
    writeln!(table, "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")?;
    for case in order {
        let rows = &cases[&case];
        let default = rows.iter().copied().find(|r| !is_ours(r));
        let best = rows.iter().copied().filter(|r| !is_ours(r)).max_by(|a, b| ops(a).total_cmp(&ops(b)));
        for &r in rows {
            let name = r["impl"].as_str().unwrap_or_default();
            let cpu_to_best = match (is_ours(r), best) {
                (true, Some(b)) => cpu_ratio(r, b),
                _ => String::new(),
            };
            let (to_best, to_default) = match (is_ours(r), best, default) {
                (true, Some(b), Some(d)) => {
                    let (to_best, to_default) = (ratio(r, b, std::ptr::eq(b, d)), ratio(r, d, true));
                    let peer = b["impl"].as_str().unwrap_or_default();
                    writeln!(summary, "| {case} | {name} | {peer} | {to_best:.2}x | {cpu_to_best} |")?;
                    (format!("{to_best:.2}x"), format!("{to_default:.2}x"))
                }
                (false, Some(b), _)
                    if std::ptr::eq(r, b) && rows.iter().filter(|r| !is_ours(r)).count() > 1 =>
                {
                    ("(the best peer)".to_owned(), String::new())
                }
                _ => (String::new(), String::new()),
            };
            writeln!(
                table,
                "| {case} | {name} | {:.4} | {:.0} | {to_best} | {to_default} | {} | {cpu_to_best} |",
                r["median_s"].as_f64().unwrap_or(0.0),
                ops(r),
                cpu_text(r)
            )?;
        }
    }
    writeln!(md, "## Ours against the best peer\n")?;
    writeln!(
        md,
        "| case | ours | best peer | ratio | CPU to the peer's |\n| --- | --- | --- | ---: | ---: |\n{summary}"
    )?;
    writeln!(md, "## Every measurement\n")?;
    write!(md, "{table}")?;
    match limit {
        Ok(rps) => writeln!(
            md,
            "| the limit: candles/latest, concurrency 64 | wrk -t2 -c64 -d5s | | {rps:.0} | | | | |"
        )?,
        Err(why) => writeln!(
            md,
            "| the limit: candles/latest, concurrency 64 | wrk | | not measured: {why} | | | | |"
        )?,
    }
    writeln!(md, "\n| other | value |\n| --- | ---: |")?;
    writeln!(md, "| `import alura` (python -c, minus an empty interpreter) | {import_ms:.1} ms |")?;
    writeln!(md, "| wheel size (abi3, release) | {wheel_mb:.1} MB |")?;
    for r in results.iter().filter(|r| r["case"] == "memory") {
        let (a, b) = (r["rss_kb_10k"].as_f64().unwrap_or(0.0), r["rss_kb_50k"].as_f64().unwrap_or(0.0));
        writeln!(
            md,
            "| RSS after 10,000 / 50,000 calls, {} | {:.1} / {:.1} MB |",
            r["impl"].as_str().unwrap_or_default(),
            a / 1024.0,
            b / 1024.0
        )?;
    }
    if let Ok(limit) = limit {
        // The target is a share of what the simulator can serve, so both Rust clients are shown.
        for r in
            results.iter().filter(|r| r["case"].as_str().is_some_and(|c| c.ends_with("concurrency 64, Rust")))
        {
            writeln!(
                md,
                "| Rust at concurrency 64 / the wrk limit, {} | {:.2}x |",
                r["impl"].as_str().unwrap_or_default(),
                r["ops_per_s"].as_f64().unwrap_or(0.0) / limit
            )?;
        }
    }
    writeln!(md, "\nThe whole run took {took:.0} s.")?;
    Ok(md)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_to_the_best_peer_and_to_the_default_client() {
        let line = |case: &str, name: &str, ops: f64| serde_json::json!({"case": case, "impl": name, "median_s": 1.0 / ops, "ops_per_s": ops, "ops": 100, "cpu_s": 100.0 / ops});
        let mut paired = line("get, Rust", "alura", 90.0);
        paired["ratio"] = serde_json::json!(0.95);
        let results = [
            line("get, Python", "alura AsyncClient", 300.0),
            line("get, Python", "httpx.AsyncClient", 100.0),
            line("get, Python", "aiohttp.ClientSession", 400.0),
            paired,
            line("get, Rust", "reqwest + serde", 100.0),
        ];
        let md = render(&results, &Err("none".into()), 1.0, 1.0, 1.0).unwrap();
        // CPU per op: ours 3,333 µs against the best peer's 2,500 µs, 1.33x.
        assert!(
            md.contains("| get, Python | alura AsyncClient | aiohttp.ClientSession | 0.75x | 1.33x |"),
            "{md}"
        );
        assert!(
            md.contains(
                "| get, Python | alura AsyncClient | 0.0033 | 300 | 0.75x | 3.00x | 3333.3 | 1.33x |"
            ),
            "{md}"
        );
        assert!(
            md.contains("| aiohttp.ClientSession | 0.0025 | 400 | (the best peer) |  | 2500.0 |  |"),
            "{md}"
        );
        // One peer: it is both, and the paired ratio stands for both.
        assert!(md.contains("| get, Rust | alura | 0.0111 | 90 | 0.95x | 0.95x | 11111.1 | 1.11x |"), "{md}");
    }
}
