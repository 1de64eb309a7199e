//! Generic normalisation: rewrites any served spec into the subset progenitor accepts.
//!
//! progenitor panics or errors on several things real NestJS specs contain (docs/ARCHITECTURE.md,
//! "What the normaliser works around").
//! Each rule here fixes one of them without knowing anything about Alura, and records what it
//! did, so a new upstream spec either generates or fails with a message that names the cause.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Result, bail};
use serde_json::{Map, Value, json};

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// Normalises `spec` in place and returns one line per change made.
pub fn normalise(spec: &mut Value) -> Result<Vec<String>> {
    let mut notes = Vec::new();
    downgrade_31(spec, &mut notes)?;
    inline_enum_refs(spec, &mut notes);
    let Some(paths) = spec.get_mut("paths").and_then(Value::as_object_mut) else {
        bail!("the spec has no `paths` object");
    };
    let mut seen_ids = BTreeSet::new();
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        let shared_params = item.remove("parameters");
        for method in METHODS {
            let Some(op) = item.get_mut(method).and_then(Value::as_object_mut) else { continue };
            let where_ = format!("{} {path}", method.to_uppercase());
            if let Some(Value::Array(shared)) = &shared_params {
                merge_shared_parameters(op, shared);
            }
            operation_id(op, method, path, &mut seen_ids, &where_, &mut notes);
            path_parameters(op, path, &where_, &mut notes);
            query_parameters(op, &where_, &mut notes);
            request_body(op, &where_, &mut notes);
            responses(op, &where_, &mut notes);
        }
    }
    Ok(notes)
}

/// `@nestjs/swagger` writes a property of a named enum as `allOf: [{$ref: Enum}]` (the only way
/// 3.0 lets a `$ref` carry a description). Each such property gets the enum itself, so the
/// types of every language are named after the property, as for an inline enum, and not after
/// upstream's enum class, which may be renamed at will; a component left unused is dropped later.
fn inline_enum_refs(spec: &mut Value, notes: &mut Vec<String>) {
    let Some(schemas) = spec.pointer("/components/schemas").and_then(Value::as_object).cloned() else {
        return;
    };
    let enum_of = |schema: &Value| -> Option<(String, Value)> {
        let only = match schema.get("allOf").and_then(Value::as_array) {
            Some(all) if all.len() == 1 => &all[0],
            _ => schema,
        };
        let name = only.get("$ref")?.as_str()?.strip_prefix("#/components/schemas/")?;
        let target = schemas.get(name)?;
        target.get("enum").is_some().then(|| (name.to_owned(), target.clone()))
    };
    let mut inlined = BTreeSet::new();
    fn walk(
        value: &mut Value,
        enum_of: &dyn Fn(&Value) -> Option<(String, Value)>,
        inlined: &mut BTreeSet<String>,
    ) {
        match value {
            Value::Object(map) => {
                if let Some(Value::Object(props)) = map.get_mut("properties") {
                    for prop in props.values_mut() {
                        if let Some((name, target)) = enum_of(prop)
                            && let (Value::Object(p), Value::Object(t)) = (&mut *prop, target)
                        {
                            p.remove("allOf");
                            p.remove("$ref");
                            for (k, v) in t {
                                p.entry(k).or_insert(v);
                            }
                            inlined.insert(name);
                        }
                    }
                }
                map.values_mut().for_each(|v| walk(v, enum_of, inlined));
            }
            Value::Array(items) => items.iter_mut().for_each(|v| walk(v, enum_of, inlined)),
            _ => {}
        }
    }
    walk(spec, &enum_of, &mut inlined);
    for name in inlined {
        notes.push(format!("properties of enum {name} given the enum inline"));
    }
}

/// OpenAPI 3.1 -> 3.0.3 for the schema features NestJS-era specs use; progenitor reads only 3.0.x.
fn downgrade_31(spec: &mut Value, notes: &mut Vec<String>) -> Result<()> {
    let version = spec.get("openapi").and_then(Value::as_str).unwrap_or_default().to_owned();
    if version.starts_with("3.0.") {
        return Ok(());
    }
    if !version.starts_with("3.1.") {
        bail!("unsupported OpenAPI version {version:?}: expected 3.0.x or 3.1.x");
    }
    let root = spec.as_object_mut().expect("checked above");
    root.insert("openapi".into(), json!("3.0.3"));
    for key in ["jsonSchemaDialect", "webhooks"] {
        root.remove(key);
    }
    walk_schemas_31(spec);
    notes.push(format!(
        "openapi {version} rewritten as 3.0.3 (type lists, const, examples, exclusive bounds)"
    ));
    Ok(())
}

