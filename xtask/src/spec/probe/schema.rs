//! Checks an answer against its operation's response schema in an OpenAPI 3.0 spec.

use serde_json::{Map, Value, json};

use super::Mismatch;

/// The documented response for `status`: the exact code, then its class (`2XX`), then `default`.
pub fn response_for(op: &Value, status: u16) -> Option<&Value> {
    let responses = op.get("responses")?.as_object()?;
    let code = status.to_string();
    let class = format!("{}XX", status / 100);
    responses
        .get(&code)
        .or_else(|| responses.iter().find(|(k, _)| k.eq_ignore_ascii_case(&class)).map(|(_, v)| v))
        .or_else(|| responses.get("default"))
}

/// The JSON schema of a documented response, `None` when it documents no JSON body.
pub fn json_schema_of(response: &Value) -> Option<&Value> {
    let content = response.get("content")?.as_object()?;
    let media = content
        .iter()
        .find(|(k, _)| k.starts_with("application/json") || k.ends_with("+json"))
        .map(|(_, v)| v)?;
    media.get("schema")
}

/// A validator for `schema`, whose `#/components/schemas/...` refs resolve because it is
/// checked inside a root document that holds the spec's components.
pub struct Checker {
    validator: jsonschema::Validator,
}

impl Checker {
    pub fn new(spec: &Value, schema: &Value) -> Result<Self, String> {
        let schemas: Map<String, Value> = spec["components"]["schemas"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.clone(), to_json_schema(v)))
            .collect();
        let root = json!({"allOf": [to_json_schema(schema)], "components": {"schemas": schemas}});
        // OpenAPI 3.0's schema dialect is draft 4's (boolean exclusiveMinimum and all); formats
        // such as int64 describe encodings, not checks.
        let validator = jsonschema::draft4::options()
            .should_validate_formats(false)
            .build(&root)
            .map_err(|e| format!("the spec's schema does not compile: {e}"))?;
        Ok(Self { validator })
    }

    /// The first `limit` distinct mismatches of `body`, and how many there are in all. The same
    /// fault in every element of a list counts once, with `like` holding the other places, so
    /// one wrong field in 1000 candles leaves room to show the next fault.
    pub fn check(&self, body: &Value, limit: usize) -> (Vec<Mismatch>, usize) {
        let mut found: Vec<(String, Mismatch)> = Vec::new();
        let mut total = 0;
        for e in self.validator.iter_errors(body) {
            total += 1;
            let m = mismatch(&e);
            let key = format!("{} {}", without_indices(&m.path), m.expected);
            if let Some((_, first)) = found.iter_mut().find(|(k, _)| *k == key) {
                first.like += 1;
            } else if found.len() < 64 {
                // Bounded, so a body of a million distinct faults stays cheap to count.
                found.push((key, m));
            }
        }
        (found.into_iter().take(limit).map(|(_, m)| m).collect(), total)
    }
}

/// `$[3].positions[0].price` -> `$[].positions[].price`.
fn without_indices(path: &str) -> String {
    let mut out = String::new();
    let mut in_index = false;
    for c in path.chars() {
        match c {
            '[' => in_index = true,
            ']' => {
                in_index = false;
                out.push_str("[]");
            }
            _ if !in_index => out.push(c),
            _ => {}
        }
    }
    out
}

fn mismatch(e: &jsonschema::ValidationError) -> Mismatch {
    use jsonschema::error::{TypeKind, ValidationErrorKind as K};
    let path = json_path(e.instance_path().as_str());
    let got = truncate(&e.instance().to_string(), 60);
    match e.kind() {
        K::Type { kind: TypeKind::Single(t) } => Mismatch { path, expected: t.to_string(), got, like: 0 },
        K::Type { kind: TypeKind::Multiple(ts) } => Mismatch {
            path,
            expected: ts.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(" or "),
            got,
            like: 0,
        },
        K::Required { property } => Mismatch {
            path: format!("{path}.{}", property.as_str().unwrap_or("?")),
            expected: "a value (required)".into(),
            got: "missing".into(),
            like: 0,
        },
        K::Enum { options } => {
            Mismatch { path, expected: truncate(&format!("one of {options}"), 60), got, like: 0 }
        }
        _ => Mismatch { path, expected: truncate(&e.masked().to_string(), 60), got, like: 0 },
    }
}

/// `/positions/0/price` -> `$.positions[0].price`.
pub fn json_path(pointer: &str) -> String {
    let mut out = String::from("$");
    for seg in pointer.split('/').skip(1) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{seg}]"));
        } else {
            out.push('.');
            out.push_str(&seg);
        }
    }
    out
}

/// At most `max` characters, on one line.
pub fn truncate(s: &str, max: usize) -> String {
    let one_line: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    match one_line.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &one_line[..at]),
        None => one_line,
    }
}

/// An OpenAPI 3.0 schema as JSON Schema draft 4: `nullable: true` becomes a type union (or an
/// `anyOf` with null when there is no type), and `example` goes. Only schema positions are
/// rewritten, so a property that happens to be called `nullable` keeps its name.
pub fn to_json_schema(schema: &Value) -> Value {
    let Some(obj) = schema.as_object() else { return schema.clone() };
    let mut out = Map::new();
    for (k, v) in obj {
        let v = match k.as_str() {
            "properties" | "patternProperties" | "definitions" => Value::Object(
                v.as_object()
                    .into_iter()
                    .flatten()
                    .map(|(name, s)| (name.clone(), to_json_schema(s)))
                    .collect(),
            ),
            "items" | "additionalProperties" | "not" | "additionalItems" => to_json_schema(v),
            "allOf" | "anyOf" | "oneOf" => {
                Value::Array(v.as_array().into_iter().flatten().map(to_json_schema).collect())
            }
            "nullable" | "example" | "discriminator" | "xml" | "externalDocs" => continue,
            _ => v.clone(),
        };
        out.insert(k.clone(), v);
    }
    if obj.get("nullable") != Some(&Value::Bool(true)) {
        return Value::Object(out);
    }
    if let Some(Value::Array(values)) = out.get_mut("enum")
        && !values.contains(&Value::Null)
    {
        values.push(Value::Null);
    }
    match out.get("type").cloned() {
        Some(Value::String(t)) => {
            out.insert("type".into(), json!([t, "null"]));
            Value::Object(out)
        }
        _ => json!({"anyOf": [Value::Object(out), {"type": "null"}]}),
    }
}
