//! Our names for upstream's request bodies. NestJS names a body's schema after its DTO class
//! (`QuickTradeBodyDto`), which the backend team may rename at will; the public types of every
//! SDK are named after ours (`CreateTradingSessionDto`). The overlay's root lists, by method and
//! path, the name each operation's body goes by (`x-request-bodies`); before any action runs,
//! each body's component is renamed to it (every `$ref` follows), and an inline body is moved
//! into a component of that name. So the overlay's actions on those components, and the public
//! API, survive any renaming upstream.

use serde_json::{Map, Value, json};

/// Renames upstream's request-body components after `names` (`"POST /path"` -> name). Returns a
/// note for each operation named there that upstream no longer has, or that has no JSON body.
pub fn apply(spec: &mut Value, names: &Map<String, Value>) -> Vec<String> {
    let mut missing = Vec::new();
    for (operation, name) in names {
        let Some(name) = name.as_str() else { continue };
        let Some((method, path)) = operation.split_once(' ') else {
            missing.push(format!("{operation}: not `METHOD /path`"));
            continue;
        };
        let pointer = format!(
            "/paths/{}/{}/requestBody/content/application~1json/schema",
            path.replace('~', "~0").replace('/', "~1"),
            method.to_ascii_lowercase()
        );
        let Some(schema) = spec.pointer(&pointer).cloned() else {
            missing.push(format!("{operation}: upstream has no such operation with a JSON body"));
            continue;
        };
        match schema.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/components/schemas/"))
        {
            Some(theirs) if theirs == name => {}
            Some(theirs) => rename(spec, theirs, name),
            None => {
                let schemas = &mut spec["components"]["schemas"];
                if !schemas.is_object() {
                    *schemas = json!({});
                }
                schemas[name] = schema;
                if let Some(at) = spec.pointer_mut(&pointer) {
                    *at = json!({"$ref": format!("#/components/schemas/{name}")});
                }
            }
        }
    }
    missing
}

/// Renames component `from` to `to`, and every reference to it.
fn rename(spec: &mut Value, from: &str, to: &str) {
    let Some(schemas) = spec.pointer_mut("/components/schemas").and_then(Value::as_object_mut) else {
        return;
    };
    let Some(schema) = schemas.remove(from) else { return };
    schemas.insert(to.to_owned(), schema);
    let (old, new) = (format!("#/components/schemas/{from}"), format!("#/components/schemas/{to}"));
    retarget(spec, &old, &new);
}

fn retarget(value: &mut Value, old: &str, new: &str) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if key == "$ref" && v.as_str() == Some(old) {
                    *v = Value::String(new.to_owned());
                } else {
                    retarget(v, old, new);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| retarget(v, old, new)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_goes_by_our_name_whatever_upstream_calls_it() {
        let mut spec = json!({
            "paths": {
                "/a": {"post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/TheirDto"}}}}}},
                "/b": {"post": {"requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}}}}
            },
            "components": {"schemas": {"TheirDto": {"type": "object", "properties": {"x": {"$ref": "#/components/schemas/TheirDto"}}}}}
        });
        let names = json!({"POST /a": "OurDto", "POST /b": "OtherDto", "POST /gone": "GoneDto"});
        let missing = apply(&mut spec, names.as_object().unwrap());
        assert_eq!(missing.len(), 1, "{missing:?}");
        assert!(missing[0].starts_with("POST /gone"));
        let schemas = spec["components"]["schemas"].as_object().unwrap();
        assert_eq!(schemas.keys().collect::<Vec<_>>(), ["OurDto", "OtherDto"]);
        assert_eq!(schemas["OurDto"]["properties"]["x"]["$ref"], "#/components/schemas/OurDto");
        let body = |p: &str| {
            spec["paths"][p]["post"]["requestBody"]["content"]["application/json"]["schema"].clone()
        };
        assert_eq!(body("/a")["$ref"], "#/components/schemas/OurDto");
        assert_eq!(body("/b")["$ref"], "#/components/schemas/OtherDto");
    }
}