fn walk_schemas_31(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get("type").cloned() {
                let non_null: Vec<_> = types.iter().filter(|t| t.as_str() != Some("null")).cloned().collect();
                if non_null.len() < types.len() {
                    map.insert("nullable".into(), json!(true));
                }
                match non_null.as_slice() {
                    [one] => {
                        map.insert("type".into(), one.clone());
                    }
                    _ => {
                        map.remove("type");
                    }
                }
            }
            if let Some(c) = map.remove("const") {
                map.insert("enum".into(), json!([c]));
            }
            if let Some(Value::Array(examples)) = map.get("examples").cloned() {
                map.remove("examples");
                if let Some(first) = examples.into_iter().next() {
                    map.insert("example".into(), first);
                }
            }
            for (exclusive, bound) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
                if let Some(n) = map.get(exclusive).filter(|v| v.is_number()).cloned() {
                    map.insert(bound.into(), n);
                    map.insert(exclusive.into(), json!(true));
                }
            }
            map.remove("$schema");
            map.values_mut().for_each(walk_schemas_31);
        }
        Value::Array(items) => items.iter_mut().for_each(walk_schemas_31),
        _ => {}
    }
}

/// Path-level parameters apply to every operation; progenitor reads them, but the other rules
/// here look at one operation at a time, so fold them in (an operation's own one wins).
fn merge_shared_parameters(op: &mut Map<String, Value>, shared: &[Value]) {
    let params = op.entry("parameters").or_insert_with(|| json!([]));
    let Some(params) = params.as_array_mut() else { return };
    for p in shared {
        let key = (p.get("name").cloned(), p.get("in").cloned());
        if !params.iter().any(|q| (q.get("name").cloned(), q.get("in").cloned()) == key) {
            params.push(p.clone());
        }
    }
}

fn operation_id(
    op: &mut Map<String, Value>,
    method: &str,
    path: &str,
    seen: &mut BTreeSet<String>,
    where_: &str,
    notes: &mut Vec<String>,
) {
    let given = op.get("operationId").and_then(Value::as_str).filter(|s| !s.is_empty());
    let base = match given {
        Some(id) => id.to_owned(),
        None => {
            let words: Vec<String> = path
                .split('/')
                .filter(|s| !s.is_empty())
                .map(|s| s.trim_matches(|c| c == '{' || c == '}').replace(['-', '.'], "_"))
                .collect();
            let id = format!("{method}_{}", words.join("_"));
            notes.push(format!("{where_}: no operationId; named it {id}"));
            id
        }
    };
    let mut id = base.clone();
    let mut n = 2;
    while !seen.insert(id.clone()) {
        id = format!("{base}_{n}");
        n += 1;
    }
    if given.is_some() && id != base {
        notes.push(format!("{where_}: duplicate operationId {base}; renamed it {id}"));
    }
    op.insert("operationId".into(), json!(id));
}

