//! `cargo xtask gen`: deterministic, complete, and loud about stale overlay actions and hand edits.

use std::fs;
use xtask::generate::{self, OVERLAY, RAW};

/// A scratch workspace holding copies of the real inputs.
fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for rel in generate::INPUTS {
        let to = dir.path().join(rel);
        fs::create_dir_all(to.parent().unwrap()).unwrap();
        fs::copy(xtask::root().join(rel), to).unwrap();
    }
    dir
}

#[test]
fn committed_outputs_are_current_and_generation_is_deterministic() {
    let root = xtask::root();
    let (first, _) = generate::outputs(&root).unwrap();
    let (second, _) = generate::outputs(&root).unwrap();
    for (a, b) in first.iter().zip(&second) {
        assert!(a.text == b.text, "{} differs between two runs", a.path);
    }
    assert_eq!(generate::stale(&root, &first), Vec::<&str>::new(), "run `cargo xtask gen`");
}

#[test]
fn check_names_a_hand_edited_file() {
    let dir = scratch();
    let (outputs, _) = generate::outputs(dir.path()).unwrap();
    generate::write(dir.path(), &outputs).unwrap();
    assert!(generate::stale(dir.path(), &outputs).is_empty());

    let edited = dir.path().join("crates/alura-api/src/generated/client.rs");
    let text = fs::read_to_string(&edited).unwrap().replacen("pub struct", "pub(crate) struct", 1);
    fs::write(&edited, text).unwrap();
    assert_eq!(generate::stale(dir.path(), &outputs), vec!["crates/alura-api/src/generated/client.rs"]);
    let err = generate::run(dir.path(), true, false, false).unwrap_err().to_string();
    assert!(err.contains("crates/alura-api/src/generated/client.rs"), "{err}");

    let written = generate::write(dir.path(), &outputs).unwrap();
    assert_eq!(written, vec![edited], "gen rewrites exactly the edited file");
}

#[test]
fn overlay_target_removed_upstream_fails_loudly() {
    let dir = scratch();
    let raw_path = dir.path().join(RAW);
    let mut raw: serde_json::Value = serde_json::from_str(&fs::read_to_string(&raw_path).unwrap()).unwrap();
    raw["paths"].as_object_mut().unwrap().remove("/user/claim-reward");
    fs::write(&raw_path, serde_json::to_string_pretty(&raw).unwrap()).unwrap();
    let err = format!("{:#}", generate::outputs(dir.path()).err().expect("a stale overlay action must fail"));
    assert!(err.contains("/user/claim-reward") && err.contains("no longer apply"), "{err}");
}

/// Every stale action is listed in one run, and `--allow-stale` generates without them.
#[test]
fn stale_overlay_actions_are_all_listed_and_can_be_skipped() {
    let dir = scratch();
    let raw_path = dir.path().join(RAW);
    let mut raw: serde_json::Value = serde_json::from_str(&fs::read_to_string(&raw_path).unwrap()).unwrap();
    for path in ["/user/claim-reward", "/health/kafka"] {
        raw["paths"].as_object_mut().unwrap().remove(path);
    }
    fs::write(&raw_path, serde_json::to_string_pretty(&raw).unwrap()).unwrap();
    let err = format!("{:#}", generate::outputs(dir.path()).err().expect("a stale overlay action must fail"));
    assert!(err.contains("2 overlay action(s)"), "{err}");
    for part in ["/user/claim-reward", "/health/kafka", "--allow-stale", "cargo xtask fetch"] {
        assert!(err.contains(part), "{part}: {err}");
    }
    let (outputs, notes) = generate::outputs_with(dir.path(), true).unwrap();
    assert_eq!(notes.iter().filter(|n| n.starts_with("stale overlay")).count(), 2, "{notes:?}");
    let client = &outputs.iter().find(|o| o.path == "crates/alura-api/src/generated/client.rs").unwrap().text;
    assert!(client.contains("pub fn get_profile(&self)") && !client.contains("claim_reward"));
}

#[test]
fn every_operation_has_a_snake_case_id_and_a_typed_success_body() {
    let spec: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(xtask::root().join("openapi/alura.json")).unwrap()).unwrap();
    let mut count = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            count += 1;
            let id = op["operationId"].as_str().unwrap();
            assert!(id.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{method} {path}: {id}");
            let success = op["responses"].as_object().unwrap().iter().find(|(code, _)| code.starts_with('2'));
            let (_, response) = success.unwrap_or_else(|| panic!("{id}: no success response"));
            assert!(
                response["content"]["application/json"]["schema"].is_object(),
                "{id}: success body is untyped"
            );
            assert_eq!(
                op["responses"]["4XX"]["content"]["application/json"]["schema"]["$ref"],
                "#/components/schemas/ErrorResponse",
                "{id}: errors use the NestJS error body"
            );
        }
    }
    let contract = fs::read_to_string(xtask::root().join("openapi/contract.tsv")).unwrap();
    let listed = contract.lines().filter(|l| !l.starts_with('#') && !l.starts_with("method\t")).count();
    assert_eq!(count, listed, "the spec has the contract's operations");
}

