//! What people read, held still: the help texts and the output of fixed calls against the
//! simulator (its market data is fixed by its seed and the times asked for). A change to any of
//! them shows as a diff of `tests/snapshots/`; accept one with `INSTA_UPDATE=always cargo test`.

use std::process::Command;

use alura_mock::{Config, MockServer};

fn alura(args: &[&str]) -> (String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_alura"))
        .args(args)
        .env_remove("ALURA_BASE_URL")
        .env_remove("ALURA_PRIVATE_KEY")
        .env_remove("ALURA_KEYSTORE")
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .output()
        .unwrap();
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn help() {
    insta::assert_snapshot!("help", alura(&["--help"]).0);
    insta::assert_snapshot!("help_candles", alura(&["candles", "--help"]).0);
    insta::assert_snapshot!("help_trade_quick", alura(&["trade", "quick", "--help"]).0);
    insta::assert_snapshot!(
        "help_trading_sessions_create",
        alura(&["trading-sessions", "create", "--help"]).0
    );
}

#[test]
fn output() {
    let mock = MockServer::start(Config::default()).unwrap();
    let fixed = ["--limit", "3", "--end", "1700000000000", "--base-url", mock.url()];
    for format in ["table", "json", "csv"] {
        let (out, err) = alura(&[&["candles", "BTC", "1h", "--format", format][..], &fixed].concat());
        assert_eq!(err, "");
        insta::assert_snapshot!(format!("candles_{format}"), out);
    }
    let (_, shown) = alura(&[
        "trade",
        "quick",
        "ETH",
        "--budget",
        "100.50",
        "--profit-target",
        "40",
        "--dry-run",
        "--base-url",
        mock.url(),
    ]);
    insta::assert_snapshot!("trade_quick_dry_run", shown.replace(mock.url(), "http://127.0.0.1:PORT"));
}
