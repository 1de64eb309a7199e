//! `alura` at a terminal, driven through a pseudo-terminal as a person would type: the order's
//! confirmation, the key asked without echo, and keystore files.
#![cfg(unix)]

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use alloy_signer_local::PrivateKeySigner;
use alura_mock::{Config, MockServer};

const KEY: &str = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";

/// `alura args --base-url mock` with no key in its environment and a token cache of its own.
fn command(mock: &MockServer, args: &[&str], cache: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_alura"));
    cmd.args(args)
        .args(["--base-url", mock.url()])
        .env_remove("ALURA_BASE_URL")
        .env_remove("ALURA_PRIVATE_KEY")
        .env_remove("ALURA_TOKEN")
        .env_remove("ALURA_KEYSTORE")
        .env_remove("ALURA_KEYSTORE_PASSWORD")
        .env("NO_COLOR", "1")
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .env(
            "XDG_CACHE_HOME",
            std::env::temp_dir().join(format!("alura-cli-terminal-{cache}-{}", std::process::id())),
        );
    cmd
}

/// Waits for `prompt`, then types `line` once the prompt has had time to turn echo off.
fn answer(p: &mut rexpect::session::PtySession, prompt: &str, line: &str) -> String {
    let before = p.exp_string(prompt).unwrap_or_else(|e| panic!("no {prompt:?}: {e}"));
    std::thread::sleep(Duration::from_millis(300));
    p.send_line(line).unwrap();
    before
}

#[test]
fn an_order_is_sent_only_after_a_yes_typed_at_the_terminal() {
    let mock = MockServer::start(Config::default()).unwrap();
    let order = ["trade", "quick", "BTC", "--budget", "100", "--profit-target", "40"];

    let mut cmd = command(&mock, &order, "order");
    cmd.env("ALURA_PRIVATE_KEY", KEY);
    let mut p = rexpect::session::spawn_command(cmd, Some(20_000)).unwrap();
    let shown = answer(&mut p, "Send this order? [y/N]", "n");
    assert!(shown.contains("POST") && shown.contains("\"assetIndex\": 0"), "{shown}");
    p.exp_string("not sent").unwrap();
    p.exp_eof().unwrap();
    assert!(mock.requests(Some("create_trading_session")).is_empty(), "a no sends nothing");

    let mut cmd = command(&mock, &order, "order");
    cmd.env("ALURA_PRIVATE_KEY", KEY);
    let mut p = rexpect::session::spawn_command(cmd, Some(20_000)).unwrap();
    answer(&mut p, "Send this order? [y/N]", "y");
    let after = p.exp_eof().unwrap();
    assert!(after.contains("active"), "the new session, as a table:\n{after}");
    assert_eq!(mock.requests(Some("create_trading_session")).len(), 1);
}

#[test]
fn login_asks_for_the_key_without_echoing_it() {
    let mock = MockServer::start(Config::default()).unwrap();
    let mut p = rexpect::session::spawn_command(command(&mock, &["login"], "ask"), Some(20_000)).unwrap();
    answer(&mut p, "private key", KEY);
    let after = p.exp_eof().unwrap();
    let address = KEY.parse::<PrivateKeySigner>().unwrap().address().to_string();
    assert!(after.contains(&format!("logged in as {address}")), "{after}");
    assert!(!after.contains(&KEY[2..]), "the key was echoed:\n{after}");
    assert_eq!(mock.requests(Some("verify_signature")).len(), 1);
}

/// A keystore of `KEY` under `password`, as wallets write them.
fn keystore(password: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("alura-cli-keystore-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    PrivateKeySigner::encrypt_keystore(
        &dir,
        &mut rand::thread_rng(),
        hex(&KEY[2..]),
        password,
        Some("key.json"),
    )
    .unwrap();
    dir.join("key.json")
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

#[test]
fn a_keystore_logs_in_with_its_password_asked_or_from_the_environment() {
    let mock = MockServer::start(Config::default()).unwrap();
    let file = keystore("correct horse");
    let path = file.to_str().unwrap();
    let address = KEY.parse::<PrivateKeySigner>().unwrap().address().to_string();

    let mut p =
        rexpect::session::spawn_command(command(&mock, &["login", "--keystore", path], "ks"), Some(30_000))
            .unwrap();
    answer(&mut p, "password of", "correct horse");
    let after = p.exp_eof().unwrap();
    assert!(after.contains(&format!("logged in as {address}")), "{after}");
    assert!(!after.contains("correct horse"), "the password was echoed:\n{after}");

    let mut cmd = command(&mock, &["login", "--keystore", path], "ks-env");
    cmd.env("ALURA_KEYSTORE_PASSWORD", "wrong horse");
    let out = cmd.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "bad input: {err}");
    assert!(err.contains("the password is wrong"), "{err}");
    assert!(!err.contains("wrong horse"), "{err}");

    // A public call never opens the keystore: no password is asked for, none is needed.
    let mut cmd = command(&mock, &["candles", "BTC", "1h", "--limit", "2"], "ks-public");
    cmd.env("ALURA_KEYSTORE", path).stdin(std::process::Stdio::null());
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_file_that_is_not_a_keystore_is_refused_without_quoting_it() {
    let mock = MockServer::start(Config::default()).unwrap();
    let file = std::env::temp_dir().join(format!("alura-cli-bare-key-{}.json", std::process::id()));
    std::fs::write(&file, format!("\"{KEY}\"")).unwrap();
    let mut cmd = command(&mock, &["login", "--keystore", file.to_str().unwrap()], "bare");
    cmd.env("ALURA_KEYSTORE_PASSWORD", "x");
    let out = cmd.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("is not an Ethereum JSON keystore"), "{err}");
    assert!(!err.contains(&KEY[2..12]), "the key was quoted: {err}");
}

#[test]
fn ctrl_c_at_the_key_prompt_ends_the_command_and_gives_back_the_terminal() {
    let mock = MockServer::start(Config::default()).unwrap();
    let mut p = rexpect::session::spawn_command(command(&mock, &["login"], "ctrl-c"), Some(20_000)).unwrap();
    p.exp_string("private key").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    p.send_control('c').unwrap();
    p.exp_eof().unwrap();
    // Exit 130, not death by SIGINT: the prompt put the terminal's echo back before it ended.
    match p.process.wait().unwrap() {
        rexpect::process::wait::WaitStatus::Exited(_, code) => assert_eq!(code, 130),
        other => panic!("{other:?}"),
    }
    assert!(mock.requests(None).is_empty(), "nothing sent");
}

#[test]
fn with_no_key_and_no_terminal_login_says_where_a_key_can_come_from() {
    let mock = MockServer::start(Config::default()).unwrap();
    let out = command(&mock, &["login"], "none").stdin(std::process::Stdio::null()).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("no terminal to ask on: set ALURA_PRIVATE_KEY or pass --keystore"), "{err}");
    assert!(
        mock.requests(Some("get_challenge")).is_empty() && mock.requests(Some("verify_signature")).is_empty()
    );
}