/// An operation added to the overlay reaches every surface with one `cargo xtask gen`: a
/// method in Rust, Python and Node (with the spec's docs), the dispatch the bindings call, the
/// operation table, and a simulator route answering a schema-valid example. No hand-written
/// file names operations, so nothing else has to change.
#[test]
fn an_operation_added_to_the_overlay_reaches_every_surface() {
    let dir = scratch();
    let overlay = dir.path().join(OVERLAY);
    let addition = r#"
  - target: $.paths
    description: A test-only operation, added the way a new backend route would be.
    update:
      /api/indicators/intervals:
        get:
          operationId: get_intervals
          summary: List the candle intervals the backend computes.
          tags: [indicators]
          security: []
          parameters:
            - { name: kind, in: query, required: false, description: Only intervals of this kind., schema: { type: string, enum: [minute, hour, day] } }
          responses:
            "200":
              description: The intervals.
              content:
                application/json:
                  schema:
                    type: object
                    required: [intervals]
                    properties:
                      intervals: { type: array, items: { type: string }, description: Interval names. }
      /api/indicators/alerts/{symbol}:
        post:
          operationId: create_price_alert
          summary: Create a price alert on a symbol.
          tags: [indicators]
          security: [{ bearer: [] }]
          parameters:
            - { name: symbol, in: path, required: true, schema: { type: string } }
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  required: [price]
                  properties:
                    price: { type: number, minimum: 0, exclusiveMinimum: true, description: Alert price in USD. }
          responses:
            "201":
              description: The alert.
              content:
                application/json:
                  schema:
                    type: object
                    required: [id, price]
                    properties:
                      id: { type: string, format: uuid }
                      price: { type: number, minimum: 0, exclusiveMinimum: true }
"#;
    fs::write(&overlay, fs::read_to_string(&overlay).unwrap() + addition).unwrap();
    let (outputs, _) = generate::outputs(dir.path()).unwrap();
    let (committed, _) = generate::outputs(&xtask::root()).unwrap();
    let text = |path: &str| &outputs.iter().find(|o| o.path == path).unwrap().text;
    let wanted: &[(&str, &[&str])] = &[
        (
            "crates/alura-api/src/generated/client.rs",
            &["pub fn get_intervals(&self)", "pub fn create_price_alert("],
        ),
        (
            "crates/alura-api/src/generated/operations.rs",
            &["id: \"get_intervals\"", "path: \"/api/indicators/intervals\"", "id: \"create_price_alert\""],
        ),
        (
            "crates/alura/src/generated/dispatch.rs",
            &[
                "\"get_intervals\" =>",
                "opt_arg::<types::GetIntervalsKind>",
                "\"create_price_alert\" =>",
                "b = b.symbol(arg::<",
                "b = b.body(body::<",
            ],
        ),
        (
            "crates/alura-mock/src/generated/examples.rs",
            &[
                "\"get_intervals\" => Some((200, \"{\\\"intervals\\\":[\\\"string\\\"]}\"))",
                "\"create_price_alert\" =>",
            ],
        ),
        (
            "bindings/python/python/alura/_generated/operations.py",
            &[
                "def get_intervals(",
                "async def get_intervals(",
                "List the candle intervals the backend computes.",
                "kind: Only intervals of this kind; one of \"minute\", \"hour\", \"day\".",
                "async def create_price_alert(",
                "price: Alert price in USD; greater than 0.",
            ],
        ),
        (
            "bindings/node/lib/generated/operations.js",
            &["getIntervals(params = {}, options) {", "createPriceAlert(params, options) {"],
        ),
        (
            "bindings/node/lib/generated/operations.d.ts",
            &[
                "getIntervals(params?: GetIntervalsParams",
                "/** Only intervals of this kind; one of \"minute\", \"hour\", \"day\". */",
                "kind?: Kind",
                "/** Alert price in USD; greater than 0. */",
            ],
        ),
        (
            "openapi/alura.json",
            &["\"operationId\": \"get_intervals\"", "\"operationId\": \"create_price_alert\""],
        ),
    ];
    for (path, needles) in wanted {
        for needle in *needles {
            assert!(text(path).contains(needle), "{path} lacks {needle:?}");
        }
    }
    // Only generated files change: the list of outputs is the same, and every one that names
    // operations gained the new one.
    let paths = |o: &[generate::Output]| o.iter().map(|o| o.path).collect::<Vec<_>>();
    assert_eq!(paths(&outputs), paths(&committed));
    for (path, _) in wanted {
        let before = &committed.iter().find(|o| o.path == *path).unwrap().text;
        assert_ne!(text(path), before, "{path} did not change");
    }
}

