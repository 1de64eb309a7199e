//! `cargo xtask probe` against the simulator (everything conforms) and against hostile servers
//! written here (wrong shapes, HTML, empty and endless bodies, hangs): reported, never a panic.

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use alloy_signer_local::PrivateKeySigner;
use alura_mock::{Config, MockServer};
use axum::Router;
use axum::extract::{Path, RawQuery};
use axum::http::{StatusCode, header};
use axum::routing::{get, post};
use serde_json::{Value, json};
use xtask::spec::probe::{self, Mismatch, Options, Outcome, Report, Row, table};

fn alura_spec() -> Value {
    serde_json::from_str(&std::fs::read_to_string(xtask::root().join("openapi/alura.json")).unwrap()).unwrap()
}

fn get_operation_ids(spec: &Value) -> Vec<String> {
    let items = spec["paths"].as_object().unwrap().values();
    items.filter_map(|item| item["get"]["operationId"].as_str().map(str::to_owned)).collect()
}

fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// A wallet that has logged in and opened a session, so that the current trade and the logs
/// have something to show. The probe itself sends no such POST.
async fn trader(mock: &MockServer) -> PrivateKeySigner {
    let wallet = PrivateKeySigner::random();
    let login = probe::login(&http(), mock.url(), &wallet, probe::MAX_BODY).await;
    let token = login.token.unwrap_or_else(|| panic!("login: {:?}", login.failure));
    let body = json!({"budget": 500, "profitTarget": 40, "assetIndex": 3});
    let response = http()
        .post(format!("{}/trading-sessions", mock.url()))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    mock.clear_requests();
    wallet
}

#[tokio::test]
async fn every_get_operation_conforms_on_the_simulator() {
    let spec = alura_spec();
    let mock = MockServer::start(Config::default()).unwrap();
    let wallet = trader(&mock).await;
    let key = wallet.to_bytes().to_string();
    let report = probe::probe(&spec, &Options::new(mock.url(), Some(key))).await.unwrap();
    let text = table::render(&report);
    assert!(report.ok(), "{text}");
    let gets = get_operation_ids(&spec);
    assert!(gets.len() > 20, "{gets:?}");
    for id in gets.iter().map(String::as_str).chain(["request_challenge", "verify_signature"]) {
        let row = report.row(id).unwrap_or_else(|| panic!("{id} is missing:\n{text}"));
        assert_eq!(row.outcome, Outcome::Conforms, "{id}:\n{text}");
    }
    assert_eq!(report.rows.len(), gets.len() + 2);
    // Ids came from earlier answers.
    assert!(report.row("get_session_logs").unwrap().path.starts_with("/trading-sessions/"));
    assert!(!report.row("get_trade_logs").unwrap().path.contains('{'));
    let requests = mock.requests(None);
    let not_get: Vec<_> =
        requests.iter().filter(|r| r.method != "GET").map(|r| r.operation.as_str()).collect();
    assert_eq!(not_get, ["request_challenge", "verify_signature"], "the probe only reads");
}

/// Against the simulator's drift mode (a backend whose shapes differ from our guesses) the
/// probe logs in, reports the differences with their paths, and fails the run: nothing crashes.
#[tokio::test]
async fn drift_mode_is_reported_with_paths_and_fails_the_run() {
    let spec = alura_spec();
    let mock = MockServer::start(Config { drift: true, ..Config::default() }).unwrap();
    let wallet = trader(&mock).await;
    let report =
        probe::probe(&spec, &Options::new(mock.url(), Some(wallet.to_bytes().to_string()))).await.unwrap();
    let text = table::render(&report);
    assert!(!report.ok(), "drift must not pass as conforming:\n{text}");
    assert!(report.login_failure.is_none(), "the trimmed verify answer still logs in:\n{text}");
    let candles = report.row("get_candles").unwrap_or_else(|| panic!("no get_candles row:\n{text}"));
    match &candles.outcome {
        Outcome::Mismatches { shown, .. } => {
            assert!(shown.iter().any(|m| m.path.contains(".open") || m.path.contains(".close")), "{text}")
        }
        other => panic!("get_candles: {other:?}\n{text}"),
    }
    assert!(
        report.rows.iter().all(|r| !matches!(r.outcome, Outcome::Failed(_))),
        "every drifted answer was read and judged:\n{text}"
    );
}