/// Every `{name}` in the template has exactly one required path parameter of that name.
fn path_parameters(op: &mut Map<String, Value>, path: &str, where_: &str, notes: &mut Vec<String>) {
    let template: Vec<String> =
        path.split('{').skip(1).filter_map(|s| s.split('}').next()).map(str::to_owned).collect();
    let params = op.entry("parameters").or_insert_with(|| json!([]));
    let Some(params) = params.as_array_mut() else { return };
    let declared = |params: &Vec<Value>| -> Vec<String> {
        params
            .iter()
            .filter(|p| p.get("in").and_then(Value::as_str) == Some("path"))
            .filter_map(|p| p.get("name").and_then(Value::as_str).map(str::to_owned))
            .collect()
    };
    let missing: Vec<_> = template.iter().filter(|t| !declared(params).contains(t)).cloned().collect();
    let stray: Vec<_> = declared(params).into_iter().filter(|d| !template.contains(d)).collect();
    if let ([want], [have]) = (missing.as_slice(), stray.as_slice()) {
        for p in params.iter_mut().filter(|p| p.get("name").and_then(Value::as_str) == Some(have.as_str())) {
            p["name"] = json!(want);
        }
        notes.push(format!("{where_}: path parameter {have} renamed {want} to match the template"));
    } else {
        for want in &missing {
            params.push(json!({"name": want, "in": "path", "required": true, "schema": {"type": "string"}}));
            notes.push(format!("{where_}: path parameter {want} was not declared; added as a string"));
        }
        params.retain(|p| {
            let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
            let keep =
                p.get("in").and_then(Value::as_str) != Some("path") || template.iter().any(|t| t == name);
            if !keep {
                notes.push(format!("{where_}: path parameter {name} is not in the template; dropped"));
            }
            keep
        });
    }
    for p in params.iter_mut().filter(|p| p.get("in").and_then(Value::as_str) == Some("path")) {
        p["required"] = json!(true);
        if p.get("schema").is_none() {
            p["schema"] = json!({"type": "string"});
        }
    }
}

/// progenitor rejects cookie parameters and the deepObject style.
fn query_parameters(op: &mut Map<String, Value>, where_: &str, notes: &mut Vec<String>) {
    let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) else { return };
    params.retain(|p| {
        let cookie = p.get("in").and_then(Value::as_str) == Some("cookie");
        if cookie {
            let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
            notes.push(format!("{where_}: cookie parameter {name} dropped (browsers send cookies)"));
        }
        !cookie
    });
    for p in params.iter_mut() {
        if p.get("style").and_then(Value::as_str) == Some("deepObject") {
            let name = p.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
            p.as_object_mut().expect("a parameter is an object").remove("style");
            notes.push(format!("{where_}: query parameter {name}: deepObject style sent as form"));
        }
        if p.get("schema").is_none() && p.get("content").is_none() {
            p["schema"] = json!({"type": "string"});
        }
    }
}

/// One media type per body, JSON preferred, and always with a schema.
fn request_body(op: &mut Map<String, Value>, where_: &str, notes: &mut Vec<String>) {
    let Some(content) =
        op.get_mut("requestBody").and_then(|b| b.get_mut("content")).and_then(Value::as_object_mut)
    else {
        return;
    };
    if content.len() > 1 {
        let keep = content
            .keys()
            .find(|k| k.starts_with("application/json"))
            .or_else(|| content.keys().next())
            .cloned()
            .expect("more than one key");
        content.retain(|k, _| *k == keep);
        notes.push(format!("{where_}: request body keeps only {keep}"));
    }
    for (media, body) in content.iter_mut() {
        if body.get("schema").is_none() {
            body["schema"] = json!({});
            notes.push(format!("{where_}: request body {media} had no schema; any JSON accepted"));
        }
    }
}

#[derive(PartialEq, Eq, PartialOrd, Ord, Clone)]
enum Body {
    None,
    Json(String),
}

/// Within the success responses, and within the error responses, every body has one type.
fn responses(op: &mut Map<String, Value>, where_: &str, notes: &mut Vec<String>) {
    let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
        op.insert("responses".into(), json!({"200": {"description": ""}}));
        return;
    };
    // progenitor counts `default` as both a success and an error; it means "any error" in practice.
    if let Some(default) = responses.remove("default") {
        for range in ["4XX", "5XX"] {
            responses.entry(range).or_insert_with(|| default.clone());
        }
        notes.push(format!("{where_}: default response served as 4XX and 5XX"));
    }
    for (code, response) in responses.iter_mut() {
        let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) else { continue };
        if content.keys().any(|k| k.starts_with("application/json")) && content.len() > 1 {
            content.retain(|k, _| k.starts_with("application/json"));
            notes.push(format!("{where_}: response {code} keeps only its JSON body"));
        }
        for (media, body) in content.iter_mut() {
            if media.starts_with("application/json") && body.get("schema").is_none() {
                body["schema"] = json!({});
                notes.push(format!("{where_}: response {code} had JSON without a schema; any JSON accepted"));
            }
        }
    }
    let is_success = |code: &str| code.starts_with('2');
    let success: Vec<String> = responses.keys().filter(|c| is_success(c)).cloned().collect();
    let errors: Vec<String> = responses.keys().filter(|c| !is_success(c)).cloned().collect();
    one_body_type(responses, &success, false, where_, notes);
    one_body_type(responses, &errors, true, where_, notes);
}

