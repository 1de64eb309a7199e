//! A local simulator of the Alura testnet backend.
//!
//! It answers every operation of `openapi/alura.json` with in-memory state that hangs together,
//! checks wallet signatures for real (EIP-191 recovery), validates like class-validator, answers
//! errors with NestJS's body, serves the spec the way `@nestjs/swagger` does, and lets tests queue
//! faults (down to a hostile server in front: redirects, HTML error pages, endless or stalled
//! bodies) and read back what was sent — from Rust here, or from any language over HTTP under
//! `/__mock` (see [`api::CONTROL_PREFIX`]). In drift mode ([`Config::drift`]) it answers like a
//! backend that does not quite follow the spec, so clients can prove they tolerate one.
//!
//! ```
//! let mock = alura_mock::MockServer::start(alura_mock::Config::default()).unwrap();
//! mock.inject("get_profile", [alura_mock::Fault::Status {
//!     status: 503, headers: Default::default(), body: None,
//! }]);
//! assert!(mock.url().starts_with("http://127.0.0.1:"));
//! ```

pub mod api;
mod auth;
/// Everything `cargo xtask gen` writes into this crate (`src/generated/`).
mod generated {
    #[rustfmt::skip]
    pub mod assets;
    #[rustfmt::skip]
    pub mod examples;
}
mod drift;
mod error;
mod faults;
mod hostile;
pub mod market;
mod server;
mod state;
mod throttle;
mod validate;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;
use std::{io, sync::Arc};

pub use faults::{Fault, RequestRecord};
pub use state::STARTING_BALANCE;
pub use throttle::Throttle;

use auth::AuthStore;
use faults::Faults;
use market::Market;
use state::{Clock, World};
use throttle::Limiter;

/// How the simulator behaves.
#[derive(Debug, Clone)]
pub struct Config {
    /// Loopback port; 0 picks a free one.
    pub port: u16,
    /// Lifetime of issued bearer tokens (the backend's is 86,400 s).
    pub token_ttl_secs: u64,
    /// Seed of the market data and of generated ids.
    pub seed: u64,
    /// Requests per window per route and client address before 429s, like @nestjs/throttler, with its
    /// headers on every answer; `None` = off.
    pub rate_limit: Option<Throttle>,
    /// Answer like a real NestJS + TypeORM backend that drifts from the spec: extra fields,
    /// optional fields missing or `null`, decimals as strings, verify's `user` cut to its address.
    /// Switchable at run time with [`MockServer::set_drift`] or `POST /__mock/drift`.
    pub drift: bool,
    /// Answer every operation with its generated example (schema-valid, stateless) instead of
    /// the hand-written handlers: what an operation new to the spec gets before it has one.
    pub examples_only: bool,
    /// A file every answered request is appended to (one JSON [`RequestRecord`] a line), before
    /// its answer is sent: a log that outlives the process, so a soak that kills the simulator
    /// still knows what it acted on.
    pub request_log: Option<std::path::PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            port: 0,
            token_ttl_secs: 86_400,
            seed: 42,
            rate_limit: None,
            drift: false,
            examples_only: false,
            request_log: None,
        }
    }
}

/// State shared by every handler.
pub(crate) struct Shared {
    config: Config,
    clock: Clock,
    market: Market,
    world: Mutex<World>,
    auth: Mutex<AuthStore>,
    faults: Mutex<Faults>,
    log: Mutex<Vec<RequestRecord>>,
    /// [`Config::request_log`], opened for appending.
    journal: Option<Mutex<std::fs::File>>,
    limiter: Mutex<Limiter>,
    /// Drift mode now; starts as `config.drift`, and `reset` brings it back there.
    drift: AtomicBool,
}

impl Shared {
    fn new(config: Config) -> io::Result<Self> {
        let journal = match &config.request_log {
            Some(path) => {
                let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
                // A line the last run was killed in the middle of ends here, not in our first.
                std::io::Write::write_all(&mut file, b"\n")?;
                Some(Mutex::new(file))
            }
            None => None,
        };
        Ok(Self {
            drift: AtomicBool::new(config.drift),
            clock: Clock::default(),
            market: Market::new(config.seed),
            world: Mutex::new(World::new(config.seed)),
            auth: Mutex::default(),
            faults: Mutex::default(),
            log: Mutex::default(),
            limiter: Mutex::default(),
            journal,
            config,
        })
    }

