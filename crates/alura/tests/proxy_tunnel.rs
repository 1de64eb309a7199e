//! Calls through a real proxy, as behind a company's firewall: a small forwarding and CONNECT
//! proxy written here relays bytes to the simulator (plain HTTP) or opens a tunnel (HTTPS).
//! Logins, POSTs and their failures keep their meaning through it. Alone in its binary: it
//! changes the environment, which no other test may read meanwhile.

mod common;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use alloy_signer_local::PrivateKeySigner;
use alura::{Client, Error};
use alura_mock::{Config, MockServer};
use common::untrusted_tls::untrusted_server;
use serde_json::{Map, Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt, copy_bidirectional};
use tokio::net::{TcpListener, TcpStream};

/// Relays plain HTTP to `http` and tunnels CONNECT to `tls`, whatever host a request names (the
/// proxy resolves names; the client never does). Keeps each connection's first request line.
struct Proxy {
    url: String,
    seen: Arc<Mutex<Vec<String>>>,
    /// Relay a request, then close the client's connection as its answer starts.
    cut: Arc<AtomicBool>,
}

impl Proxy {
    async fn start(http: SocketAddr, tls: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (seen, cut) = (Arc::new(Mutex::new(Vec::new())), Arc::new(AtomicBool::new(false)));
        let (log, cutting) = (seen.clone(), cut.clone());
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (log, cut) = (log.clone(), cutting.load(Ordering::SeqCst));
                tokio::spawn(relay(client, http, tls, log, cut));
            }
        });
        Self { url, seen, cut }
    }

    fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

async fn relay(
    mut client: TcpStream,
    http: SocketAddr,
    tls: SocketAddr,
    log: Arc<Mutex<Vec<String>>>,
    cut: bool,
) {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match client.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let line = String::from_utf8_lossy(&head).lines().next().unwrap_or_default().to_owned();
    log.lock().unwrap().push(line.clone());
    if line.starts_with("CONNECT ") {
        let Ok(mut upstream) = TcpStream::connect(tls).await else { return };
        let _ = client.write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n").await;
        let _ = copy_bidirectional(&mut client, &mut upstream).await;
        return;
    }
    let Ok(mut upstream) = TcpStream::connect(http).await else { return };
    if upstream.write_all(&head).await.is_err() {
        return;
    }
    if cut {
        // The server acts on the request; its answer never reaches the client.
        let _ = upstream.read(&mut buf).await;
        return;
    }
    let _ = copy_bidirectional(&mut client, &mut upstream).await;
}

#[tokio::test]
async fn calls_through_a_real_proxy_keep_their_meaning() {
    let mock = MockServer::start(Config::default()).unwrap();
    let (tls_url, tls_read) = untrusted_server().await;
    let tls_addr: SocketAddr = format!("127.0.0.1:{}", tls_url.rsplit(':').next().unwrap()).parse().unwrap();
    let proxy = Proxy::start(mock.addr(), tls_addr).await;
    // SAFETY: the only test of this binary, and no thread of it reads the environment now.
    unsafe {
        for name in ["ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy", "http_proxy", "https_proxy"] {
            std::env::remove_var(name);
        }
        std::env::set_var("HTTP_PROXY", &proxy.url);
        std::env::set_var("HTTPS_PROXY", &proxy.url);
    }

    // `.invalid` never resolves: everything below can only arrive through the proxy.
    let client = Client::builder()
        .base_url("http://api.alura.invalid")
        .allow_insecure_http(true)
        .signer(PrivateKeySigner::random())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let profile = client.call("get_profile", Map::new()).await.unwrap().to_value().unwrap();
    assert_eq!(profile["address"], json!(client.address().unwrap().to_checksum(None)));
    let open = json!({"budget": 100, "profitTarget": 40, "assetIndex": 0});
    let Value::Object(open) = open else { unreachable!() };
    client.call("create_trading_session", open.clone()).await.unwrap();
    assert_eq!(mock.counters()["verify_signature"], 1, "logged in once, through the proxy");
    let seen = proxy.seen();
    assert!(
        seen.first().is_some_and(|l| l.starts_with("POST http://api.alura.invalid/auth/evm/challenge ")),
        "the absolute form a proxy reads: {seen:?}"
    );

    // The proxy relays a POST and drops the connection as the answer starts: acted on, answer
    // lost. A fresh connection, with the token the first client holds.
    proxy.cut.store(true, Ordering::SeqCst);
    let token = client.token().unwrap().value().to_owned();
    let cut = Client::builder()
        .base_url("http://api.alura.invalid")
        .allow_insecure_http(true)
        .token(token)
        .build()
        .unwrap();
    let mut second = open.clone();
    second.insert("assetIndex".into(), json!(1));
    let err = cut.call("create_trading_session", second).await.unwrap_err();
    assert!(matches!(err, Error::OutcomeUnknown { .. }), "{err:?}");
    let opened: Vec<_> =
        mock.requests(Some("create_trading_session")).into_iter().map(|r| r.status).collect();
    assert_eq!(opened, [Some(201), Some(201)], "each sent once, both acted on");
    proxy.cut.store(false, Ordering::SeqCst);

    // HTTPS goes through a CONNECT tunnel, and the certificate is still checked at its end:
    // refused before a byte of the login reaches the server.
    let https = Client::builder()
        .base_url("https://api.alura.invalid")
        .signer(PrivateKeySigner::random())
        .timeout(Duration::from_secs(5))
        .retry(alura::RetryPolicy { max_retries: 0, ..alura::RetryPolicy::default() })
        .build()
        .unwrap();
    let err = https.call("get_profile", Map::new()).await.unwrap_err();
    assert!(
        matches!(&err, Error::Network { message, .. } if message.to_lowercase().contains("certificate")),
        "{err:?}"
    );
    assert!(
        proxy.seen().iter().any(|l| l.starts_with("CONNECT api.alura.invalid:443 ")),
        "{:?}",
        proxy.seen()
    );
    assert!(!tls_read.load(Ordering::SeqCst), "the server read a request over an untrusted tunnel");
}
