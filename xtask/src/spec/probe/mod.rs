//! `cargo xtask probe`: calls every GET operation of the spec on a live server and checks each
//! answer against the operation's documented response schema.
//!
//! It speaks HTTP with reqwest and signs with alloy directly rather than through the SDK: the
//! SDK's decoder embodies the very guesses about response shapes the probe is there to check.
//! It never sends anything but GETs, apart from the two POSTs of the login.

mod http;
pub mod schema;
pub mod table;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::spec::changes;

use http::{Answer, send};
pub use http::{Login, login, signer};
use schema::{Checker, json_schema_of, response_for};

/// Per-call limit on time, whatever the server does.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// Larger answers are refused unread: no documented answer comes near it.
pub const MAX_BODY: usize = 8 << 20;
/// Mismatches kept per operation; the rest are only counted.
const SHOWN: usize = 3;

/// Sensible values for parameters the spec gives none for.
const DEFAULTS: [(&str, &str); 6] = [
    ("symbol", "BTC"),
    ("symbols", "BTC,ETH"),
    ("interval", "1h"),
    ("period", "daily"),
    ("page", "1"),
    ("limit", "10"),
];

/// Where path parameters come from: (parameter, operation, JSON pointer into its answer).
/// Beyond these, any answer's first field named like a parameter is taken for it.
const SOURCES: [(&str, &str, &str); 4] = [
    ("userId", "verify_signature", "/user/id"),
    ("userId", "get_profile", "/id"),
    ("sessionId", "list_active_sessions", "/0/id"),
    ("tradeId", "get_current_trade", "/id"),
];

pub struct Options {
    pub base_url: String,
    pub private_key: Option<String>,
    pub timeout: Duration,
    pub max_body: usize,
}

impl Options {
    pub fn new(base_url: &str, private_key: Option<String>) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            private_key,
            timeout: TIMEOUT,
            max_body: MAX_BODY,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// Where in the answer, as `$.positions[0].price`.
    pub path: String,
    pub expected: String,
    /// The value found, truncated, or `missing`.
    pub got: String,
    /// How many other places have the same fault (the same field in other list elements).
    pub like: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Conforms,
    /// The answer is JSON but not of the documented shape: the first few distinct faults, and
    /// the number of faults in all.
    Mismatches {
        shown: Vec<Mismatch>,
        total: usize,
    },
    /// A success status with a body that is not JSON: HTML, an empty body.
    NotJson(String),
    /// An error status, or a success status the spec does not document; what the server said.
    Unexpected(String),
    /// No answer: refused, timed out, too large; or a schema that cannot be checked.
    Failed(String),
    Skipped(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub operation: String,
    /// The path called (the template when skipped).
    pub path: String,
    pub status: Option<u16>,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub base_url: String,
    /// Why the login gave no token, when a key was given.
    pub login_failure: Option<String>,
    pub rows: Vec<Row>,
}

impl Report {
    /// Whether everything probed conforms (skipped operations aside) and the login worked.
    pub fn ok(&self) -> bool {
        self.login_failure.is_none()
            && self.rows.iter().all(|r| matches!(r.outcome, Outcome::Conforms | Outcome::Skipped(_)))
    }

    pub fn row(&self, operation: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.operation == operation)
    }
}

/// One GET operation of the spec.
struct Op<'a> {
    id: String,
    template: &'a str,
    op: &'a Value,
    params: Vec<&'a Value>,
}

/// `cargo xtask probe`: probes `base_url` with the GET operations of the spec at `spec_path`,
/// prints the table, and fails unless everything probed conforms.
pub fn run(spec_path: &Path, base_url: &str, private_key: Option<String>) -> Result<()> {
    let name = spec_path.strip_prefix(crate::root()).unwrap_or(spec_path).display().to_string();
    let text = std::fs::read_to_string(spec_path).with_context(|| format!("reading {name}"))?;
    let spec: Value = serde_json::from_str(&text).with_context(|| format!("{name} is not JSON"))?;
    // From the environment, the key stays out of shell history and `ps`.
    let key = private_key.or_else(|| std::env::var("ALURA_PRIVATE_KEY").ok().filter(|k| !k.is_empty()));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let report = runtime.block_on(probe(&spec, &Options::new(base_url, key)))?;
    print!("{}", table::render(&report));
    if !report.ok() {
        bail!("not everything probed conforms to {name}");
    }
    Ok(())
}