fn body_of(response: &Value) -> Body {
    let json = response
        .get("content")
        .and_then(Value::as_object)
        .and_then(|c| c.iter().find(|(k, _)| k.starts_with("application/json")))
        .and_then(|(_, v)| v.get("schema"));
    match json {
        Some(schema) => Body::Json(schema.to_string()),
        None => Body::None,
    }
}

fn one_body_type(
    responses: &mut Map<String, Value>,
    codes: &[String],
    errors: bool,
    where_: &str,
    notes: &mut Vec<String>,
) {
    let kinds: BTreeMap<String, Body> = codes.iter().map(|c| (c.clone(), body_of(&responses[c]))).collect();
    let typed: BTreeSet<&Body> = kinds.values().filter(|b| **b != Body::None).collect();
    if typed.is_empty() || kinds.values().all(|b| *b != Body::None) && typed.len() == 1 {
        return;
    }
    if typed.len() > 1 {
        for code in codes.iter().filter(|c| kinds[*c] != Body::None) {
            set_json_schema(&mut responses[code.as_str()], json!({}));
        }
        notes.push(format!("{where_}: responses {codes:?} had different bodies; decoded as any JSON"));
    }
    let untyped: Vec<&String> = codes.iter().filter(|c| kinds[*c] == Body::None).collect();
    if untyped.is_empty() {
        return;
    }
    if errors {
        // An error without a documented body still has the server's one error body.
        let schema = match typed.len() {
            1 => match typed.first() {
                Some(Body::Json(s)) => serde_json::from_str(s).expect("came from a Value"),
                _ => unreachable!("typed bodies are Json"),
            },
            _ => json!({}),
        };
        for code in &untyped {
            set_json_schema(&mut responses[code.as_str()], schema.clone());
        }
        notes.push(format!("{where_}: error responses {untyped:?} given the operation's error body"));
    } else {
        for code in &untyped {
            responses.remove(code.as_str());
        }
        notes.push(format!(
            "{where_}: success responses {untyped:?} without a body dropped beside a typed one"
        ));
    }
}

fn set_json_schema(response: &mut Value, schema: Value) {
    let content = response
        .as_object_mut()
        .expect("a response is an object")
        .entry("content")
        .or_insert_with(|| json!({}));
    let media = content
        .as_object()
        .and_then(|c| c.keys().find(|k| k.starts_with("application/json")).cloned())
        .unwrap_or_else(|| "application/json".to_owned());
    content[media.as_str()] = json!({"schema": schema});
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op_spec(path: &str, op: Value) -> Value {
        json!({"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {path: {"get": op}}})
    }

    #[test]
    fn path_parameter_renamed_to_match_template() {
        let mut spec = op_spec(
            "/x/{id}",
            json!({"operationId": "a", "parameters": [{"name": "xId", "in": "path", "schema": {"type": "string"}}],
                   "responses": {"200": {"description": ""}}}),
        );
        let notes = normalise(&mut spec).unwrap();
        assert_eq!(spec["paths"]["/x/{id}"]["get"]["parameters"][0]["name"], "id");
        assert_eq!(spec["paths"]["/x/{id}"]["get"]["parameters"][0]["required"], true);
        assert_eq!(notes.len(), 1, "{notes:?}");
    }

    #[test]
    fn normalising_twice_changes_nothing() {
        let mut spec = op_spec(
            "/x",
            json!({"responses": {"200": {"description": "", "content": {"application/json": {}}},
                                 "204": {"description": ""}, "default": {"description": ""}}}),
        );
        normalise(&mut spec).unwrap();
        let once = spec.clone();
        let notes = normalise(&mut spec).unwrap();
        assert_eq!(spec, once);
        assert!(notes.is_empty(), "{notes:?}");
    }
}