    fn requests(&self, operation: Option<&str>) -> Vec<RequestRecord> {
        let log = self.log.lock().unwrap();
        log.iter().filter(|r| operation.is_none_or(|op| r.operation == op)).cloned().collect()
    }

    fn counters(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for r in self.log.lock().unwrap().iter() {
            *counts.entry(r.operation.clone()).or_insert(0) += 1;
        }
        counts
    }

    fn reset(&self) {
        *self.world.lock().unwrap() = World::new(self.config.seed);
        *self.auth.lock().unwrap() = AuthStore::default();
        self.faults.lock().unwrap().clear();
        self.log.lock().unwrap().clear();
        *self.limiter.lock().unwrap() = Limiter::default();
        self.drift.store(self.config.drift, Ordering::Relaxed);
    }
}

/// A running simulator on loopback, on a thread of its own; stopped when dropped.
pub struct MockServer {
    addr: SocketAddr,
    url: String,
    shared: Arc<Shared>,
    stop: tokio::sync::watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
    open: Arc<std::sync::atomic::AtomicUsize>,
}

impl MockServer {
    /// Binds `127.0.0.1:{config.port}` and starts serving. Works with or without a Tokio runtime
    /// around the caller: the server brings its own.
    pub fn start(config: Config) -> io::Result<Self> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", config.port))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new(config)?);
        let router = api::router(shared.clone());
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let open = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = open.clone();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("alura-mock")
            .enable_all()
            .build()?;
        let thread = std::thread::Builder::new().name("alura-mock".into()).spawn(move || {
            runtime.block_on(async move {
                match tokio::net::TcpListener::from_std(listener) {
                    Ok(listener) => server::serve(listener, router, stopped, counted).await,
                    Err(e) => eprintln!("alura-mock: cannot serve: {e}"),
                }
            });
            runtime.shutdown_timeout(Duration::from_millis(100));
        })?;
        Ok(Self { addr, url: format!("http://{addr}"), shared, stop, thread: Some(thread), open })
    }

    /// The base URL, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// How many client connections are open now: a client that left one behind shows here.
    pub fn open_connections(&self) -> usize {
        self.open.load(Ordering::SeqCst)
    }

    /// Queues faults for the next requests to `operation` (an operation id of the spec).
    pub fn inject(&self, operation: &str, faults: impl IntoIterator<Item = Fault>) {
        self.shared.faults.lock().unwrap().push(operation, faults);
    }

    /// Every request received since the last reset, oldest first; `Some(op)` keeps one operation's.
    pub fn requests(&self, operation: Option<&str>) -> Vec<RequestRecord> {
        self.shared.requests(operation)
    }

    /// How many requests each operation received.
    pub fn counters(&self) -> BTreeMap<String, usize> {
        self.shared.counters()
    }

    /// Forgets the request log (and so the counters), keeping all other state.
    pub fn clear_requests(&self) {
        self.shared.log.lock().unwrap().clear();
    }

    /// Turns drift mode on or off (see [`Config::drift`]) for the answers that follow.
    pub fn set_drift(&self, enabled: bool) {
        self.shared.drift.store(enabled, Ordering::Relaxed);
    }

    /// Forgets users, sessions, tokens, faults and the request log, and sets drift mode back to
    /// `config.drift`.
    pub fn reset(&self) {
        self.shared.reset();
    }

    /// The simulator's clock, in ms since the epoch: the wall clock plus every
    /// [`MockServer::advance_clock`] so far. Its market's candles follow it.
    pub fn now_ms(&self) -> i64 {
        self.shared.clock.now_ms()
    }

    /// A handle on the simulator's clock, kept apart from the server (which still stops when
    /// dropped): what a client's watch streams can take as their market clock in tests.
    pub fn clock(&self) -> SimulatedClock {
        SimulatedClock(self.shared.clone())
    }

    /// Moves the simulator's clock forward (expires nonces and tokens without waiting).
    pub fn advance_clock(&self, by: Duration) {
        self.shared.clock.advance(by.as_millis() as i64);
    }
}

/// The simulator's clock ([`MockServer::clock`]).
#[derive(Clone)]
pub struct SimulatedClock(Arc<Shared>);

impl SimulatedClock {
    /// Now on the simulator's clock, in ms since the epoch.
    pub fn now_ms(&self) -> i64 {
        self.0.clock.now_ms()
    }

    /// Moves it forward.
    pub fn advance(&self, by: Duration) {
        self.0.clock.advance(by.as_millis() as i64);
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