/// Probes `opts.base_url` with every GET operation of `spec`. Never fails: whatever the server
/// does ends up in the report. Only a private key that does not parse is an error.
pub async fn probe(spec: &Value, opts: &Options) -> Result<Report> {
    let wallet = opts.private_key.as_deref().map(signer).transpose()?;
    let base = opts.base_url.trim_end_matches('/');
    let client = http::client(base, opts.timeout)?;
    let mut report = Report { base_url: base.to_owned(), login_failure: None, rows: Vec::new() };
    let mut known: BTreeMap<String, String> = BTreeMap::new();
    let ops = get_operations(spec);
    let wanted: BTreeSet<&str> =
        ops.iter().flat_map(|o| o.params.iter().filter_map(|p| p["name"].as_str())).collect();

    let mut token = None;
    if let Some(wallet) = &wallet {
        let login = login(&client, base, wallet, opts.max_body).await;
        let steps = [("/auth/evm/challenge", Some(login.challenge)), ("/auth/evm/verify", login.verify)];
        for (path, answer) in steps {
            let op = &spec["paths"][path]["post"];
            let id = op["operationId"].as_str().map_or(format!("POST {path}"), str::to_owned);
            let row = match answer {
                None => Row {
                    operation: id,
                    path: path.into(),
                    status: None,
                    outcome: skipped("login stopped before it"),
                },
                Some(answer) => record(spec, &id, path, op, answer, &wanted, &mut known),
            };
            report.rows.push(row);
        }
        report.login_failure = login.failure;
        token = login.token;
    }

    // Each pass calls the operations whose parameters are known, which may make others' known.
    let mut pending: Vec<&Op> = ops.iter().collect();
    for _ in 0..=ops.len() {
        let mut waiting = Vec::new();
        let before = report.rows.len();
        for op in pending {
            if changes::needs_auth(spec, op.op) && token.is_none() {
                let why = if wallet.is_none() {
                    "needs a token: no private key given"
                } else {
                    "needs a token: login failed"
                };
                report.rows.push(Row {
                    operation: op.id.clone(),
                    path: op.template.into(),
                    status: None,
                    outcome: skipped(why),
                });
                continue;
            }
            match arguments(spec, op, &known) {
                Err(missing) => waiting.push((op, missing)),
                Ok((path, query)) => {
                    let mut request = client.get(format!("{base}{path}")).query(&query);
                    if let Some(t) = &token {
                        request = request.bearer_auth(t);
                    }
                    let shown =
                        if query.is_empty() { path.clone() } else { format!("{path}?{}", pairs(&query)) };
                    let answer = send(request, opts.max_body).await;
                    report.rows.push(record(spec, &op.id, &shown, op.op, answer, &wanted, &mut known));
                }
            }
        }
        let progressed = report.rows.len() > before;
        if waiting.is_empty() || !progressed {
            for (op, missing) in waiting {
                let row = Row {
                    operation: op.id.clone(),
                    path: op.template.into(),
                    status: None,
                    outcome: skipped(&missing),
                };
                report.rows.push(row);
            }
            break;
        }
        pending = waiting.into_iter().map(|(op, _)| op).collect();
    }
    Ok(report)
}

fn skipped(why: &str) -> Outcome {
    Outcome::Skipped(why.to_owned())
}

/// The row for one answer, learning parameter values from it on the way.
fn record(
    spec: &Value,
    id: &str,
    path: &str,
    op: &Value,
    answer: Result<Answer, String>,
    wanted: &BTreeSet<&str>,
    known: &mut BTreeMap<String, String>,
) -> Row {
    let answer = match answer {
        Ok(a) => a,
        Err(e) => {
            return Row {
                operation: id.into(),
                path: path.into(),
                status: None,
                outcome: Outcome::Failed(e),
            };
        }
    };
    let (outcome, body) = judge(spec, op, &answer);
    if let Some(body) = body {
        learn(id, &body, wanted, known);
    }
    Row { operation: id.into(), path: path.into(), status: Some(answer.status), outcome }
}

/// What an answer is worth, and its JSON body when it is a success.
fn judge(spec: &Value, op: &Value, answer: &Answer) -> (Outcome, Option<Value>) {
    let status = answer.status;
    if !(200..300).contains(&status) {
        return (Outcome::Unexpected(error_message(answer)), None);
    }
    let Some(response) = response_for(op, status) else {
        return (Outcome::Unexpected(format!("{status} is not a documented status")), None);
    };
    let body = match answer.json() {
        Ok(body) => body,
        Err(e) if json_schema_of(response).is_some() => return (Outcome::NotJson(e), None),
        // Nothing documented and nothing sent, as a 204 would.
        Err(_) => return (Outcome::Conforms, None),
    };
    let outcome = match json_schema_of(response).map(|s| Checker::new(spec, s)) {
        None => Outcome::Conforms,
        Some(Err(e)) => Outcome::Failed(e),
        Some(Ok(checker)) => match checker.check(&body, SHOWN) {
            (_, 0) => Outcome::Conforms,
            (shown, total) => Outcome::Mismatches { shown, total },
        },
    };
    (outcome, Some(body))
}

