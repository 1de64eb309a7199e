//! A proxy named by the environment (`HTTP_PROXY`, as behind a company's firewall) carries the
//! calls to a base URL it catches, and never loopback's. Alone in its binary: it changes the
//! environment, which no other test may read meanwhile.

mod common;

use alura::{Client, RawRequest};
use common::hostile::{Hostile, json};
use serde_json::json;

fn latest() -> RawRequest {
    RawRequest {
        method: "GET".into(),
        path: "/api/indicators/candles/latest".into(),
        ..RawRequest::default()
    }
}

#[tokio::test]
async fn an_environment_proxy_carries_the_calls_it_catches_and_never_loopbacks() {
    let proxy = Hostile::start(|_| json("200 OK", json!([{"symbol": "BTC", "close": 1.5}]))).await;
    // SAFETY: the only test of this binary, and no thread of it reads the environment now.
    unsafe {
        for name in ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"] {
            std::env::remove_var(name);
        }
        std::env::set_var("HTTP_PROXY", &proxy.url);
    }

    // `.invalid` never resolves: the call can only arrive through the proxy.
    let client =
        Client::builder().base_url("http://alura.invalid").allow_insecure_http(true).build().unwrap();
    let answer = client.request(latest()).await.unwrap();
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json().unwrap(), json!([{"symbol": "BTC", "close": 1.5}]));
    let seen = proxy.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(
        seen[0].path, "http://alura.invalid/api/indicators/candles/latest",
        "the absolute form a proxy reads"
    );
    let head = seen[0].head.to_ascii_lowercase();
    assert!(head.contains("x-request-id:") && head.contains("user-agent: alura-rust/"), "{head}");

    // A loopback base URL goes straight to its server, proxy or not.
    let local = Hostile::start(|_| json("200 OK", json!([]))).await;
    let client = Client::builder().base_url(&local.url).build().unwrap();
    assert_eq!(client.request(latest()).await.unwrap().status, 200);
    assert_eq!(local.seen().len(), 1);
    assert_eq!(proxy.seen().len(), 1, "the proxy saw nothing of the loopback call");
}
