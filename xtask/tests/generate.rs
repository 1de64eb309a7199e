//! `cargo xtask gen`: deterministic, complete, and loud about drift and hand edits.

use std::fs;
use xtask::generate::{self, OVERLAY, RAW};

/// A scratch workspace holding copies of the real inputs.
fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for rel in [RAW, OVERLAY] {
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

    let edited = dir.path().join("crates/alura-api/src/generated.rs");
    let text = fs::read_to_string(&edited).unwrap().replacen("pub struct", "pub(crate) struct", 1);
    fs::write(&edited, text).unwrap();
    assert_eq!(generate::stale(dir.path(), &outputs), vec!["crates/alura-api/src/generated.rs"]);
    let err = generate::run(dir.path(), true, false).unwrap_err().to_string();
    assert!(err.contains("crates/alura-api/src/generated.rs"), "{err}");

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
    let err = format!("{:#}", generate::outputs(dir.path()).err().expect("drift must fail"));
    assert!(err.contains("/user/claim-reward") && err.contains("no longer applies"), "{err}");
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
    assert_eq!(count, 41);
}
