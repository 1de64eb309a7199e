//! `alura doctor` against the simulator, and against servers that are not ours: one whose spec
//! has lost operations, and one that does not speak TLS on an https URL.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Output};

use alura_mock::{Config, MockServer};

const KEY: &str = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";

fn doctor(base_url: &str, key: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_alura"));
    cmd.args(["doctor", "--base-url", base_url])
        .env_remove("ALURA_BASE_URL")
        .env_remove("ALURA_PRIVATE_KEY")
        .env_remove("ALURA_TOKEN")
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .env("XDG_CACHE_HOME", std::env::temp_dir().join("alura-cli-doctor-cache"));
    if let Some(key) = key {
        cmd.env("ALURA_PRIVATE_KEY", key);
    }
    cmd.output().unwrap()
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr)
}

#[test]
fn the_simulator_passes_every_check() {
    let mock = MockServer::start(Config::default()).unwrap();
    let out = doctor(mock.url(), Some(KEY));
    let report = text(&out);
    assert_eq!(out.status.code(), Some(0), "{report}");
    let n = alura_api::operations::OPERATIONS.len();
    for want in [
        "-     DNS: not needed for the address 127.0.0.1".to_owned(),
        "TLS: not used by".to_owned(),
        "ok    clock skew against the server: 0 s".to_owned(),
        format!("ok    spec: {n} operations served, {n} known to this SDK, 0 new"),
        "ok    login; the token lasts".to_owned(),
        "rate limit:".to_owned(),
    ] {
        assert!(report.contains(&want), "{want:?} in\n{report}");
    }
    assert!(!report.contains(&KEY[2..]), "the key printed:\n{report}");
}

/// Serves every request with `answer(path)` until the test ends.
fn serve(answer: fn(&str) -> (u16, String)) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().take(50) {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 4096];
            let n = stream.read(&mut buf).unwrap_or(0);
            let request = String::from_utf8_lossy(&buf[..n]).into_owned();
            let path = request.split_whitespace().nth(1).unwrap_or("/").to_owned();
            let (status, body) = answer(&path);
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

#[test]
fn a_spec_that_lost_operations_fails_and_names_them() {
    let url = serve(|path| {
        match path {
        "/api/docs-json" => (
            200,
            r#"{"openapi":"3.0.0","paths":{"/api/indicators/health":{"get":{}},"/api/brand-new":{"get":{}}}}"#.into(),
        ),
        _ => (200, r#"{"status":"ok"}"#.into()),
    }
    });
    let out = doctor(&url, None);
    let report = text(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    let n = alura_api::operations::OPERATIONS.len();
    assert!(
        report.contains(&format!("FAIL  spec: 2 operations served, {n} known to this SDK, 1 new")),
        "{report}"
    );
    assert!(report.contains("not served: ") && report.contains("POST /trading-sessions"), "{report}");
    assert!(report.contains("fix: the server has changed"), "{report}");
    assert!(report.contains("-     login: no key"), "{report}");
}

#[test]
fn an_https_url_to_a_server_without_tls_is_a_tls_failure_with_a_fix() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(20) {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 1024];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
        }
    });
    let out = doctor(&format!("https://127.0.0.1:{port}"), None);
    let report = text(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(report.contains("FAIL  TLS with 127.0.0.1"), "{report}");
    assert!(report.contains("fix: the server's certificate is not trusted here"), "{report}");
}

#[test]
fn a_host_that_does_not_resolve_stops_at_dns() {
    let out = doctor("https://no-such-host.invalid", None);
    let report = text(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(report.contains("FAIL  DNS: no-such-host.invalid does not resolve"), "{report}");
}

#[test]
fn a_spec_too_large_to_be_one_is_not_read_to_the_end() {
    let url = serve(|path| match path {
        "/api/docs-json" => (200, format!("{{\"openapi\":\"3.0.0\",\"x\":\"{}\"}}", "a".repeat(40 << 20))),
        _ => (200, r#"{"status":"ok"}"#.into()),
    });
    let out = doctor(&url, None);
    let report = text(&out);
    assert!(report.contains("FAIL  spec: ") && report.contains("is over 32 MiB"), "{report}");
}

#[test]
fn after_alura_login_doctor_reports_the_kept_token() {
    let mock = MockServer::start(Config::default()).unwrap();
    let cache = std::env::temp_dir().join(format!("alura-cli-doctor-kept-{}", std::process::id()));
    let run = |args: &[&str], key: Option<&str>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_alura"));
        cmd.args(args)
            .args(["--base-url", mock.url()])
            .env_remove("ALURA_PRIVATE_KEY")
            .env_remove("ALURA_TOKEN")
            .env("XDG_CONFIG_HOME", "/nonexistent")
            .env("XDG_CACHE_HOME", &cache);
        if let Some(key) = key {
            cmd.env("ALURA_PRIVATE_KEY", key);
        }
        cmd.output().unwrap()
    };
    assert!(run(&["login"], Some(KEY)).status.success());
    let out = run(&["doctor"], None);
    let report = text(&out);
    assert!(
        report.contains("ok    the token of the last `alura login`; the token lasts 23 h more"),
        "{report}"
    );
    // The same token serves a call that needs a login, with no key given.
    let profile = run(&["user", "get-profile"], None);
    assert!(profile.status.success(), "{}", text(&profile));
    assert_eq!(mock.requests(Some("verify_signature")).len(), 1, "one login, kept");
}
