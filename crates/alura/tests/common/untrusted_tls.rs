//! A TLS server on loopback whose certificate no one vouches for.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;

const CERT: &[u8] = include_bytes!("../fixtures/untrusted-cert.pem");
const KEY: &[u8] = include_bytes!("../fixtures/untrusted-key.pem");

/// A TLS server on loopback with the untrusted certificate; the flag says whether it ever read
/// a byte of a request.
pub async fn untrusted_server() -> (String, Arc<AtomicBool>) {
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
