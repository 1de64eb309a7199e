//! From the served spec to `openapi/alura.json`: normalise, overlay, normalise, validate.

pub mod changes;
pub mod fetch;
pub mod names;
pub mod normalise;
pub mod overlay;
pub mod probe;

use anyhow::{Context, Result, bail};
use serde_json::Value;
use std::collections::BTreeSet;

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
    notes.extend(unused_schemas(&mut spec));
    validate(&spec)?;
    Ok((spec, notes))
}

/// Sorts the component schemas by name and drops those no operation uses, directly or through another schema: after
/// the overlay has given our response shapes, upstream's own response entities are unused, and
/// every generator would otherwise make public types named after them, which would come and go
/// with upstream's class names.
fn unused_schemas(spec: &mut Value) -> Vec<String> {
    fn refs(value: &Value, out: &mut BTreeSet<String>) {
        match value {
            Value::Object(map) => {
                // `$ref`s, and a discriminator's mapping values, may point into a schema too.
                let mapped = map.get("mapping").filter(|_| map.contains_key("propertyName"));
                let mapped = mapped.and_then(Value::as_object).into_iter().flat_map(|m| m.values());
                for target in map.get("$ref").into_iter().chain(mapped).filter_map(Value::as_str) {
                    if let Some(name) = target.strip_prefix("#/components/schemas/") {
                        out.insert(name.split('/').next().unwrap_or(name).to_owned());
                    }
                }
                map.values().for_each(|v| refs(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    // Used from anywhere but the schemas themselves: paths, and the other components
    // (responses, parameters, request bodies) that paths may reach.
    let mut used = BTreeSet::new();
    let mut rest = spec.clone();
    if let Some(components) = rest.get_mut("components").and_then(Value::as_object_mut) {
        components.remove("schemas");
    }
    refs(&rest, &mut used);
    let Some(schemas) = spec.pointer_mut("/components/schemas").and_then(Value::as_object_mut) else {
        return Vec::new();
    };
    let mut todo: Vec<String> = used.iter().cloned().collect();
    while let Some(name) = todo.pop() {
        let mut found = BTreeSet::new();
        if let Some(schema) = schemas.get(&name) {
            refs(schema, &mut found);
        }
        todo.extend(found.into_iter().filter(|n| used.insert(n.clone())));
    }
    let unused: Vec<String> = schemas.keys().filter(|k| !used.contains(*k)).cloned().collect();
    // By name, so the generated files do not follow upstream's order of declaration.
    let mut kept: Vec<(String, Value)> =
        std::mem::take(schemas).into_iter().filter(|(k, _)| used.contains(k)).collect();
    kept.sort_by(|a, b| a.0.cmp(&b.0));
    schemas.extend(kept);
    unused.into_iter().map(|name| format!("component schema {name} dropped: no operation uses it")).collect()
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
