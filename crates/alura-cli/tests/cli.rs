//! The `alura` binary as a user runs it, against the simulator: output piped (JSON) or as a
//! table, orders confirmed or not, exit codes by error class.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use alura_mock::{Config, MockServer};

fn alura(mock: &MockServer, args: &[&str]) -> Output {
    run(mock, args, None, &[])
}

fn run(mock: &MockServer, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_alura"));
    cmd.args(args)
        .arg("--base-url")
        .arg(mock.url())
        .env_remove("ALURA_BASE_URL")
        .env_remove("ALURA_PRIVATE_KEY")
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .env("XDG_CACHE_HOME", std::env::temp_dir().join("alura-cli-test-cache"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("the alura binary");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const KEY: &str = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";

#[test]
fn help_lists_the_operations_and_the_exit_codes() {
    let out = Command::new(env!("CARGO_BIN_EXE_alura")).arg("--help").output().unwrap();
    let help = stdout(&out);
    for want in
        ["trading-sessions", "candles", "trade", "doctor", "mock", "Exit codes:", "OutcomeUnknownError"]
    {
        assert!(help.contains(want), "{want} in\n{help}");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_alura"))
        .args(["trading-sessions", "create", "--help"])
        .output()
        .unwrap();
    let help = stdout(&out);
    assert!(
        help.contains("--profit-target") && help.contains("an amount, sent with exactly its digits"),
        "{help}"
    );
    let version = Command::new(env!("CARGO_BIN_EXE_alura")).arg("--version").output().unwrap();
    assert_eq!(stdout(&version).trim(), format!("alura {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn candles_piped_are_json_lines_and_csv_or_a_table_on_request() {
    let mock = MockServer::start(Config::default()).unwrap();
    let out = alura(&mock, &["candles", "BTC", "1h", "--limit", "3"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<serde_json::Value> =
        stdout(&out).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0]["openTime"].is_number());
    let csv = stdout(&alura(&mock, &["candles", "ETH", "1h", "--limit", "2", "--format", "csv"]));
    assert_eq!(csv.lines().next(), Some("symbol,interval,openTime,closeTime,open,high,low,close,volume"));
    assert_eq!(csv.lines().count(), 3);
    let table = stdout(&alura(&mock, &["candles", "0", "1h", "--limit", "2", "--format", "table"]));
    assert!(table.starts_with("symbol") && !table.contains('\x1b'), "no colour when piped:\n{table}");
    assert_eq!(table.lines().count(), 3);
}

#[test]
fn every_operation_is_a_command() {
    let mock = MockServer::start(Config::default()).unwrap();
    let out = alura(&mock, &["indicators", "get-symbols"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout(&out).contains("\"BTC\""), "{}", stdout(&out));
}

#[test]
fn a_quick_trade_is_shown_and_sent_only_when_confirmed() {
    let mock = MockServer::start(Config::default()).unwrap();
    let key = [("ALURA_PRIVATE_KEY", KEY)];
    let order = ["trade", "quick", "BTC", "--budget", "100.10", "--profit-target", "40"];
    let dry = run(&mock, &[&order[..], &["--dry-run"]].concat(), None, &key);
    assert!(dry.status.success());
    let shown = String::from_utf8_lossy(&dry.stderr);
    assert!(
        shown.contains("\"budget\": 100.10,")
            && shown.contains("\"assetIndex\": 0")
            && shown.contains("nothing sent"),
        "{shown}"
    );
    assert!(mock.requests(Some("create_trading_session")).is_empty(), "a dry run sends nothing");
    // Piped, with no --yes: nobody to ask, so nothing is sent.
    let refused = run(&mock, &order, Some("y\n"), &key);
    assert_eq!(refused.status.code(), Some(13));
    assert!(mock.requests(Some("create_trading_session")).is_empty());
    let sent = run(&mock, &[&order[..], &["--yes"]].concat(), None, &key);
    assert!(sent.status.success(), "{}", String::from_utf8_lossy(&sent.stderr));
    let requests = mock.requests(Some("create_trading_session"));
    assert_eq!(requests.len(), 1);
    assert!(requests[0].body.as_deref().is_some_and(|b| b.contains("100.10")), "the budget's own digits");
}

#[test]
fn exit_codes_say_the_class_of_error() {
    let mock = MockServer::start(Config::default()).unwrap();
    // No key: the login cannot happen.
    assert_eq!(alura(&mock, &["user", "get-profile"]).status.code(), Some(5));
    // Refused before sending.
    let bad = alura(&mock, &["candles", "BTC", "1h", "--limit", "0"]);
    assert_eq!(bad.status.code(), Some(3), "{}", String::from_utf8_lossy(&bad.stderr));
    // A usage mistake.
    assert_eq!(alura(&mock, &["trade", "quick", "BTC"]).status.code(), Some(2));
    let csv_watch = alura(&mock, &["watch", "candles", "BTC", "1m", "--format", "csv"]);
    assert_eq!(csv_watch.status.code(), Some(2), "a watch is a table or JSON lines");
    // Nothing listening.
    let gone = Command::new(env!("CARGO_BIN_EXE_alura"))
        .args(["indicators", "get-symbols", "--base-url", "http://127.0.0.1:9"])
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .output()
        .unwrap();
    assert_eq!(gone.status.code(), Some(9), "{}", String::from_utf8_lossy(&gone.stderr));
}

#[test]
fn secrets_never_print() {
    let mock = MockServer::start(Config::default()).unwrap();
    // Even with every record the SDK makes (-vv) on stderr.
    let out = run(&mock, &["-vv", "login"], None, &[("ALURA_PRIVATE_KEY", KEY)]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let all = format!("{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
    assert!(all.contains("logged in as 0x"), "{all}");
    assert!(all.contains("verify_signature: POST /auth/evm/verify -> 201"), "the calls are shown: {all}");
    // A key is 64 hex digits and a signature 130; an address, the longest hex shown, is 40.
    let longest_hex = all.split(|c: char| !c.is_ascii_hexdigit()).map(str::len).max().unwrap_or(0);
    assert!(longest_hex < 64, "no key, no signature: {all}");
    assert!(!all.contains(&KEY[2..]) && !all.contains("eyJ"), "no key, no token: {all}");
}

#[test]
fn every_order_asks_first_not_only_trade_quick() {
    let mock = MockServer::start(Config::default()).unwrap();
    let key = [("ALURA_PRIVATE_KEY", KEY)];
    let create = ["trading-sessions", "create", "--budget", "100", "--profit-target", "40", "--asset", "BTC"];
    assert_eq!(run(&mock, &create, Some("y\n"), &key).status.code(), Some(13), "piped, no --yes: not sent");
    let dry = run(&mock, &[&create[..], &["--dry-run"]].concat(), None, &key);
    assert!(dry.status.success() && String::from_utf8_lossy(&dry.stderr).contains("POST"));
    assert!(mock.requests(Some("create_trading_session")).is_empty());
    assert!(run(&mock, &[&create[..], &["--yes"]].concat(), None, &key).status.success());
    assert_eq!(mock.requests(Some("create_trading_session")).len(), 1);
}

#[test]
fn keys_and_tokens_in_answers_are_hidden_unless_asked_for() {
    let mock = MockServer::start(Config::default()).unwrap();
    let secret = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
    let body = format!(r#"{{"agentAddress": "0xabc", "agentPrivateKey": "{secret}"}}"#);
    let raw = || alura_mock::Fault::Raw { status: 200, headers: Default::default(), body: body.clone() };
    mock.inject("get_trading_key", [raw(), raw()]);
    let key = [("ALURA_PRIVATE_KEY", KEY)];
    let hidden = run(&mock, &["auth", "get-trading-key"], None, &key);
    assert!(hidden.status.success(), "{}", String::from_utf8_lossy(&hidden.stderr));
    assert!(!stdout(&hidden).contains(secret) && stdout(&hidden).contains("0xabc"), "{}", stdout(&hidden));
    let shown = run(&mock, &["auth", "get-trading-key", "--show-secrets"], None, &key);
    assert!(stdout(&shown).contains(secret));
}

#[test]
fn a_named_profile_beats_the_environment() {
    let mock = MockServer::start(Config::default()).unwrap();
    let home = std::env::temp_dir().join(format!("alura-cli-profile-{}", std::process::id()));
    std::fs::create_dir_all(home.join("alura")).unwrap();
    std::fs::write(
        home.join("alura/config.toml"),
        format!("[profiles.local]\nbase_url = \"{}\"\n", mock.url()),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_alura"))
        .args(["--profile", "local", "indicators", "get-symbols"])
        .env("XDG_CONFIG_HOME", &home)
        .env("ALURA_BASE_URL", "http://127.0.0.1:9")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::write(home.join("alura/config.toml"), "[profiles.local]\nbase-url = \"http://x\"\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_alura"))
        .args(["--profile", "local", "indicators", "get-symbols"])
        .env("XDG_CONFIG_HOME", &home)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown key base-url"));
}

#[test]
fn a_long_history_comes_page_by_page_with_no_gap_or_repeat() {
    let mock = MockServer::start(Config::default()).unwrap();
    let out = alura(&mock, &["candles", "BTC", "1m", "--limit", "25000", "--end", "1700000000000"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Piped: JSON lines only, and no progress bar drawn on stderr.
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    let times: Vec<i64> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["openTime"].as_i64().unwrap())
        .collect();
    assert_eq!(times.len(), 25_000);
    assert!(times.windows(2).all(|w| w[1] - w[0] == 60_000), "oldest first, one minute apart, none twice");
    assert_eq!(*times.last().unwrap(), 1_700_000_000_000 - 1_700_000_000_000 % 60_000);
    assert_eq!(mock.requests(Some("get_candle_history")).len(), 3, "pages of 10,000");
}

/// A server of one-minute candles ending at `end` (or the newest), as `page(limit, end)` picks
/// their open times; each answer closes its connection.
fn candle_server(page: fn(u64, Option<i64>) -> Vec<i64>) -> String {
    use std::io::{BufRead, BufReader};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().take(100) {
            let Ok(mut stream) = stream else { continue };
            let mut lines = BufReader::new(stream.try_clone().unwrap()).lines();
            let target = lines.next().and_then(Result::ok).unwrap_or_default();
            while lines.next().and_then(Result::ok).is_some_and(|l| !l.is_empty()) {}
            let query = target
                .split_whitespace()
                .nth(1)
                .and_then(|p| p.split_once('?'))
                .map_or("", |q| q.1)
                .to_owned();
            let arg = |name: &str| {
                query
                    .split('&')
                    .find_map(|kv| kv.strip_prefix(name).and_then(|v| v.strip_prefix('=')))
                    .map(str::to_owned)
            };
            let times = page(
                arg("limit").and_then(|v| v.parse().ok()).unwrap_or(500),
                arg("endTime").and_then(|v| v.parse().ok()),
            );
            let body = format!(
                "[{}]",
                times
                    .iter()
                    .map(|t| format!(
                        r#"{{"openTime":{t},"open":1.5,"high":2,"low":1,"close":1.75,"volume":3}}"#
                    ))
                    .collect::<Vec<_>>()
                    .join(",")
            );
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

const NEWEST: i64 = 1_700_000_040_000;

/// `n` open times, oldest first, ending at `end` or the newest.
fn ending(n: u64, end: Option<i64>) -> Vec<i64> {
    let last = end.map_or(NEWEST, |e| e.min(NEWEST) - (e.min(NEWEST) - NEWEST).rem_euclid(60_000));
    (0..n as i64).rev().map(|i| last - i * 60_000).collect()
}

fn paged(url: &str, limit: &str) -> (Vec<i64>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_alura"))
        .args(["candles", "BTC", "1m", "--limit", limit, "--base-url", url])
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .env_remove("ALURA_PRIVATE_KEY")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let times = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["openTime"].as_i64().unwrap())
        .collect();
    (times, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn contiguous(times: &[i64], n: usize) -> bool {
    times.len() == n && times.windows(2).all(|w| w[1] - w[0] == 60_000) && times.last() == Some(&NEWEST)
}

#[test]
fn paging_copes_with_servers_that_page_their_own_way() {
    // Pages capped below what was asked for.
    let (times, _) = paged(&candle_server(|n, end| ending(n.min(5_000), end)), "25000");
    assert!(contiguous(&times, 25_000), "capped pages: {} candles", times.len());
    // Newest first.
    let (times, _) = paged(&candle_server(|n, end| ending(n, end).into_iter().rev().collect()), "25000");
    assert!(contiguous(&times, 25_000), "newest first: {} candles", times.len());
    // One candle past endTime in every page.
    let (times, _) = paged(&candle_server(|n, end| ending(n + 1, end.map(|e| e + 60_000))), "25000");
    assert!(contiguous(&times, 25_000), "overlapping pages: {} candles", times.len());
    // endTime ignored: one page's worth, each once, and the shortfall said.
    let (times, said) = paged(&candle_server(|n, _| ending(n, None)), "25000");
    assert!(contiguous(&times, 10_000), "endTime ignored: {} candles", times.len());
    assert!(said.contains("the server had 10000 of the 25000 candles asked for"), "{said}");
    // History that starts at the epoch: what there is, not an error.
    let (times, said) = paged(
        &candle_server(|n, end| {
            ending(n, end).into_iter().filter(|t| *t >= NEWEST - 12_000 * 60_000).collect()
        }),
        "25000",
    );
    assert_eq!(times.len(), 12_001, "{said}");
}
