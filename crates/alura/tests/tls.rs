//! HTTPS as a user meets it: a server whose certificate no one vouches for is refused before a
//! byte of the request (its token, its order) reaches it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use alloy_signer_local::PrivateKeySigner;
use alura::{Client, Error, RetryPolicy};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use serde_json::Map;
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;

const CERT: &[u8] = include_bytes!("fixtures/untrusted-cert.pem");
const KEY: &[u8] = include_bytes!("fixtures/untrusted-key.pem");

/// A TLS server on loopback with the untrusted certificate; the flag says whether it ever read
/// a byte of a request.
async fn untrusted_server() -> (String, Arc<AtomicBool>) {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from_pem_slice(CERT).unwrap()],
            PrivateKeyDer::from_pem_slice(KEY).unwrap(),
        )
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://localhost:{}", listener.local_addr().unwrap().port());
    let read = Arc::new(AtomicBool::new(false));
    let flag = read.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, flag) = (acceptor.clone(), flag.clone());
            tokio::spawn(async move {
                if let Ok(mut tls) = acceptor.accept(tcp).await {
                    let mut buf = [0u8; 1];
                    if matches!(tls.read(&mut buf).await, Ok(n) if n > 0) {
                        flag.store(true, Ordering::SeqCst);
                    }
                }
            });
        }
    });
    (url, read)
}

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
