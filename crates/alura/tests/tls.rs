//! HTTPS as a user meets it: a server whose certificate no one vouches for is refused before a
//! byte of the request (its token, its order) reaches it.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use alloy_signer_local::PrivateKeySigner;
use alura::{Client, Error, RawRequest, RetryPolicy};
use common::untrusted_tls::untrusted_server;
use serde_json::{Map, json};
use tokio::net::TcpListener;

#[tokio::test]
async fn a_certificate_no_one_vouches_for_is_refused_before_anything_is_sent() {
    let (url, read) = untrusted_server().await;
    let client = Client::builder()
        .base_url(&url)
        .signer(PrivateKeySigner::random())
        .retry(RetryPolicy { max_retries: 0, ..RetryPolicy::default() })
        .build()
        .unwrap();
    // A login (a signature) and an authenticated call: neither may reach the server.
    let err = client.call("get_profile", Map::new()).await.unwrap_err();
    match &err {
        Error::Network { message, .. } => {
            assert!(message.to_lowercase().contains("certificate"), "names the certificate: {message}")
        }
        other => panic!("a network error, not {other:?}"),
    }
    assert!(!read.load(Ordering::SeqCst), "the server read a request over an untrusted connection");
}

#[tokio::test]
async fn a_stalled_tls_handshake_is_a_connect_timeout_and_even_a_post_is_tried_again() {
    // Accepts connections and never answers the TLS hello: a black-holed load balancer.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://localhost:{}", listener.local_addr().unwrap().port());
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((tcp, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            held.push(tcp);
        }
    });
    let client = Client::builder()
        .base_url(&url)
        .connect_timeout(Duration::from_millis(200))
        .timeout(Duration::from_secs(3))
        .retry(RetryPolicy { max_retries: 1, ..RetryPolicy::default() })
        .build()
        .unwrap();
    let order = RawRequest {
        method: "POST".into(),
        path: "/trading-sessions".into(),
        body: Some(json!({"budget": 10})),
        ..RawRequest::default()
    };
    let err = client.request(order).await.unwrap_err();
    // The connect timeout, not the attempt's 3 s: nothing of the POST left, so it was tried
    // again rather than reported as an order that may have run.
    assert!(matches!(err, Error::Timeout { .. }), "a timeout, not {err:?}");
    assert_eq!(accepted.load(Ordering::SeqCst), 2, "the POST was tried twice");
}
