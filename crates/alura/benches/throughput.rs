//! `alura` beside raw `reqwest` (with the same typed JSON decoding), against one simulator: GETs
//! of the latest candles, and POST pairs that create and close a trading session.
//! Run by `cargo xtask bench`, which passes the simulator's URL in ALURA_BENCH_URL; prints one
//! `BENCH {json}` line per measurement for it to collect.

use std::time::{Duration, Instant};

use alloy_signer_local::PrivateKeySigner;
use alura_api::types::{ActionResult, Candle, TradingSession};
use futures_util::{StreamExt, stream};
use serde_json::json;

const PATH: &str = "/api/indicators/candles/latest";

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// One result line. Against a baseline, the ratio is the median of each round's ratio: the two
/// runs of a round are back to back, so the drift of a shared two-core machine cancels out.
fn report(case: &str, implementation: &str, rounds: &[Round], ops: usize, baseline: Option<&[Round]>) {
    let median_s = median(rounds.iter().map(|r| r.wall.as_secs_f64()).collect());
    let mut line = json!({"case": case, "impl": implementation, "median_s": median_s, "ops": ops, "ops_per_s": ops as f64 / median_s});
    // With the simulator in this process its CPU would count as the client's: not reported.
    if !SIMULATOR_HERE.load(std::sync::atomic::Ordering::Relaxed) {
        line["cpu_s"] = json!(median(rounds.iter().map(|r| r.cpu_s).collect()));
    }
    if let Some(base) = baseline {
        let paired =
            rounds.iter().zip(base).map(|(ours, base)| base.wall.as_secs_f64() / ours.wall.as_secs_f64());
        line["ratio"] = json!(median(paired.collect()));
    }
    println!("BENCH {line}");
}

/// Whether the simulator runs in this process (no ALURA_BENCH_URL).
static SIMULATOR_HERE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// One round: its wall time, and the CPU this process spent in it (user and system, every
/// thread; the simulator is a process of its own).
struct Round {
    wall: Duration,
    cpu_s: f64,
}

/// This process's CPU time so far, from `/proc/self/stat` (utime and stime, in clock ticks of
/// 10 ms: a round of a second or more reads to 1%).
fn cpu_s() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command's closing parenthesis; utime and stime are the 12th and 13th.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let ticks: Vec<f64> = rest.split_whitespace().skip(11).take(2).filter_map(|f| f.parse().ok()).collect();
    ticks.iter().sum::<f64>() / 100.0
}

/// Runs `work` as one round.
async fn round(work: impl std::future::Future<Output = ()>) -> Round {
    let (t, cpu) = (Instant::now(), cpu_s());
    work.await;
    Round { wall: t.elapsed(), cpu_s: cpu_s() - cpu }
}

fn rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").parse().ok())
        .unwrap_or(0)
}

async fn ours(client: &alura::Client, n: usize, concurrency: usize) {
    stream::iter(0..n)
        .for_each_concurrent(concurrency, |_| async {
            let candles = client.api().get_latest_candles().send().await.expect("alura call");
            assert_eq!(candles.len(), 6);
        })
        .await;
}

/// The generated builder with a plain transport: what progenitor costs without our transport.
async fn generated(api: &alura_api::Client, n: usize, concurrency: usize) {
    stream::iter(0..n)
        .for_each_concurrent(concurrency, |_| async {
            let candles = api.get_latest_candles().send().await.expect("generated call");
            assert_eq!(candles.len(), 6);
        })
        .await;
}

async fn baseline(http: &reqwest::Client, url: &str, n: usize, concurrency: usize) {
    stream::iter(0..n)
        .for_each_concurrent(concurrency, |_| async {
            let bytes = http.get(url).send().await.expect("reqwest call").bytes().await.expect("body");
            let candles: Vec<Candle> = serde_json::from_slice(&bytes).expect("decode");
            assert_eq!(candles.len(), 6);
        })
        .await;
}

