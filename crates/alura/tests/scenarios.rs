//! The shared scenarios of `tests/scenarios/*.json`, run through `Client::call` (as the
//! bindings call it). Each binding's harness runs the same files.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use alloy_signer_local::PrivateKeySigner;
use alura::{CandleEvent, Client, Decimal, Error};
use alura_mock::{Config, Fault, MockServer};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

fn scenarios() -> Vec<(String, Value)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.retain(|p| p.extension().is_some_and(|e| e == "json"));
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            (name, serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap())
        })
        .collect()
}

/// The value at a dotted path (`positions.0.id`; "" is the value itself).
fn at<'a>(value: &'a Value, path: &str) -> &'a Value {
    path.split('.').filter(|s| !s.is_empty()).fold(value, |v, key| match key.parse::<usize>() {
        Ok(i) => &v[i],
        Err(_) => &v[key],
    })
}

/// The JSON text at a dotted path of `text`, read without going through a double.
fn raw_at(text: &str, path: &str) -> Option<Box<RawValue>> {
    let mut raw: Box<RawValue> = serde_json::from_str(text).ok()?;
    for key in path.split('.').filter(|s| !s.is_empty()) {
        raw = match key.parse::<usize>() {
            Ok(i) => serde_json::from_str::<Vec<Box<RawValue>>>(raw.get()).ok()?.into_iter().nth(i)?,
            Err(_) => serde_json::from_str::<BTreeMap<String, Box<RawValue>>>(raw.get()).ok()?.remove(key)?,
        };
    }
    Some(raw).filter(|r| r.get() != "null")
}

/// An `exact` expectation's key: a path or `$saved`, or two of them joined by ` + ` or ` - `,
/// worked out in `alura::Decimal`. `None` when a term is not there (or was not, when saved).
fn exact(expr: &str, text: &str, saved: &BTreeMap<String, Box<RawValue>>) -> Option<Decimal> {
    let term = |t: &str| -> Option<Decimal> {
        let raw = match t.strip_prefix('$') {
            Some(name) => saved.get(name).cloned()?,
            None => raw_at(text, t)?,
        };
        Some(serde_json::from_str(raw.get()).unwrap_or_else(|e| panic!("{t} = {raw}: not a decimal: {e}")))
    };
    if let Some((a, b)) = expr.split_once(" - ") {
        return Some(Decimal::from(*term(a)? - *term(b)?));
    }
    if let Some((a, b)) = expr.split_once(" + ") {
        return Some(Decimal::from(*term(a)? + *term(b)?));
    }
    term(expr)
}

/// `want` is a subset of `got`; numbers compare by value (10000 == 10000.0). Against a
/// drifting server a field may also be missing or `null`, and a number may come as a string.
fn matches(got: &Value, want: &Value, drift: bool) -> bool {
    match (got, want) {
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (Value::String(a), Value::Number(b)) if drift => a.parse::<f64>().ok() == b.as_f64(),
        (Value::Object(g), Value::Object(w)) => w.iter().all(|(k, v)| match g.get(k) {
            None | Some(Value::Null) if drift => true,
            gv => gv.is_some_and(|gv| matches(gv, v, drift)),
        }),
        (Value::Array(g), Value::Array(w)) => {
            g.len() == w.len() && g.iter().zip(w).all(|(a, b)| matches(a, b, drift))
        }
        _ => got == want,
    }
}

/// Replaces `"$name"` strings with saved values.
fn substitute(value: &Value, saved: &BTreeMap<String, Value>) -> Value {
    match value {
        Value::String(s) if s.starts_with('$') => {
            saved.get(&s[1..]).cloned().unwrap_or_else(|| panic!("nothing saved as {s}"))
        }
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), substitute(v, saved))).collect()),
        Value::Array(a) => Value::Array(a.iter().map(|v| substitute(v, saved)).collect()),
        other => other.clone(),
    }
}

fn check_known(map: &Map<String, Value>, known: &[&str], what: &str) {
    for key in map.keys() {
        assert!(known.contains(&key.as_str()), "{what}: the Rust harness does not know {key:?}");
    }
}

/// Where a scenario runs.
enum Server {
    /// A fresh simulator: with `drift`, one whose answers differ from the spec, through a
    /// client that is not strict; else through a strict one.
    Mock { drift: bool },
    /// A backend we did not write (`cargo xtask test` starts `tests/nestjs`), through a client
    /// that is not strict. It takes no faults and counts no requests.
    Backend(String),
}