/// An error answer in a few words: NestJS's `message` when it sent one.
fn error_message(answer: &Answer) -> String {
    match answer.json() {
        Ok(v) => match &v["message"] {
            Value::String(m) => schema::truncate(m, 80),
            Value::Array(ms) => schema::truncate(
                &ms.iter().map(|m| m.as_str().unwrap_or("?")).collect::<Vec<_>>().join("; "),
                80,
            ),
            _ => schema::truncate(&v.to_string(), 80),
        },
        Err(e) => e,
    }
}

/// Takes parameter values from an answer: the listed sources first, then any field named like
/// a parameter. The first value found for a name is kept.
fn learn(id: &str, body: &Value, wanted: &BTreeSet<&str>, known: &mut BTreeMap<String, String>) {
    for (name, op, pointer) in SOURCES {
        if op == id
            && let Some(v) = body.pointer(pointer).and_then(scalar)
        {
            known.entry(name.to_owned()).or_insert(v);
        }
    }
    let mut stack = vec![(body, 0)];
    while let Some((v, depth)) = stack.pop() {
        match v {
            Value::Object(m) if depth < 8 => {
                for (k, child) in m.iter().rev() {
                    if wanted.contains(k.as_str())
                        && let Some(s) = scalar(child)
                    {
                        known.entry(k.clone()).or_insert(s);
                    }
                    stack.push((child, depth + 1));
                }
            }
            Value::Array(items) if depth < 8 => {
                stack.extend(items.iter().take(4).rev().map(|c| (c, depth + 1)))
            }
            _ => {}
        }
    }
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The GET operations of the spec, in its order.
fn get_operations(spec: &Value) -> Vec<Op<'_>> {
    let mut out = Vec::new();
    for (template, item) in spec["paths"].as_object().into_iter().flatten() {
        let Some(op) = item.get("get").filter(|o| o.is_object()) else { continue };
        // The operation's own parameters override the path item's shared ones.
        let mut params: Vec<&Value> = Vec::new();
        for p in [&item["parameters"], &op["parameters"]].into_iter().filter_map(Value::as_array).flatten() {
            let p = resolve(spec, p);
            params.retain(|q| q["name"] != p["name"] || q["in"] != p["in"]);
            params.push(p);
        }
        let id = op["operationId"].as_str().map_or(format!("GET {template}"), str::to_owned);
        out.push(Op { id, template, op, params });
    }
    out
}

fn resolve<'a>(spec: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) {
        Some(pointer) => spec.pointer(pointer).unwrap_or(v),
        None => v,
    }
}

/// The path and query of a call, or which parameter has no value yet.
fn arguments(
    spec: &Value,
    op: &Op,
    known: &BTreeMap<String, String>,
) -> Result<(String, Vec<(String, String)>), String> {
    let mut path = op.template.to_owned();
    let mut query = Vec::new();
    for p in &op.params {
        let (name, place) = (p["name"].as_str().unwrap_or_default(), p["in"].as_str().unwrap_or_default());
        let required = place == "path" || p["required"] == true;
        if !required || !matches!(place, "path" | "query") {
            continue;
        }
        let Some(value) = value_for(spec, p, known) else {
            return Err(format!("no value for {place} parameter `{name}`"));
        };
        match place {
            "path" => path = path.replace(&format!("{{{name}}}"), &encode(&value)),
            _ => query.push((name.to_owned(), value)),
        }
    }
    Ok((path, query))
}

/// A value from an earlier answer, else the spec's (enum, example, default), else a sensible
/// one. Identifiers in paths get no invented value: a made-up id only earns a 404.
fn value_for(spec: &Value, p: &Value, known: &BTreeMap<String, String>) -> Option<String> {
    let name = p["name"].as_str()?;
    if let Some(v) = known.get(name) {
        return Some(v.clone());
    }
    let schema = resolve(spec, &p["schema"]);
    let from_spec =
        schema["enum"].get(0).or(p.get("example")).or(schema.get("example")).or(schema.get("default"));
    if let Some(v) = from_spec.and_then(scalar) {
        return Some(v);
    }
    if let Some((_, v)) = DEFAULTS.iter().find(|(n, _)| *n == name) {
        return Some((*v).to_owned());
    }
    match (p["in"].as_str(), schema["type"].as_str()) {
        (Some("query"), Some("integer" | "number")) => {
            Some(schema.get("minimum").and_then(scalar).unwrap_or("1".into()))
        }
        (Some("query"), Some("boolean")) => Some("false".into()),
        _ => None,
    }
}

/// Percent-encodes a path segment.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn pairs(query: &[(String, String)]) -> String {
    query.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
}
