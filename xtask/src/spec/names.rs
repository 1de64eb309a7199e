//! Our names for upstream's request bodies. NestJS names a body's schema after its DTO class
//! (`QuickTradeBodyDto`), which the backend team may rename at will; the public types of every
//! SDK are named after ours (`CreateTradingSessionDto`). The overlay's root lists, by method and
//! path, the name each operation's body goes by (`x-request-bodies`); before any action runs,
//! each body's component is renamed to it (every `$ref` follows), and an inline body is moved
//! into a component of that name. So the overlay's actions on those components, and the public
//! API, survive any renaming upstream.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

/// Renames upstream's request-body components after `names` (`"POST /path"` -> name). Returns a
/// note for each operation named there that upstream no longer has, or that has no JSON body,
/// and for each of our names that upstream already uses for another schema (left as it is).
pub fn apply(spec: &mut Value, names: &Map<String, Value>) -> Vec<String> {
    let mut notes = Vec::new();
    // Every move is planned first and made in two steps, through names no spec uses, so that
    // upstream swapping two names (A -> B, B -> A) or reusing one cannot overwrite a schema.
    let mut moves: Vec<(String, String)> = Vec::new();
    for (operation, name) in names {
        let Some(name) = name.as_str() else { continue };
        let Some((method, path)) = operation.split_once(' ') else {
            notes.push(format!("{operation}: not `METHOD /path`"));
            continue;
        };
        let pointer = format!(
            "/paths/{}/{}/requestBody/content/application~1json/schema",
            path.replace('~', "~0").replace('/', "~1"),
            method.to_ascii_lowercase()
        );
        let Some(schema) = spec.pointer(&pointer).cloned() else {
            notes.push(format!("{operation}: upstream has no such operation with a JSON body"));
            continue;
        };
        match schema.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/components/schemas/"))
        {
            Some(theirs) => moves.push((theirs.to_owned(), name.to_owned())),
            None => {
                // An inline body becomes a component under a name no spec uses, moved below.
                let parked = format!("{name}~inline");
                let schemas = &mut spec["components"]["schemas"];
                if !schemas.is_object() {
                    *schemas = json!({});
                }
                schemas[parked.as_str()] = schema;
                if let Some(at) = spec.pointer_mut(&pointer) {
                    *at = json!({"$ref": format!("#/components/schemas/{parked}")});
                }
                moves.push((parked, name.to_owned()));
            }
        }
    }
    let sources: BTreeSet<&str> = moves.iter().map(|(from, _)| from.as_str()).collect();
    let existing: BTreeSet<String> = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let mut parked = Vec::new();
    for (from, to) in &moves {
        if from == to {
            continue;
        }
        if existing.contains(to) && !sources.contains(to.as_str()) {
            notes.push(format!("{to}: upstream already has a schema of that name; {from} keeps its own"));
            continue;
        }
        let temporary = format!("{to}~moving");
        rename(spec, from, &temporary);
        parked.push((temporary, to.clone()));
    }
    for (temporary, to) in parked {
        rename(spec, &temporary, &to);
    }
    notes
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

/// Points every reference to `old` at `new`: `$ref`s (also those into the schema,
/// `old/properties/x`) and the values of a discriminator's mapping.
fn retarget(value: &mut Value, old: &str, new: &str) {
    let moved = |s: &mut String| {
        if s == old || s.strip_prefix(old).is_some_and(|rest| rest.starts_with('/')) {
            *s = format!("{new}{}", &s[old.len()..]);
        }
    };
    match value {
        Value::Object(map) => {
            let discriminator = map.contains_key("propertyName");
            for (key, v) in map.iter_mut() {
                match v {
                    Value::String(s) if key == "$ref" => moved(s),
                    Value::Object(mapping) if discriminator && key == "mapping" => {
                        for target in mapping.values_mut() {
                            if let Value::String(s) = target {
                                moved(s);
                            }
                        }
                    }
                    _ => retarget(v, old, new),
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

    #[test]
    fn upstream_swapping_or_reusing_our_names_overwrites_nothing() {
        let body = |name: &str| json!({"post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{name}")}}}}}});
        // Upstream calls the quick body what we call the advance one, and the other way round.
        let mut spec = json!({
            "paths": {"/quick": body("Advance"), "/advance": body("Quick")},
            "components": {"schemas": {"Quick": {"title": "advance's"}, "Advance": {"title": "quick's"}}}
        });
        let names = json!({"POST /quick": "Quick", "POST /advance": "Advance"});
        assert!(apply(&mut spec, names.as_object().unwrap()).is_empty());
        assert_eq!(spec["components"]["schemas"]["Quick"]["title"], "quick's");
        assert_eq!(spec["components"]["schemas"]["Advance"]["title"], "advance's");
        assert_eq!(
            spec["paths"]["/quick"]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/Quick"
        );
        // Our name already used upstream for a schema that is not a body: left alone, and said.
        let mut spec = json!({"paths": {"/quick": body("Mine")}, "components": {"schemas": {"Mine": {}, "Taken": {"title": "other"}}}});
        let notes = apply(&mut spec, json!({"POST /quick": "Taken"}).as_object().unwrap());
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert_eq!(spec["components"]["schemas"]["Taken"]["title"], "other");
    }
}