#[tokio::test]
async fn the_command_exits_0_on_the_simulator_and_never_prints_the_key() {
    let mock = MockServer::start(Config::default()).unwrap();
    let key = trader(&mock).await.to_bytes().to_string();
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command.args(["probe", "--base-url", mock.url()]).env("ALURA_PRIVATE_KEY", &key);
    let result = tokio::task::spawn_blocking(move || command.output().unwrap()).await.unwrap();
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(result.status.success(), "{stdout}{}", String::from_utf8_lossy(&result.stderr));
    let n = get_operation_ids(&alura_spec()).len() + 2;
    assert!(
        stdout.trim_end().ends_with(&format!("{n} probed: {n} conform, 0 do not; 0 skipped")),
        "{stdout}"
    );
    assert!(!stdout.contains(&key[2..]));
}

#[tokio::test]
async fn without_a_key_authenticated_operations_are_skipped() {
    let spec = alura_spec();
    let mock = MockServer::start(Config::default()).unwrap();
    let report = probe::probe(&spec, &Options::new(mock.url(), None)).await.unwrap();
    let text = table::render(&report);
    assert!(report.ok(), "{text}");
    assert!(report.row("request_challenge").is_none(), "no login without a key");
    let skipped = Outcome::Skipped("needs a token: no private key given".into());
    for id in ["get_profile", "list_active_sessions", "get_trade_logs", "get_total_deposited"] {
        assert_eq!(report.row(id).unwrap().outcome, skipped, "{id}");
    }
    for id in ["health_check", "get_candles", "get_signals", "get_rankings", "get_latest_candles"] {
        assert_eq!(report.row(id).unwrap().outcome, Outcome::Conforms, "{id}:\n{text}");
    }
    assert!(mock.requests(None).iter().all(|r| r.method == "GET"));
}

#[tokio::test]
async fn a_key_that_is_not_a_key_is_an_error_and_a_failed_login_is_reported() {
    let spec = alura_spec();
    let mock = MockServer::start(Config::default()).unwrap();
    let err = probe::probe(&spec, &Options::new(mock.url(), Some("0x1234".into()))).await.unwrap_err();
    assert!(!err.to_string().contains("1234"), "the key is not echoed: {err}");
    // The challenge answers 500: the failure is reported and authenticated reads are skipped.
    mock.inject(
        "request_challenge",
        [alura_mock::Fault::Status { status: 500, headers: Default::default(), body: None }],
    );
    let key = PrivateKeySigner::random().to_bytes().to_string();
    let report = probe::probe(&spec, &Options::new(mock.url(), Some(key))).await.unwrap();
    assert!(!report.ok());
    assert!(report.login_failure.as_deref().unwrap().contains("HTTP 500"), "{:?}", report.login_failure);
    assert_eq!(report.row("request_challenge").unwrap().status, Some(500));
    assert_eq!(
        report.row("verify_signature").unwrap().outcome,
        Outcome::Skipped("login stopped before it".into())
    );
    assert_eq!(
        report.row("get_profile").unwrap().outcome,
        Outcome::Skipped("needs a token: login failed".into())
    );
}

