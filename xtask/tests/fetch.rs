//! `cargo xtask fetch` against loopback servers that serve the spec each way NestJS can, and
//! what it reports and writes when the served spec changed from the committed one.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use serde_json::Value;
use xtask::spec::fetch;

fn raw_spec() -> (Value, String) {
    let text = fs::read_to_string(xtask::root().join("openapi/alura.raw.json")).unwrap();
    (serde_json::from_str(&text).unwrap(), text)
}

/// Swagger UI's init script as @nestjs/swagger writes it, with a JS function in customOptions.
fn init_js(doc: &Value, keyword: &str) -> String {
    format!(
        r#"
window.onload = function() {{
  // Build a system
  let url = window.location.search.match(/url=([^&]+)/);
  if (url && url.length > 1) {{ url = decodeURIComponent(url[1]); }} else {{ url = window.location.origin; }}
  {keyword} options = {{
  "swaggerDoc": {},
  "customOptions": {{
    "persistAuthorization": true,
    "requestInterceptor": function (req) {{ req.headers["x-trace"] = "{{}}"; return req; }}
  }}
}};
  url = options.swaggerUrl || url
  let urls = options.swaggerUrls
  let customOptions = options.customOptions
  let spec1 = options.swaggerDoc
  let swaggerOptions = {{ spec: spec1, url: url, urls: urls }}
  window.ui = SwaggerUIBundle(swaggerOptions)
}};
"#,
        serde_json::to_string_pretty(doc).unwrap()
    )
}

/// Serves `app` on a free loopback port; returns its base URL.
async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test]
async fn json_route_is_tried_first() {
    let (doc, text) = raw_spec();
    let base = serve(Router::new().route("/api/docs-json", get(move || async move { text }))).await;
    let (got, url) = fetch::fetch(&base).await.unwrap();
    assert_eq!(got, doc);
    assert!(url.ends_with("/api/docs-json"));
}

#[tokio::test]
async fn yaml_route_when_json_is_disabled() {
    let (doc, _) = raw_spec();
    let yaml = serde_yaml_ng::to_string(&doc).unwrap();
    let app = Router::new()
        .route("/api/docs-json", get(|| async { StatusCode::NOT_FOUND }))
        .route("/api/docs-yaml", get(move || async move { yaml }));
    let (got, url) = fetch::fetch(&serve(app).await).await.unwrap();
    assert_eq!(got, doc);
    assert!(url.ends_with("/api/docs-yaml"));
}

#[tokio::test]
async fn swagger_ui_init_script_in_both_forms() {
    let (doc, _) = raw_spec();
    for keyword in ["let", "var"] {
        let js = init_js(&doc, keyword);
        let app = Router::new().route("/api/docs/swagger-ui-init.js", get(move || async move { js }));
        let (got, url) = fetch::fetch(&serve(app).await).await.unwrap();
        assert_eq!(got, doc, "{keyword} options");
        assert!(url.ends_with("/api/docs/swagger-ui-init.js"));
    }
}