/// Upstream may rename every DTO class and every handler: the public API of every language
/// comes from our model (the overlay's operation ids and `x-request-bodies`), so nothing
/// generated changes at all.
#[test]
fn renaming_every_upstream_schema_and_operation_id_changes_nothing_public() {
    let dir = scratch();
    let raw_path = dir.path().join(RAW);
    let mut text = fs::read_to_string(&raw_path).unwrap();
    let raw: serde_json::Value = serde_json::from_str(&text).unwrap();
    for name in raw["components"]["schemas"].as_object().unwrap().keys() {
        text = text
            .replace(
                &format!("\"#/components/schemas/{name}\""),
                &format!("\"#/components/schemas/Renamed{name}V2\""),
            )
            .replace(&format!("\"{name}\": {{"), &format!("\"Renamed{name}V2\": {{"));
    }
    let mut raw: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut renamed = 0;
    for item in raw["paths"].as_object_mut().unwrap().values_mut() {
        for op in item.as_object_mut().unwrap().values_mut() {
            let id = op["operationId"].as_str().unwrap().to_owned();
            op["operationId"] = format!("Renamed_{id}").into();
            renamed += 1;
        }
    }
    assert_eq!(renamed, 41);
    assert!(raw["components"]["schemas"].as_object().unwrap().keys().all(|k| k.starts_with("Renamed")));
    fs::write(&raw_path, serde_json::to_string_pretty(&raw).unwrap()).unwrap();
    let (outputs, _) = generate::outputs(dir.path()).unwrap();
    let (committed, _) = generate::outputs(&xtask::root()).unwrap();
    for (ours, theirs) in committed.iter().zip(&outputs) {
        assert!(ours.text == theirs.text, "{} changed when upstream renamed things", ours.path);
    }
}

/// Adding a client option is one entry in the core's list: `gen` carries it to the core's struct,
/// Python's constructor and TypedDict, Node's checks and type, and the docs, each in its words.
#[test]
fn a_client_option_added_to_the_list_reaches_every_surface() {
    let dir = scratch();
    let list = dir.path().join(xtask::generate::options::SOURCE);
    let text = fs::read_to_string(&list).unwrap();
    let entry = r#"    ClientOption {
        name: "pool_idle_timeout",
        kind: OptionKind::Seconds,
        default: "90",
        doc: "How long an idle connection is kept.",
        in_bindings: true,
    },
];"#;
    let (head, tail) = text.split_once("\n];").unwrap();
    fs::write(&list, format!("{head}\n{entry}{tail}")).unwrap();
    let (outputs, _) = generate::outputs(dir.path()).unwrap();
    let text_of = |path: &str| &outputs.iter().find(|o| o.path == path).unwrap().text;
    let rust = text_of("crates/alura/src/generated/client_options.rs");
    assert!(rust.contains("pub pool_idle_timeout: Option<f64>,"), "{rust}");
    assert!(
        rust.contains(
            r#"("pool_idle_timeout", OptionValue::Number(v)) => self.pool_idle_timeout = Some(v),"#
        )
    );
    let python = text_of("bindings/python/python/alura/_generated/options.py");
    assert!(python.contains("pool_idle_timeout: Optional[float] = None,"), "{python}");
    assert!(python.contains("\"pool_idle_timeout\": pool_idle_timeout,"), "{python}");
    assert!(python.contains("How long an idle connection is kept, in seconds. Default: 90."), "{python}");
    let js = text_of("bindings/node/lib/generated/options.js");
    assert!(js.contains("poolIdleTimeoutMs: 'number',"), "{js}");
    let ts = text_of("bindings/node/lib/generated/options.d.ts");
    assert!(ts.contains("How long an idle connection is kept, in milliseconds. Default: 90000."), "{ts}");
    assert!(ts.contains("poolIdleTimeoutMs?: number"), "{ts}");
    let docs = text_of("docs/options.md");
    assert!(
        docs.contains(
            "| `pool_idle_timeout` (s; Node: ms) | `pool_idle_timeout=` | `poolIdleTimeoutMs` | 90 |"
        ),
        "{docs}"
    );
}
