//! From the served spec to `openapi/alura.json`: normalise, overlay, normalise, validate.

use anyhow::{Context, Result, bail};
use serde_json::Value;
use std::collections::BTreeSet;

use crate::{normalise, overlay};

/// Builds the normalised spec from the raw spec and the overlay, both as text.
///
/// Normalisation runs on both sides of the overlay: before it, so the overlay's targets see
/// stable operation ids; after it, because a shape the overlay adds (say a shared 4XX body
/// beside a bare 401) must obey the same rules before progenitor sees it.
///
/// With `allow_stale`, overlay actions whose targets vanished upstream are skipped, each with
/// a note that starts with `stale overlay`; otherwise they fail the build, all listed.
pub fn build(raw_json: &str, overlay_yaml: &str, allow_stale: bool) -> Result<(Value, Vec<String>)> {
    let mut spec: Value = serde_json::from_str(raw_json).context("the raw spec is not JSON")?;
    let mut notes = normalise::normalise(&mut spec).context("normalising the raw spec")?;
    let stale = overlay::apply(&mut spec, overlay_yaml, allow_stale)?;
    notes.extend(stale.iter().map(|s| format!("stale overlay {s}")));
    notes.extend(normalise::normalise(&mut spec).context("normalising the overlaid spec")?);
    validate(&spec)?;
    Ok((spec, notes))
}

/// Checks that the spec parses as OpenAPI 3.0 and that every operation has a unique id.
pub fn validate(spec: &Value) -> Result<openapiv3::OpenAPI> {
    let parsed: openapiv3::OpenAPI =
        serde_json::from_value(spec.clone()).context("the normalised spec is not valid OpenAPI 3.0")?;
    let mut ids = BTreeSet::new();
    for (path, method, op) in parsed.operations() {
        let Some(id) = &op.operation_id else { bail!("{method} {path} has no operationId") };
        if !ids.insert(id.clone()) {
            bail!("operationId {id} is used twice");
        }
    }
    Ok(parsed)
}

/// The spec as written to `openapi/alura.json`: pretty JSON with a final newline.
pub fn to_text(spec: &Value) -> String {
    let mut text = serde_json::to_string_pretty(spec).expect("a Value always serialises");
    text.push('\n');
    text
}