/// hyper-util's client alone with the same decoding, for a profiler: the floor under both.
type Hyper = hyper_util::client::legacy::Client<
    hyper_util::client::legacy::connect::HttpConnector,
    http_body_util::Full<bytes::Bytes>,
>;

async fn hyper_direct(http: &Hyper, url: &str, n: usize, concurrency: usize) {
    use http_body_util::BodyExt;
    let uri: http::Uri = url.parse().expect("a URI");
    stream::iter(0..n)
        .for_each_concurrent(concurrency, |_| async {
            let req =
                http::Request::get(uri.clone()).body(http_body_util::Full::default()).expect("a request");
            let res = http.request(req).await.expect("hyper call");
            let bytes = res.into_body().collect().await.expect("body").to_bytes();
            let candles: Vec<Candle> = serde_json::from_slice(&bytes).expect("decode");
            assert_eq!(candles.len(), 6);
        })
        .await;
}

/// `n` pairs in a row: create a quick session on BTC, then close its position, which closes it. The
/// simulator does not debit a session's budget, so 10 USDC (the minimum) never runs out.
async fn ours_posts(client: &alura::Client, n: usize) {
    for _ in 0..n {
        let session = client
            .api()
            .create_trading_session()
            .body_map(|b| b.budget(10.0).profit_target(50.0).asset_index(0))
            .send()
            .await
            .expect("create");
        assert_eq!(session.status.as_deref(), Some("active"));
        let closed = client
            .api()
            .close_position_by_asset()
            .body_map(|b| b.asset_index(0))
            .send()
            .await
            .expect("close");
        assert_eq!(closed.closed, Some(1));
    }
}

/// The same pairs with reqwest, the bearer token of the same login, and serde into the same types.
async fn baseline_posts(http: &reqwest::Client, base: &str, bearer: &str, n: usize) {
    let (create, close) = (format!("{base}/trading-sessions"), format!("{base}/user/close-position"));
    for _ in 0..n {
        let body = json!({"budget": 10.0, "profitTarget": 50.0, "assetIndex": 0});
        let r = http.post(&create).bearer_auth(bearer).json(&body).send().await.expect("create");
        assert_eq!(r.status(), 201);
        let session: TradingSession =
            serde_json::from_slice(&r.bytes().await.expect("body")).expect("decode");
        assert_eq!(session.status.as_deref(), Some("active"));
        let r = http
            .post(&close)
            .bearer_auth(bearer)
            .json(&json!({"assetIndex": 0}))
            .send()
            .await
            .expect("close");
        assert_eq!(r.status(), 201);
        let closed: ActionResult = serde_json::from_slice(&r.bytes().await.expect("body")).expect("decode");
        assert_eq!(closed.closed, Some(1));
    }
}

