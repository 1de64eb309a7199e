//! One client, several Tokio runtimes: what `#[tokio::test]`s sharing a client meet, or a
//! program with a runtime per thread (a binding's sync calls).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use alura::sockets::{Socket, SocketWatcher};
use alura::{Client, Error, RawRequest, RetryPolicy};
use alura_mock::{Config, MockServer};
use tokio::runtime::Runtime;

fn current_thread() -> Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

async fn latest(client: &Client) -> Result<usize, Error> {
    Ok(client.api().get_latest_candles().send().await?.into_inner().len())
}

#[test]
fn a_client_shared_by_two_runtimes_answers_on_each() {
    let mock = MockServer::start(Config::default()).unwrap();
    let client = Client::builder()
        .base_url(mock.url())
        .timeout(Duration::from_secs(2))
        .retry(RetryPolicy { max_retries: 0, ..RetryPolicy::default() })
        .build()
        .unwrap();
    let first = current_thread();
    assert_eq!(first.block_on(latest(&client)).unwrap(), 6);
    // `first` lives on, idle: nothing runs its tasks, among them the connection it opened.
    let second = current_thread();
    let started = Instant::now();
    let answer = second.block_on(latest(&client));
    assert_eq!(answer.unwrap(), 6, "the second runtime's call must not wait on the first's connection");
    assert!(started.elapsed() < Duration::from_secs(1), "took {:?}", started.elapsed());
    assert_eq!(first.block_on(latest(&client)).unwrap(), 6);
    // A runtime that is gone leaves nothing behind that a later call could pick.
    drop(first);
    let third = current_thread();
    assert_eq!(third.block_on(latest(&client)).unwrap(), 6);
}

/// A keep-alive server that, like NestJS (5 s) or nginx, closes a connection left idle for
/// `idle` without saying so in advance. Keeps each request line and counts connections.
fn closing_server(idle: Duration) -> (String, Arc<Mutex<Vec<String>>>, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (lines, connections) = (Arc::new(Mutex::new(Vec::new())), Arc::new(AtomicUsize::new(0)));
    let (seen, count) = (lines.clone(), connections.clone());
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(conn) = conn else { return };
            count.fetch_add(1, Ordering::SeqCst);
            let seen = seen.clone();
            std::thread::spawn(move || serve(conn, idle, &seen));
        }
    });
    (url, lines, connections)
}

fn serve(mut conn: TcpStream, idle: Duration, seen: &Mutex<Vec<String>>) {
    conn.set_read_timeout(Some(idle)).unwrap();
    let mut buffered = Vec::new();
    let mut chunk = [0u8; 65536];
    loop {
        let end = loop {
            if let Some(at) = buffered.windows(4).position(|w| w == b"\r\n\r\n") {
                break at;
            }
            match conn.read(&mut chunk) {
                Ok(0) | Err(_) => return, // gone, or idle: close
                Ok(n) => buffered.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buffered[..end]).into_owned();
        let length: usize = head
            .lines()
            .find_map(|l| {
                l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap())
            })
            .unwrap_or(0);
        while buffered.len() < end + 4 + length {
            match conn.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => buffered.extend_from_slice(&chunk[..n]),
            }
        }
        buffered.drain(..end + 4 + length);
        seen.lock().unwrap().push(head.lines().next().unwrap_or_default().to_owned());
        let body = r#"{"ok":true}"#;
        let answer = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        if conn.write_all(answer.as_bytes()).is_err() {
            return;
        }
    }
}

#[test]
fn a_post_after_an_idle_runtimes_connection_was_closed_goes_out_once_on_a_fresh_one() {
    let (url, lines, connections) = closing_server(Duration::from_millis(100));
    let client = Client::builder()
        .base_url(&url)
        .retry(RetryPolicy { max_retries: 0, ..RetryPolicy::default() })
        .build()
        .unwrap();
    let post = || RawRequest {
        method: "POST".into(),
        path: "/orders".into(),
        body: Some(serde_json::json!({"n": 1})),
        ..RawRequest::default()
    };
    let runtime = current_thread();
    runtime.block_on(client.request(post())).unwrap();
    // The runtime runs nothing now, so nothing reads the connection the server closes.
    std::thread::sleep(Duration::from_millis(400));
    let second = runtime.block_on(client.request(post()));
    assert!(second.is_ok(), "{second:?}");
    assert_eq!(*lines.lock().unwrap(), vec!["POST /orders HTTP/1.1"; 2]);
    assert_eq!(connections.load(Ordering::SeqCst), 2);
}

/// What a watcher was told, in order: `true` for watch, `false` for unwatch.
#[derive(Default)]
struct Told(Mutex<Vec<(bool, Socket)>>);

impl SocketWatcher for Told {
    fn watch(&self, socket: Socket) {
        self.0.lock().unwrap().push((true, socket));
    }
    fn unwatch(&self, socket: Socket) {
        self.0.lock().unwrap().push((false, socket));
    }
}

#[test]
fn an_event_loop_is_told_of_each_connection_it_runs_and_again_before_it_closes() {
    let mock = MockServer::start(Config::default()).unwrap();
    let client = Client::builder().base_url(mock.url()).build().unwrap();
    let told = Arc::new(Told::default());
    let watcher: Arc<dyn SocketWatcher> = told.clone();
    let looped = current_thread();
    for _ in 0..3 {
        assert_eq!(alura::sockets::watching(&watcher, || looped.block_on(latest(&client))).unwrap(), 6);
    }
    let seen = told.0.lock().unwrap().clone();
    assert!(matches!(seen.as_slice(), [(true, _)]), "one pooled connection, told once: {seen:?}");
    // Another runtime's connections are not the loop's to watch.
    let other = current_thread();
    assert_eq!(other.block_on(latest(&client)).unwrap(), 6);
    assert_eq!(told.0.lock().unwrap().len(), 1);
    // The loop's runtime goes (its loop closed): its connection closes, after being unwatched.
    drop(looped);
    let seen = told.0.lock().unwrap().clone();
    assert_eq!(seen, vec![seen[0], (false, seen[0].1)]);
}