/// A spec for the hostile server: each operation documents a plain 200 JSON answer.
fn hostile_spec() -> Value {
    let ok = |schema: Value| json!({"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}});
    let obj = json!({"type": "object"});
    let get = |id: &str, schema: Value| json!({"get": {"operationId": id, "responses": ok(schema)}});
    json!({
        "openapi": "3.0.0",
        "info": {"title": "hostile", "version": "1"},
        "paths": {
            "/wrong": get("wrong", json!({"$ref": "#/components/schemas/Wrong"})),
            "/wrong-nested": get("wrong_nested", json!({"type": "object", "properties": {
                "tags": {"type": "array", "items": {"type": "string"}}}})),
            "/many": get("many", json!({"type": "array", "items": {"type": "object", "properties": {
                "open": {"type": "number"}}}})),
            "/ok": get("ok", json!({"type": "object", "required": ["status"], "properties": {
                "status": {"type": "string"}, "note": {"type": "string", "nullable": true}}})),
            "/html": get("html", obj.clone()),
            "/empty": get("empty", obj.clone()),
            "/broken-json": get("broken_json", obj.clone()),
            "/no-content": get("no_content", obj.clone()),
            "/missing-route": get("missing_route", obj.clone()),
            "/slow": get("slow", obj.clone()),
            "/huge": get("huge", obj.clone()),
            "/list": get("list", json!({"type": "array", "items": {"type": "object"}})),
            "/items/{itemId}": {"get": {"operationId": "item", "responses": ok(json!({"type": "object",
                "required": ["id"], "properties": {"id": {"type": "string"}}})),
                "parameters": [{"name": "itemId", "in": "path", "required": true, "schema": {"type": "string"}}]}},
            "/things/{thingId}": {"get": {"operationId": "thing", "responses": ok(obj.clone()),
                "parameters": [{"name": "thingId", "in": "path", "required": true, "schema": {"type": "string"}}]}},
            "/search": {"get": {"operationId": "search", "responses": ok(obj.clone()), "parameters": [
                {"name": "interval", "in": "query", "required": true, "schema": {"type": "string"}},
                {"name": "kind", "in": "query", "required": true, "schema": {"type": "string", "enum": ["alpha", "beta"]}},
                {"name": "page", "in": "query", "schema": {"type": "integer"}}]}},
            "/secret": {"get": {"operationId": "secret", "security": [{"bearer": []}], "responses": ok(obj.clone())}},
            "/danger": {"post": {"operationId": "danger", "responses": ok(obj)}}
        },
        "components": {"schemas": {"Wrong": {"type": "object", "required": ["id", "price", "size"], "properties": {
            "id": {"type": "string"}, "price": {"type": "number"}, "size": {"type": "number"}}}}}
    })
}

async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

fn hostile_app(posts: Arc<AtomicUsize>) -> Router {
    let json_text = |s: &'static str| ([(header::CONTENT_TYPE, "application/json")], s);
    Router::new()
        .route("/wrong", get(move || async move { json_text(r#"{"id": 7, "price": "12.5"}"#) }))
        .route("/wrong-nested", get(move || async move { json_text(r#"{"tags": ["a", 3]}"#) }))
        .route("/many", get(move || async move { json_text(r#"[{"open": "1"}, {"open": 2}, {"open": "3"}]"#) }))
        .route("/ok", get(move || async move { json_text(r#"{"status": "ok", "note": null, "extra": 1}"#) }))
        .route("/html", get(|| async {
            let page = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>";
            (StatusCode::BAD_GATEWAY, [(header::CONTENT_TYPE, "text/html")], page)
        }))
        .route("/empty", get(|| async { StatusCode::OK }))
        .route("/broken-json", get(move || async move { json_text(r#"{"a": "#) }))
        .route("/no-content", get(|| async { StatusCode::NO_CONTENT }))
        .route("/slow", get(|| async {
            tokio::time::sleep(Duration::from_secs(3)).await;
            "{}"
        }))
        .route("/huge", get(|| async { format!("[{}0]", "0,".repeat(5 << 20)) }))
        .route("/list", get(move || async move { json_text(r#"[{"itemId": "it 1"}]"#) }))
        .route("/items/{id}", get(|Path(id): Path<String>| async move { axum::Json(json!({"id": id})) }))
        .route("/search", get(|RawQuery(q): RawQuery| async move { axum::Json(json!({"query": q})) }))
        .route("/secret", get(|| async { "{}" }))
        .route("/danger", post(move || async move { posts.fetch_add(1, Ordering::SeqCst).to_string() }))
}

#[tokio::test]
async fn a_hostile_server_is_reported_row_by_row_and_fails_the_run() {
    let posts = Arc::new(AtomicUsize::new(0));
    let base = serve(hostile_app(posts.clone())).await;
    let opts = Options { timeout: Duration::from_secs(1), ..Options::new(&base, None) };
    let report = probe::probe(&hostile_spec(), &opts).await.unwrap();
    let text = table::render(&report);
    assert!(!report.ok(), "{text}");
    let outcome = |id: &str| report.row(id).unwrap_or_else(|| panic!("no row {id}:\n{text}")).outcome.clone();
    let status = |id: &str| report.row(id).unwrap().status;

    let Outcome::Mismatches { shown, total } = outcome("wrong") else { panic!("{text}") };
    assert_eq!(total, 3, "{shown:#?}");
    let m = |path: &str, expected: &str, got: &str| Mismatch {
        path: path.into(),
        expected: expected.into(),
        got: got.into(),
        like: 0,
    };
    for wanted in [
        m("$.id", "string", "7"),
        m("$.price", "number", "\"12.5\""),
        m("$.size", "a value (required)", "missing"),
    ] {
        assert!(shown.contains(&wanted), "{wanted:?} not in {shown:#?}");
    }
    assert_eq!(
        outcome("wrong_nested"),
        Outcome::Mismatches { shown: vec![m("$.tags[1]", "string", "3")], total: 1 }
    );
    let mut first = m("$[0].open", "number", "\"1\"");
    first.like = 1;
    assert_eq!(outcome("many"), Outcome::Mismatches { shown: vec![first], total: 2 }, "one fault, twice");
    assert_eq!(outcome("ok"), Outcome::Conforms, "nullable is a type union; unknown fields are fine");

    assert_eq!(status("html"), Some(502));
    let Outcome::Unexpected(html) = outcome("html") else { panic!("{text}") };
    assert!(html.starts_with("not JSON (text/html): <html><head><title>502 Bad Gateway"), "{html}");
    assert_eq!((status("empty"), outcome("empty")), (Some(200), Outcome::NotJson("empty body".into())));
    let Outcome::NotJson(broken) = outcome("broken_json") else { panic!("{text}") };
    assert!(broken.starts_with("not JSON (application/json): {\"a\":"), "{broken}");
    assert_eq!(outcome("no_content"), Outcome::Unexpected("204 is not a documented status".into()));
    assert_eq!(
        (status("missing_route"), outcome("missing_route")),
        (Some(404), Outcome::Unexpected("empty body".into()))
    );
    assert_eq!(outcome("slow"), Outcome::Failed("timed out".into()));
    assert_eq!(outcome("huge"), Outcome::Failed("HTTP 200: body over 8 MiB refused".into()));

    // Values taken from answers, from the spec and from sensible defaults; or skipped by name.
    assert_eq!(
        (report.row("item").unwrap().path.as_str(), outcome("item")),
        ("/items/it%201", Outcome::Conforms)
    );
    assert_eq!(report.row("search").unwrap().path, "/search?interval=1h&kind=alpha");
    assert_eq!(outcome("thing"), Outcome::Skipped("no value for path parameter `thingId`".into()));
    assert_eq!(outcome("secret"), Outcome::Skipped("needs a token: no private key given".into()));
    assert!(report.row("danger").is_none());
    assert_eq!(posts.load(Ordering::SeqCst), 0, "never a POST");
    assert!(text.ends_with("14 probed: 4 conform, 10 do not; 2 skipped\n"), "{text}");
}

/// Answers each connection by hand: a body with no length that never ends within the limit,
/// and an answer cut off half way.
async fn raw_server() -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        for _ in 0..8 {
            let Ok((mut socket, _)) = listener.accept().await else { return };
            tokio::spawn(async move {
                let mut head = vec![0; 4096];
                let n = socket.read(&mut head).await.unwrap_or(0);
                let head = String::from_utf8_lossy(&head[..n]).to_string();
                if head.starts_with("GET /endless ") {
                    let _ = socket.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n").await;
                    let chunk = format!("{:x}\r\n{}\r\n", 64 << 10, " ".repeat(64 << 10));
                    for _ in 0..160 {
                        if socket.write_all(chunk.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                } else {
                    let _ = socket.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{\"a\":").await;
                }
            });
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn endless_and_cut_off_bodies_are_failures_not_crashes() {
    let doc = json!({"200": {"description": "ok", "content": {"application/json": {"schema": {}}}}});
    let spec = json!({"openapi": "3.0.0", "paths": {
        "/endless": {"get": {"operationId": "endless", "responses": doc}},
        "/cut": {"get": {"operationId": "cut", "responses": doc}}}});
    let report = probe::probe(&spec, &Options::new(&raw_server().await, None)).await.unwrap();
    assert!(!report.ok());
    assert_eq!(
        report.row("endless").unwrap().outcome,
        Outcome::Failed("HTTP 200: body over 8 MiB refused".into())
    );
    let Outcome::Failed(cut) = &report.row("cut").unwrap().outcome else { panic!("{report:#?}") };
    assert!(!cut.is_empty());
}

#[test]
fn the_table_shows_each_row_with_its_first_mismatches() {
    let row = |operation: &str, path: &str, status: Option<u16>, outcome: Outcome| Row {
        operation: operation.into(),
        path: path.into(),
        status,
        outcome,
    };
    let m = |path: &str, expected: &str, got: &str, like: usize| Mismatch {
        path: path.into(),
        expected: expected.into(),
        got: got.into(),
        like,
    };
    let report = Report {
        base_url: "http://127.0.0.1:9".into(),
        login_failure: None,
        rows: vec![
            row("get_profile", "/user/profile", Some(200), Outcome::Conforms),
            row(
                "get_candles",
                "/api/indicators/candles/BTC/1h",
                Some(200),
                Outcome::Mismatches {
                    shown: vec![
                        m("$[0].open", "number", "\"1.5\"", 99),
                        m("$[0].volume", "a value (required)", "missing", 0),
                    ],
                    total: 103,
                },
            ),
            row(
                "health_check",
                "/health",
                Some(502),
                Outcome::Unexpected("not JSON (text/html): <html>".into()),
            ),
            row(
                "get_symbols",
                "/api/indicators/candles/aggregated/symbols",
                None,
                Outcome::Failed("timed out".into()),
            ),
            row(
                "get_session_logs",
                "/trading-sessions/{sessionId}/logs",
                None,
                Outcome::Skipped("no value for path parameter `sessionId`".into()),
            ),
        ],
    };
    assert_eq!(
        table::render(&report),
        "probe of http://127.0.0.1:9
operation         status  result
get_profile       200     conforms
get_candles       200     103 mismatches
                            $[0].open: expected number, got \"1.5\" (and 99 more like it)
                            $[0].volume: expected a value (required), got missing
                            … and 2 more
health_check      502     error: not JSON (text/html): <html>
get_symbols       -       failed: timed out
get_session_logs  -       skipped: no value for path parameter `sessionId`
4 probed: 1 conform, 3 do not; 1 skipped
"
    );
}

#[test]
fn nullable_becomes_a_type_union_and_only_in_schema_positions() {
    let schema = json!({"type": "object", "properties": {
        "nullable": {"type": "string", "nullable": true, "example": "x"},
        "kind": {"type": "string", "enum": ["a"], "nullable": true},
        "child": {"$ref": "#/components/schemas/C", "nullable": true}}});
    assert_eq!(
        probe::schema::to_json_schema(&schema),
        json!({"type": "object", "properties": {
            "nullable": {"type": ["string", "null"]},
            "kind": {"type": ["string", "null"], "enum": ["a", null]},
            "child": {"anyOf": [{"$ref": "#/components/schemas/C"}, {"type": "null"}]}}})
    );
}
