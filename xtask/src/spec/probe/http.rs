//! The probe's HTTP: one bounded request at a time, and the wallet login.

use std::time::Duration;

use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use anyhow::{Context, Result};
use serde_json::{Value, json};

/// What a server answered, read in full (up to the size limit).
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
}

impl Answer {
    /// The body as JSON, or why it is not: the content type and the start of the text.
    pub fn json(&self) -> Result<Value, String> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Err("empty body".into());
        }
        serde_json::from_slice(&self.body).map_err(|_| {
            let kind = if self.content_type.is_empty() { "no content type" } else { &self.content_type };
            let text = String::from_utf8_lossy(&self.body);
            format!("not JSON ({kind}): {}", super::schema::truncate(&text, 50))
        })
    }
}

pub fn client(base_url: &str, timeout: Duration) -> Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder()
        .connect_timeout(timeout)
        .timeout(timeout)
        .user_agent(concat!("alura-sdk-xtask-probe/", env!("CARGO_PKG_VERSION")));
    // A proxy from the environment must never catch loopback traffic; a remote backend may
    // well need it.
    if let Ok(url) = reqwest::Url::parse(base_url)
        && matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"))
    {
        builder = builder.no_proxy();
    }
    builder.build().context("building the HTTP client")
}

/// Sends `request` and reads the answer, refusing a body over `max_body` bytes before or while
/// it arrives. Errors are short and meant for the report.
pub async fn send(request: reqwest::RequestBuilder, max_body: usize) -> Result<Answer, String> {
    let mut response = request.send().await.map_err(|e| describe(&e))?;
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let too_large = || format!("HTTP {status}: body over {} refused", size(max_body));
    if response.content_length().is_some_and(|n| n > max_body as u64) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| describe(&e))? {
        if body.len() + chunk.len() > max_body {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Answer { status, content_type, body })
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "cannot connect".into()
    } else {
        let mut text = e.to_string();
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            text = format!("{text}: {s}");
            source = s.source();
        }
        super::schema::truncate(&text, 120)
    }
}

fn size(bytes: usize) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

/// Parses a hex private key (with or without `0x`) without echoing it in the error.
pub fn signer(private_key: &str) -> Result<PrivateKeySigner> {
    private_key.trim().parse().ok().context("the private key is not 32 bytes of hex")
}

/// The login's two steps as they went: each step's answer (or why it failed), then the token.
pub struct Login {
    pub challenge: Result<Answer, String>,
    pub verify: Option<Result<Answer, String>>,
    pub token: Option<String>,
    /// Why there is no token, when there is none.
    pub failure: Option<String>,
}

/// The EVM login: ask for a challenge for the wallet's address, personal_sign (EIP-191) its
/// `message` exactly as sent, and trade the signature for a bearer token.
pub async fn login(
    client: &reqwest::Client,
    base: &str,
    wallet: &PrivateKeySigner,
    max_body: usize,
) -> Login {
    let address = wallet.address().to_checksum(None);
    let request = client.post(format!("{base}/auth/evm/challenge")).json(&json!({ "address": address }));
    let challenge = send(request, max_body).await;
    let message = match &challenge {
        Err(e) => Err(format!("challenge: {e}")),
        Ok(a) if !(200..300).contains(&a.status) => Err(format!("challenge: HTTP {}", a.status)),
        Ok(a) => match a.json().map(|v| v.get("message").and_then(Value::as_str).map(str::to_owned)) {
            Ok(Some(m)) => Ok(m),
            Ok(None) => Err("challenge: no `message` to sign".into()),
            Err(e) => Err(format!("challenge: {e}")),
        },
    };
    let message = match message {
        Ok(m) => m,
        Err(failure) => return Login { challenge, verify: None, token: None, failure: Some(failure) },
    };
    let signature = match wallet.sign_message_sync(message.as_bytes()) {
        Ok(s) => s.to_string(),
        Err(e) => {
            let failure = Some(format!("signing the challenge: {e}"));
            return Login { challenge, verify: None, token: None, failure };
        }
    };
    let request = client
        .post(format!("{base}/auth/evm/verify"))
        .json(&json!({ "address": address, "signature": signature }));
    let verify = send(request, max_body).await;
    let token = match &verify {
        Err(e) => Err(format!("verify: {e}")),
        Ok(a) if !(200..300).contains(&a.status) => Err(format!("verify: HTTP {}", a.status)),
        Ok(a) => match a.json().map(|v| v.get("accessToken").and_then(Value::as_str).map(str::to_owned)) {
            Ok(Some(t)) => Ok(t),
            Ok(None) => Err("verify: no `accessToken` in the answer".into()),
            Err(e) => Err(format!("verify: {e}")),
        },
    };
    let (token, failure) = match token {
        Ok(t) => (Some(t), None),
        Err(f) => (None, Some(f)),
    };
    Login { challenge, verify: Some(verify), token, failure }
}
