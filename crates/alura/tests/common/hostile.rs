//! A server that is not ours: a few lines of raw HTTP on loopback that answer whatever a test
//! tells them (wrong shapes, HTML, redirects, endless or broken bodies, odd headers), and
//! remember every request they got.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One request as the server read it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub head: String,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_default()
    }
}

/// What the server does with a request.
pub enum Answer {
    /// These bytes, then close.
    Raw(Vec<u8>),
    /// `head`, then `chunk` `times` times (bounded), then close.
    Stream { head: String, chunk: Vec<u8>, times: usize },
    /// `head` and `part`, then silence for `ms`, then close.
    Stall { head: String, part: Vec<u8>, ms: u64 },
}

/// A complete answer with this status line, extra headers and body.
pub fn http(status: &str, headers: &[(&str, &str)], body: &str) -> Answer {
    let mut head = format!("HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n", body.len());
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    Answer::Raw(format!("{head}\r\n{body}").into_bytes())
}

/// A JSON answer.
pub fn json(status: &str, body: serde_json::Value) -> Answer {
    http(status, &[("content-type", "application/json")], &body.to_string())
}

type Handler = dyn Fn(&Seen) -> Answer + Send + Sync;

pub struct Hostile {
    pub url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Hostile {
    pub async fn start(handler: impl Fn(&Seen) -> Answer + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let log = seen.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let (handler, log) = (handler.clone(), log.clone());
                tokio::spawn(async move { serve(socket, &*handler, &log).await });
            }
        });
        Self { url, seen }
    }

    /// Every request so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// How many requests went to `path`.
    pub fn count(&self, path: &str) -> usize {
        self.seen().iter().filter(|s| s.path == path).count()
    }
}

/// A server that follows the contract for login (echoes the address, issues a token) and
/// answers everything else with `rest`.
pub async fn with_login(rest: impl Fn(&Seen) -> Answer + Send + Sync + 'static) -> Hostile {
    Hostile::start(move |req| match req.path.as_str() {
        "/auth/evm/challenge" => {
            let address = req.json()["address"].as_str().unwrap_or_default().to_owned();
            json(
                "201 Created",
                serde_json::json!({"address": address, "nonce": "nonce-001", "message": format!("Sign in {address} nonce-001")}),
            )
        }
        "/auth/evm/verify" => json(
            "201 Created",
            serde_json::json!({"ok": true, "accessToken": "tok", "tokenType": "Bearer", "expiresIn": 86400}),
        ),
        _ => rest(req),
    })
    .await
}

async fn serve(mut socket: TcpStream, handler: &Handler, log: &Mutex<Vec<Seen>>) {
    let Some(seen) = read_request(&mut socket).await else { return };
    let answer = handler(&seen);
    log.lock().unwrap().push(seen);
    match answer {
        Answer::Raw(bytes) => {
            let _ = socket.write_all(&bytes).await;
        }
        Answer::Stream { head, chunk, times } => {
            if socket.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            for _ in 0..times {
                if socket.write_all(&chunk).await.is_err() {
                    return;
                }
            }
        }
        Answer::Stall { head, part, ms } => {
            let _ = socket.write_all(head.as_bytes()).await;
            let _ = socket.write_all(&part).await;
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
    }
    let _ = socket.shutdown().await;
}

async fn read_request(socket: &mut TcpStream) -> Option<Seen> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let end = loop {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > 1 << 20 {
            return None;
        }
    };
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let length = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_owned()))
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = buf[end..].to_vec();
    while body.len() < length {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    let mut first = head.lines().next().unwrap_or_default().split(' ');
    let method = first.next().unwrap_or_default().to_owned();
    let target = first.next().unwrap_or_default();
    let path = target.split('?').next().unwrap_or_default().to_owned();
    Some(Seen { method, path, head, body })
}

/// Answers like a NestJS + TypeORM backend we never saw: verify with a trimmed `user`,
/// decimals as strings, fields we do not know, `null`s.
pub async fn independent() -> Hostile {
    Hostile::start(|req: &Seen| match req.path.as_str() {
        "/auth/evm/challenge" => {
            let address = req.json()["address"].as_str().unwrap_or_default().to_owned();
            json(
                "201 Created",
                serde_json::json!({"address": address, "nonce": "nonce-001", "message": format!("Sign in {address} nonce-001")}),
            )
        }
        "/auth/evm/verify" => json(
            "201 Created",
            serde_json::json!({"ok": true, "accessToken": "tok", "tokenType": "Bearer", "user": {"address": "0xabc"}}),
        ),
        "/user/profile" => json(
            "200 OK",
            serde_json::json!({"id": 7, "address": "0xabc", "balance": "100.00", "referralCode": null, "tier": "gold"}),
        ),
        path if path.starts_with("/api/indicators/candles/history/") => json(
            "200 OK",
            serde_json::json!([
                {"openTime": 1000, "open": "1.5", "high": 2, "low": "1", "close": "1.75", "volume": "10"},
                {"openTime": "2000", "open": 1.75, "high": null, "low": 1.5, "close": 2, "extra": true}
            ]),
        ),
        _ => json("404 Not Found", serde_json::json!({"statusCode": 404, "message": "Not Found"})),
    })
    .await
}
