//! The simulator serves the spec the way NestJS does, and its binary announces itself.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use alura_mock::{Config, MockServer};

#[tokio::test]
async fn xtask_fetch_reproduces_the_raw_spec_from_each_route() {
    let mock = MockServer::start(Config::default()).unwrap();
    let client = xtask::spec::fetch::client().unwrap();
    let committed = std::fs::read_to_string(xtask::root().join("openapi/alura.raw.json")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for route in xtask::spec::fetch::ROUTES {
        let spec =
            xtask::spec::fetch::fetch_route(&client, &format!("{}{route}", mock.url()), route).await.unwrap();
        let out = dir.path().join("raw.json");
        xtask::spec::fetch::write(&spec, &out).unwrap();
        assert!(
            std::fs::read_to_string(&out).unwrap() == committed,
            "{route} does not reproduce alura.raw.json"
        );
    }
    let page = common_get(&format!("{}/api/docs", mock.url())).await;
    assert!(page.contains("swagger-ui-init.js"));
}

async fn common_get(url: &str) -> String {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .get(url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Runs the binary with `args`, returns what `GET /health` answered.
async fn health_from_binary(args: &[&str]) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_alura-mock"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let health = common_get(&format!("{url}/health")).await;
    child.kill().unwrap();
    child.wait().unwrap();
    health
}

#[tokio::test]
async fn the_binary_prints_its_url_first_and_serves_it() {
    let health = health_from_binary(&["--port", "0", "--seed", "7"]).await;
    assert!(health.contains("\"status\":\"ok\""), "{health}");
    assert!(!health.contains("\"meta\""), "{health}");
}

#[tokio::test]
async fn the_binary_drifts_when_asked() {
    let health = health_from_binary(&["--port", "0", "--drift"]).await;
    assert!(health.contains("\"status\":\"ok\"") && health.contains("\"meta\""), "{health}");
}