#[tokio::main]
async fn main() {
    let _local;
    let base = match std::env::var("ALURA_BENCH_URL") {
        Ok(url) => url,
        Err(_) => {
            _local = alura_mock::MockServer::start(alura_mock::Config::default()).expect("simulator");
            SIMULATOR_HERE.store(true, std::sync::atomic::Ordering::Relaxed);
            _local.url().to_owned()
        }
    };
    let n: usize = std::env::var("ALURA_BENCH_N").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    // Nine rounds: a Rust round takes about a second, and single rounds spread by 10%.
    let rounds: usize = std::env::var("ALURA_BENCH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(9);
    let client = alura::Client::builder().base_url(&base).build().expect("client");
    let http = reqwest::Client::builder().no_proxy().build().expect("reqwest");
    let url = format!("{base}{PATH}");
    let direct = alura_api::Client::new_with_client(&base, http.clone(), alura_api::Hooks::direct());
    if let Ok(only) = std::env::var("ALURA_BENCH_ONLY") {
        // One implementation alone, for a profiler: `callgrind` at two values of N gives the
        // instructions per call by difference, with start-up cancelled out.
        let concurrency = std::env::var("ALURA_BENCH_CONCURRENCY").ok().and_then(|v| v.parse().ok());
        let concurrency = concurrency.unwrap_or(64);
        match only.as_str() {
            "alura" => ours(&client, n, concurrency).await,
            "reqwest" => baseline(&http, &url, n, concurrency).await,
            "generated" => generated(&direct, n, concurrency).await,
            "hyper" => {
                let h: Hyper =
                    hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                        .build(hyper_util::client::legacy::connect::HttpConnector::new());
                hyper_direct(&h, &url, n, concurrency).await
            }
            // POST pairs at concurrency 1, after one login (not counted: both use its token).
            "alura-posts" | "reqwest-posts" => {
                let signed = alura::Client::builder()
                    .base_url(&base)
                    .signer(PrivateKeySigner::random())
                    .build()
                    .expect("client");
                signed.login().await.expect("login");
                if only == "alura-posts" {
                    ours_posts(&signed, n).await
                } else {
                    let bearer = signed.token().expect("a token after login").value().to_owned();
                    baseline_posts(&http, &base, &bearer, n).await
                }
            }
            other => panic!(
                "ALURA_BENCH_ONLY={other}: expected alura, reqwest, generated, hyper, alura-posts or reqwest-posts"
            ),
        }
        return;
    }
    // Memory first, so the counts are exact: RSS after 10,000 calls, then after 40,000 more.
    ours(&client, 10_000, 64).await;
    let rss_10k = rss_kb();
    ours(&client, 40_000, 64).await;
    let rss_50k = rss_kb();
    println!(
        "BENCH {}",
        json!({"case": "memory", "impl": "Rust", "rss_kb_10k": rss_10k, "rss_kb_50k": rss_50k})
    );
    // Warm the baseline's connection pool too.
    baseline(&http, &url, 200, 64).await;
    for concurrency in [1, 64] {
        let (mut a, mut b, mut g) = (Vec::new(), Vec::new(), Vec::new());
        for round in 0..rounds {
            // Who goes first changes every round, so no side always gets the warmer start.
            for turn in 0..3 {
                let which = (round + turn) % 3;
                let measured = match which {
                    0 => self::round(ours(&client, n, concurrency)).await,
                    1 => self::round(baseline(&http, &url, n, concurrency)).await,
                    _ => self::round(generated(&direct, n, concurrency)).await,
                };
                [&mut a, &mut b, &mut g][which].push(measured);
            }
        }
        let case = format!("{n} GET candles/latest, concurrency {concurrency}, Rust");
        report(&case, "alura", &a, n, Some(&b));
        report(&case, "reqwest + serde", &b, n, None);
        // Splits our overhead: the generated builder alone, with a transport that only sends.
        report(&case, "alura-api builder, plain transport", &g, n, Some(&b));
    }
    // POST pairs: one login, then both sides use its token. Fewer rounds than the GETs: every
    // pair leaves a closed session in the simulator, which it scans on each create.
    let posts: usize = std::env::var("ALURA_BENCH_POSTS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000);
    let signed =
        alura::Client::builder().base_url(&base).signer(PrivateKeySigner::random()).build().expect("client");
    signed.login().await.expect("login");
    let bearer = signed.token().expect("a token after login").value().to_owned();
    ours_posts(&signed, 20).await;
    baseline_posts(&http, &base, &bearer, 20).await;
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for round in 0..rounds.min(5) {
        for turn in 0..2 {
            if (round + turn) % 2 == 0 {
                a.push(self::round(ours_posts(&signed, posts)).await);
            } else {
                b.push(self::round(baseline_posts(&http, &base, &bearer, posts)).await);
            }
        }
    }
    let case = format!("{posts} POST pairs (create + close a session), concurrency 1, Rust");
    report(&case, "alura", &a, posts, Some(&b));
    report(&case, "reqwest + serde", &b, posts, None);
}