#[tokio::test]
async fn a_page_that_is_not_a_spec_is_not_taken_for_one() {
    let app = Router::new().route("/api/docs-json", get(|| async { r#"{"status": "ok"}"# }));
    let err = fetch::fetch(&serve(app).await).await.unwrap_err().to_string();
    assert!(err.contains("not an OpenAPI document"), "{err}");
}

#[test]
fn written_spec_is_byte_identical_to_the_committed_raw_file() {
    let (doc, text) = raw_spec();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("raw.json");
    fetch::write(&doc, &out).unwrap();
    assert_eq!(fs::read_to_string(out).unwrap(), text);
}

#[test]
fn dead_host_names_every_url_tried_and_leaves_the_file_alone() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("alura.raw.json");
    fs::write(&out, "previous contents").unwrap();
    let result = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["fetch", "--base-url", &format!("http://127.0.0.1:{port}"), "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(!result.status.success());
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "one clear line: {stderr}");
    for route in fetch::ROUTES {
        assert!(stderr.contains(&format!("127.0.0.1:{port}{route}")), "{stderr}");
    }
    assert!(stderr.contains("cannot connect"), "{stderr}");
    assert_eq!(fs::read_to_string(&out).unwrap(), "previous contents");
}

/// Runs the binary's `fetch` with `args` against a server serving `served` as its JSON route,
/// comparing with (and maybe writing) `out`.
async fn run_fetch(served: &Value, out: &Path, args: &[&str]) -> Output {
    let text = serde_json::to_string(served).unwrap();
    let base = serve(Router::new().route("/api/docs-json", get(move || async move { text }))).await;
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command.args(["fetch", "--base-url", &base]).args(args).arg("--out").arg(out);
    tokio::task::spawn_blocking(move || command.output().unwrap()).await.unwrap()
}

/// The committed raw spec in a temporary file, compact so a rewrite would show.
fn committed_copy() -> (tempfile::TempDir, PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("alura.raw.json");
    let compact = serde_json::to_string(&raw_spec().0).unwrap();
    fs::write(&out, &compact).unwrap();
    (dir, out, compact)
}

#[tokio::test]
async fn no_change_is_one_line_and_nothing_is_written() {
    let (_dir, out, before) = committed_copy();
    let result = run_fetch(&raw_spec().0, &out, &["--check"]).await;
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(result.status.success(), "{stdout}{}", String::from_utf8_lossy(&result.stderr));
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.starts_with("no changes: http://127.0.0.1:"), "{stdout}");
    let count = xtask::spec::changes::operation_count(&serde_json::from_str(&before).unwrap());
    assert!(stdout.contains(&format!("({count} operations)")), "{stdout}");
    assert_eq!(fs::read_to_string(&out).unwrap(), before);
}

#[tokio::test]
async fn a_breaking_change_is_listed_and_fails_only_with_check() {
    let (_dir, out, before) = committed_copy();
    let mut served = raw_spec().0;
    served["paths"].as_object_mut().unwrap().remove("/health/kafka");
    served["paths"]["/api/leaderboard/rankings"]["get"]["parameters"][0]["required"] = true.into();
    let result = run_fetch(&served, &out, &[]).await;
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(result.status.success(), "without --check a change is only reported");
    assert!(stdout.contains(": 2 breaking, 0 additive"), "{stdout}");
    assert!(stdout.contains("breaking  GET /health/kafka"), "{stdout}");
    assert!(stdout.contains("query parameter `page`: became required"), "{stdout}");

    let result = run_fetch(&served, &out, &["--check"]).await;
    assert!(!result.status.success());
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(stderr.contains("2 breaking change(s)"), "{stderr}");
    assert_eq!(fs::read_to_string(&out).unwrap(), before, "nothing is written without --write");
}

#[tokio::test]
async fn an_additive_change_passes_the_check() {
    let (_dir, out, _) = committed_copy();
    let mut served = raw_spec().0;
    served["paths"]["/health/db"] = serde_json::json!({"get": {"responses": {"200": {"description": "ok"}}}});
    let result = run_fetch(&served, &out, &["--check"]).await;
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(result.status.success(), "{stdout}");
    assert!(
        stdout.contains("0 breaking, 1 additive") && stdout.contains("additive  GET /health/db"),
        "{stdout}"
    );
}

#[tokio::test]
async fn write_replaces_the_file_with_the_served_spec() {
    let (_dir, out, _) = committed_copy();
    let mut served = raw_spec().0;
    served["info"]["description"] = "served today".into();
    let result = run_fetch(&served, &out, &["--write"]).await;
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(result.status.success(), "{stdout}");
    assert!(stdout.contains("only descriptions, examples or bounds differ"), "{stdout}");
    assert!(stdout.contains("wrote http://127.0.0.1:"), "{stdout}");
    let written: Value = serde_json::from_str(&fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(written, served);
}

#[tokio::test]
async fn write_creates_a_file_that_was_not_there() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("new.raw.json");
    let result = run_fetch(&raw_spec().0, &out, &["--write"]).await;
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    assert_eq!(fs::read_to_string(&out).unwrap(), raw_spec().1);
    // Without --write a missing file is an error: there is nothing to compare with.
    let missing = dir.path().join("absent.json");
    let result = run_fetch(&raw_spec().0, &missing, &[]).await;
    assert!(!result.status.success());
    assert!(!missing.exists());
}
