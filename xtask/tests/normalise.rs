//! Each fixture holds one shape progenitor panics or errors on; normalisation must make it generate.

use std::fs;

use serde_json::Value;
use xtask::{generate::rust_client, spec, spec::normalise};

fn generates(doc: &Value) -> anyhow::Result<String> {
    rust_client::client(&spec::validate(doc)?)
}

#[test]
fn every_pitfall_fixture_fails_raw_and_generates_normalised() {
    let dir = xtask::root().join("xtask/tests/fixtures");
    let mut seen = 0;
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let mut doc: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        assert!(generates(&doc).is_err(), "{name}: the raw fixture should trip the generator");
        let notes = normalise::normalise(&mut doc).unwrap();
        assert!(!notes.is_empty(), "{name}: normalisation should say what it changed");
        if let Err(e) = generates(&doc) {
            panic!("{name}: still fails after normalisation: {e:#}\nnotes: {notes:#?}");
        }
        seen += 1;
    }
    assert_eq!(seen, 8, "one fixture per pitfall");
}

#[test]
fn typed_error_body_is_given_to_bare_error_responses() {
    let path = xtask::root().join("xtask/tests/fixtures/mixed_error_bodies.json");
    let mut doc: Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    normalise::normalise(&mut doc).unwrap();
    let responses = &doc["paths"]["/a"]["post"]["responses"];
    assert_eq!(
        responses["401"]["content"]["application/json"]["schema"],
        responses["400"]["content"]["application/json"]["schema"]
    );
    assert_eq!(responses["401"]["description"], "Unauthorized", "documentation is kept");
}

#[test]
fn openapi_31_nullable_and_const_survive_the_downgrade() {
    let path = xtask::root().join("xtask/tests/fixtures/openapi_31.json");
    let mut doc: Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    normalise::normalise(&mut doc).unwrap();
    let props =
        &doc["paths"]["/a"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["properties"];
    assert_eq!(doc["openapi"], "3.0.3");
    assert_eq!(props["name"], serde_json::json!({"type": "string", "nullable": true}));
    assert_eq!(props["kind"], serde_json::json!({"enum": ["a"]}));
    assert_eq!(props["n"]["exclusiveMinimum"], true);
    assert_eq!(props["n"]["minimum"], 0);
}