/// A scenario that any backend can play: no simulator set up for it, no fault injected, no
/// watch on the simulator's clock.
fn fault_free(scenario: &Value) -> bool {
    scenario.get("mock").is_none()
        && scenario["steps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s.get("faults").is_none() && s.get("watch").is_none())
}

/// Runs a scenario against `server`.
async fn run(name: &str, scenario: &Value, server: &Server) {
    check_known(scenario.as_object().unwrap(), &["description", "mock", "client", "steps", "requests"], name);
    let setup = scenario["mock"].as_object().cloned().unwrap_or_default();
    check_known(&setup, &["rate_limit"], name);
    let rate_limit = setup.get("rate_limit").map(|r| r.as_str().unwrap().parse().unwrap());
    let (mock, drift) = match server {
        Server::Mock { drift } => {
            let config = Config { drift: *drift, rate_limit, ..Config::default() };
            (Some(MockServer::start(config).unwrap()), *drift)
        }
        Server::Backend(_) => (None, true),
    };
    let url = match (server, &mock) {
        (Server::Backend(url), _) => url.clone(),
        (_, Some(mock)) => mock.url().to_owned(),
        (_, None) => unreachable!("a simulator was started"),
    };
    let options = scenario["client"].as_object().cloned().unwrap_or_default();
    check_known(&options, &["key", "timeout_ms", "retries"], name);
    let mut builder = Client::builder().base_url(url);
    if options.get("key") != Some(&Value::Bool(false)) {
        builder = builder.signer(PrivateKeySigner::random());
    }
    if let Some(ms) = options.get("timeout_ms").and_then(Value::as_u64) {
        builder = builder.timeout(Duration::from_millis(ms));
    }
    if options.get("retries").and_then(Value::as_u64) == Some(0) {
        builder = builder.no_retry();
    }
    let client = builder.strict(!drift).build().unwrap();
    let mut saved = BTreeMap::new();
    let mut saved_raw = BTreeMap::new();
    for (i, step) in scenario["steps"].as_array().unwrap().iter().enumerate() {
        let here = format!("{name}{} step {}", if drift { " (drift)" } else { "" }, i + 1);
        check_known(
            step.as_object().unwrap(),
            &["faults", "call", "args", "expect", "save", "watch", "outage", "cancel", "burst"],
            &here,
        );
        for (operation, faults) in step["faults"].as_object().into_iter().flatten() {
            let faults: Vec<Fault> = serde_json::from_value(faults.clone()).unwrap();
            mock.as_ref().expect("faults need the simulator").inject(operation, faults);
        }
        if step.get("watch").is_some() {
            watch_step(step, &client, mock.as_ref().expect("a watch needs the simulator"), &here).await;
            continue;
        }
        if step.get("burst").is_some() {
            burst_step(step, &client, mock.as_ref().expect("a burst needs the simulator"), &here).await;
            continue;
        }
        let args = substitute(&step["args"], &saved).as_object().cloned().unwrap_or_default();
        let operation = step["call"].as_str().unwrap();
        let mut text = String::new();
        let outcome = client.call(operation, args).await.and_then(|reply| {
            text = reply.to_json_text()?;
            reply.to_value()
        });
        let expect = step["expect"].as_object().cloned().unwrap_or_default();
        check_known(
            &expect,
            &[
                "match",
                "length",
                "error",
                "status",
                "messages",
                "message_contains",
                "raw_body_contains",
                "retry_after",
                "absent",
                "exact",
                "sent",
                "settle",
            ],
            &here,
        );
        if let (Some(sent), Some(mock)) = (expect.get("sent").and_then(Value::as_object), &mock) {
            let requests = mock.requests(Some(operation));
            let body = requests.last().and_then(|r| r.body.clone()).expect("a request with a body");
            let fields: BTreeMap<String, Box<RawValue>> = serde_json::from_str(&body).unwrap();
            for (field, want) in sent {
                assert_eq!(
                    fields.get(field).map(|r| r.get()),
                    want.as_str(),
                    "{here}: {field} as sent in {body}"
                );
            }
        }
        if expect.get("absent") == Some(&Value::Bool(true)) {
            // "Nothing there", said as a 404 or as an empty or `null` answer.
            match outcome {
                Ok(Value::Null) => {}
                Err(e) if e.kind() == "NotFoundError" => {}
                other => panic!("{here}: expected nothing, got {other:?}"),
            }
            continue;
        }
        match (outcome, expect.get("error")) {
            (Ok(value), None) => {
                if let Some(want) = expect.get("match") {
                    assert!(
                        matches(&value, &substitute(want, &saved), drift),
                        "{here}: {value:#} does not match {want}"
                    );
                }
                for (path, n) in expect.get("length").and_then(Value::as_object).into_iter().flatten() {
                    let len = at(&value, path).as_array().map(Vec::len);
                    if !(drift && len.is_none()) {
                        assert_eq!(len, n.as_u64().map(|n| n as usize), "{here}: length of {path:?}");
                    }
                }
                for (expr, want) in expect.get("exact").and_then(Value::as_object).into_iter().flatten() {
                    let want: Decimal = want.as_str().unwrap().parse().unwrap();
                    match exact(expr, &text, &saved_raw) {
                        Some(got) => assert_eq!(got, want, "{here}: {expr} in {text}"),
                        None => assert!(drift, "{here}: no {expr} in {text}"),
                    }
                }
                for (key, path) in step["save"].as_object().into_iter().flatten() {
                    let path = path.as_str().unwrap();
                    saved.insert(key.clone(), at(&value, path).clone());
                    if let Some(raw) = raw_at(&text, path) {
                        saved_raw.insert(key.clone(), raw);
                    }
                }
            }
            (Err(error), Some(kind)) => {
                assert_eq!(error.kind(), kind.as_str().unwrap(), "{here}: {error}");
                if let Some(status) = expect.get("status") {
                    assert_eq!(error.status().map(u64::from), status.as_u64(), "{here}");
                }
                if let Some(want) = expect.get("messages") {
                    let got = match &error {
                        Error::Api { messages, .. } | Error::RateLimited { messages, .. } => messages.clone(),
                        other => panic!("{here}: {other} has no messages"),
                    };
                    assert_eq!(&Value::from(got), want, "{here}");
                }
                if let Some(text) = expect.get("message_contains").and_then(Value::as_str) {
                    assert!(error.to_string().contains(text), "{here}: {error}");
                }
                if let Some(text) = expect.get("raw_body_contains").and_then(Value::as_str) {
                    let raw =
                        error.call_info().and_then(|c| c.raw_body.as_ref()).map(|b| b.text().into_owned());
                    assert!(
                        raw.is_some_and(|raw| raw.contains(text)),
                        "{here}: the raw body has no {text:?}"
                    );
                }
                if let Some(secs) = expect.get("retry_after").and_then(Value::as_f64) {
                    let Error::RateLimited { retry_after, .. } = &error else { panic!("{here}: {error:?}") };
                    assert_eq!(retry_after.map(|d| d.as_secs_f64()), Some(secs), "{here}");
                }
                if let Some(want) = expect.get("settle").and_then(Value::as_object) {
                    check_known(want, &["status", "match"], &here);
                    let settled = serde_json::to_value(client.settle(&error).await.unwrap()).unwrap();
                    assert_eq!(settled["status"], want["status"], "{here}: settled {settled}");
                    if let Some(result) = want.get("match") {
                        assert!(
                            matches(&settled["result"], result, drift),
                            "{here}: {settled} does not match {result}"
                        );
                    }
                }
            }
            (Ok(value), Some(kind)) => panic!("{here}: expected {kind}, got {value}"),
            (Err(error), None) => panic!("{here}: failed: {error:?}"),
        }
    }
    let Some(mock) = mock else { return };
    let counters = mock.counters();
    for (operation, n) in scenario["requests"].as_object().into_iter().flatten() {
        let got = counters.get(operation).copied().unwrap_or(0) as u64;
        assert_eq!(got, n.as_u64().unwrap(), "{name}: requests to {operation}");
    }
}

/// A watch step: candles on the simulator's clock, through an outage; or cancelled mid-poll.
async fn watch_step(step: &Value, client: &Client, mock: &MockServer, here: &str) {
    let spec = step["watch"].as_object().unwrap();
    check_known(spec, &["kind", "symbol", "interval"], here);
    assert_eq!(spec["kind"], "candles", "{here}: a watch this harness does not know");
    let expect = step["expect"].as_object().unwrap();
    check_known(expect, &["closed", "spacing_ms", "errors", "left_behind"], here);
    let mut watch = client
        .watch_candles(spec["symbol"].as_str().unwrap(), spec["interval"].as_str().unwrap())
        .unwrap()
        .clock(Arc::new(common::Simulated(mock.clock())))
        .jitter(Duration::ZERO);
    if let Some(how) = step.get("cancel") {
        assert_eq!(how, "mid_poll", "{here}");
        let alive = || tokio::runtime::Handle::current().metrics().num_alive_tasks();
        // The tasks of the scenarios before (the burst's connections) end first.
        let mut before = alive();
        loop {
            tokio::time::sleep(Duration::from_millis(50)).await;
            if std::mem::replace(&mut before, alive()) == before {
                break;
            }
        }
        let poll = tokio::spawn(async move { watch.next().await });
        within(here, "the poll reaches the server", || !mock.requests(Some("get_candles")).is_empty()).await;
        // Cancelled: the future dropped, with its request.
        poll.abort();
        assert!(poll.await.unwrap_err().is_cancelled(), "{here}");
        let left = || alive().saturating_sub(before) + mock.open_connections();
        within(here, "nothing is left behind", || left() as u64 == expect["left_behind"].as_u64().unwrap())
            .await;
        return;
    }
    let outage = step["outage"].as_object().unwrap();
    check_known(outage, &["after", "advance_s", "faults"], here);
    let (mut closed, mut errors, mut out) = (Vec::new(), 0, false);
    let want = expect["closed"].as_u64().unwrap() as usize;
    while closed.len() < want {
        if !out && closed.len() as u64 == outage["after"].as_u64().unwrap() {
            out = true;
            for (operation, faults) in outage["faults"].as_object().unwrap() {
                mock.inject(operation, serde_json::from_value::<Vec<Fault>>(faults.clone()).unwrap());
            }
            mock.advance_clock(Duration::from_secs(outage["advance_s"].as_u64().unwrap()));
        }
        match watch.next().await {
            Ok(CandleEvent::Closed(candle)) => {
                let time = &candle["openTime"];
                closed.push(time.as_i64().or_else(|| time.as_str()?.parse().ok()).expect("an open time"));
            }
            Ok(other) => panic!("{here}: only closed candles here, not {other:?}"),
            Err(_) => errors += 1,
        }
    }
    assert_eq!(errors, expect["errors"].as_u64().unwrap(), "{here}: each refused poll is an error");
    let spacing = expect["spacing_ms"].as_i64().unwrap();
    assert!(closed.windows(2).all(|w| w[1] - w[0] == spacing), "{here}: gap or duplicate in {closed:?}");
}

/// Waits up to 5 s for `done`, polling.
async fn within(here: &str, what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !done() {
        assert!(Instant::now() < deadline, "{here}: {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// A burst step: `count` calls at once, against the simulator's rate limit.
async fn burst_step(step: &Value, client: &Client, mock: &MockServer, here: &str) {
    let burst = step["burst"].as_object().unwrap();
    check_known(burst, &["call", "count"], here);
    let expect = step["expect"].as_object().unwrap();
    check_known(expect, &["errors", "refused_at_most", "seconds_at_most", "limit"], here);
    let operation = burst["call"].as_str().unwrap();
    let started = Instant::now();
    let calls = (0..burst["count"].as_u64().unwrap()).map(|_| client.call(operation, Map::new()));
    let results = futures_util::future::join_all(calls).await;
    let took = started.elapsed().as_secs_f64();
    let errors: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert_eq!(errors.len() as u64, expect["errors"].as_u64().unwrap(), "{here}: {:?}", errors.first());
    let refused = mock.requests(Some(operation)).iter().filter(|r| r.status == Some(429)).count();
    assert!(refused as u64 <= expect["refused_at_most"].as_u64().unwrap(), "{here}: {refused} refused");
    assert!(took <= expect["seconds_at_most"].as_f64().unwrap(), "{here}: took {took:.1} s");
    let limit = client.rate_limit().map(|r| u64::from(r.limit));
    assert_eq!(limit, expect["limit"].as_u64(), "{here}: the limit was in force");
}

/// Every scenario twice: strict against the simulator, then against its drift mode, where
/// each scenario must still pass and the differences are warnings, not errors.
#[tokio::test(flavor = "current_thread")]
async fn every_shared_scenario_strict_and_against_drift() {
    let capture = common::Capture::default();
    let _guard = capture.install(tracing::Level::WARN);
    let all = scenarios();
    assert!(all.len() >= 10, "the scenarios are missing");
    for (name, scenario) in &all {
        run(name, scenario, &Server::Mock { drift: false }).await;
    }
    let strict_logs = capture.take();
    assert!(!strict_logs.contains("alura::drift"), "the simulator answered off the spec: {strict_logs}");
    for (name, scenario) in &all {
        run(name, scenario, &Server::Mock { drift: true }).await;
    }
    let drift_logs = capture.take();
    assert!(drift_logs.contains("alura::drift"), "drift mode produced no warning: {drift_logs}");
}

/// Every scenario that needs no injected fault, against the backend at `ALURA_SCENARIO_BASE_URL`:
/// `cargo xtask test` runs it against the NestJS app in `tests/nestjs`.
#[tokio::test(flavor = "current_thread")]
#[ignore = "needs a backend: cargo xtask test runs it against tests/nestjs"]
async fn every_fault_free_scenario_against_a_backend() {
    let url = std::env::var("ALURA_SCENARIO_BASE_URL").expect("ALURA_SCENARIO_BASE_URL names the backend");
    let all = scenarios();
    let playable: Vec<_> = all.iter().filter(|(_, s)| fault_free(s)).collect();
    assert!(playable.len() >= 5, "too few scenarios play without faults");
    for (name, scenario) in playable {
        run(name, scenario, &Server::Backend(url.clone())).await;
    }
}
