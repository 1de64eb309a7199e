//! The one model every generator renders: operations, their inputs and answers, the shapes and
//! enums of the API, its assets, and each one's docs, built once from `openapi/alura.json`.
//!
//! Generators never walk the spec themselves, so a name, a type or a doc line is decided here
//! once and reads the same in Rust, Python, TypeScript and the simulator.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value};

/// The API as the generators see it.
pub struct Model {
    /// In the spec's order (paths, then methods).
    pub operations: Vec<Operation>,
    /// `components.schemas`, by name.
    pub shapes: Vec<Shape>,
    /// Every enum, by the alias all languages give it.
    pub enums: BTreeMap<String, Vec<String>>,
    /// The perps, from the overlay's `x-assets`.
    pub assets: Vec<Asset>,
}

pub struct Operation {
    /// snake_case, as the spec's `operationId` has it.
    pub id: String,
    /// `GET`, `POST`, ...
    pub method: String,
    pub path: String,
    pub tag: String,
    /// The first sentence, without its full stop.
    pub summary: String,
    pub authenticated: bool,
    /// The first 2xx the spec lists: the status the generated client decodes a body for.
    pub success: u16,
    /// Path and query parameters, then body fields, each in the spec's order.
    pub params: Vec<Param>,
    /// The schema of the JSON body, when the operation takes one.
    pub body: Option<Ty>,
    /// The type of the success answer, when it has a JSON body.
    pub returns: Option<Ty>,
    /// Set when the operation pages: a `page`/`limit` pair over a `data` list.
    pub pages: Option<Ty>,
    /// A schema-valid answer, which the simulator serves until a handler is written.
    pub example: Value,
}

impl Operation {
    /// The name of its page iterator: `get_trade_logs` -> `iter_trade_logs`.
    pub fn iterator(&self) -> String {
        format!("iter_{}", self.id.strip_prefix("get_").unwrap_or(&self.id))
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Location {
    Path,
    Query,
    Body,
}

pub struct Param {
    /// As the spec spells it (`tradeId`).
    pub wire: String,
    pub location: Location,
    pub required: bool,
    pub ty: Ty,
    /// The JSON type the value must have (`"integer"`, `"string"`, ...).
    pub kind: &'static str,
    pub bounds: Bounds,
    /// Its enum's values, if it has one.
    pub values: Vec<String>,
    pub doc: Option<String>,
}

#[derive(Default)]
pub struct Bounds {
    pub minimum: Option<f64>,
    pub exclusive_minimum: bool,
    pub maximum: Option<f64>,
    pub exclusive_maximum: bool,
}

pub struct Shape {
    pub name: String,
    /// The schema's description, or where the API uses it.
    pub doc: String,
    pub fields: Vec<ShapeField>,
}

pub struct ShapeField {
    pub name: String,
    pub ty: Ty,
    pub required: bool,
    pub doc: Option<String>,
}

pub struct Asset {
    pub symbol: String,
    pub index: u32,
    pub name: String,
    /// A plausible USD price, for the simulator's made-up market.
    pub reference_price: f64,
}

/// A type, before any language names it.
#[derive(Clone, PartialEq)]
pub enum Ty {
    /// A `components.schemas` entry.
    Shape(String),
    /// An alias in [`Model::enums`].
    Enum(String),
    String,
    Integer,
    Number,
    /// A number the spec marks `format: decimal`: money, read and written exactly.
    Decimal,
    Boolean,
    Array(Box<Ty>),
    /// An object with no declared fields.
    Object,
    Any,
    Union(Vec<Ty>),
    Nullable(Box<Ty>),
}

impl Model {
    /// Whether a value of type `ty` holds money at any depth: a field named in
    /// [`Model::decimal_fields`].
    pub fn holds_money(&self, ty: &Ty) -> bool {
        let names = self.decimal_fields();
        let mut seen = std::collections::BTreeSet::new();
        self.reaches_money(ty, &names, &mut seen)
    }

    fn reaches_money<'a>(&'a self, ty: &'a Ty, names: &[&str], seen: &mut BTreeSet<&'a str>) -> bool {
        match ty {
            Ty::Shape(name) => {
                if !seen.insert(name) {
                    return false;
                }
                let Some(shape) = self.shapes.iter().find(|s| s.name == *name) else { return false };
                shape
                    .fields
                    .iter()
                    .any(|f| names.contains(&f.name.as_str()) || self.reaches_money(&f.ty, names, seen))
            }
            Ty::Array(item) | Ty::Nullable(item) => self.reaches_money(item, names, seen),
            Ty::Union(options) => options.iter().any(|o| self.reaches_money(o, names, seen)),
            _ => false,
        }
    }

    /// The names of the fields that hold decimals, sorted: a binding that turns JSON into its
    /// own objects by field name makes these exact (Python's `decimal.Decimal`). A name that is
    /// a decimal in one shape and something else in another (`total`: money in one answer, a
    /// count of rows in a page) is left out, as a name alone cannot tell them apart.
    pub fn decimal_fields(&self) -> Vec<&str> {
        let decimal = |ty: &Ty| {
            matches!(ty, Ty::Decimal) || matches!(ty, Ty::Nullable(inner) if **inner == Ty::Decimal)
        };
        let fields: Vec<_> = self.shapes.iter().flat_map(|s| &s.fields).collect();
        let mut names: Vec<&str> = fields
            .iter()
            .filter(|f| decimal(&f.ty))
            .map(|f| f.name.as_str())
            .filter(|name| fields.iter().all(|g| g.name != *name || decimal(&g.ty)))
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    /// Builds the model from the normalised spec.
    pub fn build(spec: &Value) -> Result<Model> {
        let mut enums = Enums::default();
        let components = spec["components"]["schemas"].as_object().context("components.schemas")?;
        let global_auth = spec["security"].as_array().is_some_and(|s| !s.is_empty());
        let mut operations = Vec::new();
        for (path, item) in spec["paths"].as_object().context("paths")? {
            for (method, op) in item.as_object().context("a path item is an object")? {
                let Some(id) = op["operationId"].as_str() else { continue };
                operations.push(operation(spec, path, method, op, id, global_auth, &mut enums)?);
            }
        }
        let uses = uses(&operations, components);
        let mut shapes = Vec::new();
        for (name, schema) in components {
            let required = names(&schema["required"]);
            let mut fields = Vec::new();
            for (field, s) in schema["properties"].as_object().into_iter().flatten() {
                fields.push(ShapeField {
                    name: field.clone(),
                    ty: ty(s, field, &mut enums),
                    required: required.contains(field),
                    doc: doc(s, s["description"].as_str()),
                });
            }
            let doc = match schema["description"].as_str() {
                Some(d) => sentence(d),
                None => uses.get(name.as_str()).cloned().unwrap_or_else(|| format!("The {name} shape.")),
            };
            shapes.push(Shape { name: name.clone(), doc, fields });
        }
        if let Some(name) = enums.1.first() {
            bail!("the enum {name} has no string values; only string enums become Literal/union types");
        }
        if let Some(name) = enums.0.keys().find(|n| components.contains_key(n.as_str())) {
            bail!("the enum alias {name} is also a schema name; rename the field or the schema");
        }
        let assets = assets(spec)?;
        check_described_assets(components, &assets)?;
        Ok(Model { operations, shapes, enums: enums.0, assets })
    }
}

fn operation(
    spec: &Value,
    path: &str,
    method: &str,
    op: &Value,
    id: &str,
    global_auth: bool,
    enums: &mut Enums,
) -> Result<Operation> {
    let mut params = Vec::new();
    for p in op["parameters"].as_array().into_iter().flatten() {
        let wire = p["name"].as_str().context("a parameter has a name")?;
        let location = match p["in"].as_str() {
            Some("path") => Location::Path,
            Some("query") => Location::Query,
            other => {
                bail!("{id}: parameter {wire} is in {other:?}; the SDK sends only path and query parameters")
            }
        };
        let schema = resolve(spec, &p["schema"]);
        params.push(param(wire, location, p["required"] == true, &p["schema"], schema, p, enums));
    }
    let body_schema = &op["requestBody"]["content"]["application/json"]["schema"];
    let body = body_schema.is_object().then(|| ty(body_schema, &format!("{id}_body"), enums));
    let resolved = resolve(spec, body_schema);
    let required = names(&resolved["required"]);
    for (wire, schema) in resolved["properties"].as_object().into_iter().flatten() {
        if params.iter().any(|p| p.wire == *wire) {
            bail!("{id}: body field {wire} has the name of a parameter; call arguments would be ambiguous");
        }
        let target = resolve(spec, schema);
        params.push(param(wire, Location::Body, required.contains(wire), schema, target, schema, enums));
    }
    let (success, answer) = op["responses"]
        .as_object()
        .into_iter()
        .flatten()
        .find_map(|(code, r)| {
            let code = code.parse::<u16>().ok().filter(|c| (200..300).contains(c))?;
            Some((code, &r["content"]["application/json"]["schema"]))
        })
        .with_context(|| format!("{id} lists no 2xx response"))?;
    let returns = answer.is_object().then(|| ty(answer, &format!("{id}_response"), enums));
    let data = &resolve(spec, answer)["properties"]["data"];
    let paged = ["page", "limit"]
        .iter()
        .all(|w| params.iter().any(|p| p.wire == *w && p.location == Location::Query));
    let pages = (paged && data["type"] == "array").then(|| ty(&data["items"], &format!("{id}_item"), enums));
    Ok(Operation {
        id: id.to_owned(),
        method: method.to_uppercase(),
        path: path.to_owned(),
        tag: op["tags"][0].as_str().unwrap_or_default().to_owned(),
        summary: op["summary"].as_str().unwrap_or(id).trim().trim_end_matches('.').to_owned(),
        authenticated: op["security"].as_array().map_or(global_auth, |s| !s.is_empty()),
        success,
        params,
        body,
        returns,
        pages,
        example: if answer.is_object() {
            let value = example(spec, answer, 0);
            check_example(spec, answer, &value, id)?;
            value
        } else {
            Value::Null
        },
    })
}

/// `declared` is the schema as written (maybe a `$ref`), `schema` the one it points at; `owner`
/// the parameter object, whose description wins over its schema's.
fn param(
    wire: &str,
    location: Location,
    required: bool,
    declared: &Value,
    schema: &Value,
    owner: &Value,
    enums: &mut Enums,
) -> Param {
    let description = owner["description"].as_str().or(schema["description"].as_str());
    Param {
        wire: wire.to_owned(),
        location,
        required,
        ty: ty(declared, wire, enums),
        kind: match schema["type"].as_str() {
            Some("integer") => "integer",
            Some("number") => "number",
            Some("boolean") => "boolean",
            Some("array") => "array",
            Some("object") => "object",
            _ => "string",
        },
        bounds: Bounds {
            minimum: schema["minimum"].as_f64(),
            exclusive_minimum: schema["exclusiveMinimum"] == true,
            maximum: schema["maximum"].as_f64(),
            exclusive_maximum: schema["exclusiveMaximum"] == true,
        },
        values: names(&schema["enum"]),
        doc: doc(schema, description),
    }
}

/// The doc line of a field or argument: its description, then its constraints, the same words
/// in every language.
fn doc(schema: &Value, description: Option<&str>) -> Option<String> {
    let mut parts: Vec<String> =
        description.map(|d| d.trim().trim_end_matches('.').to_owned()).into_iter().collect();
    let num = |v: &Value| {
        v.as_f64().map(|n| if n.fract() == 0.0 { format!("{}", n as i64) } else { n.to_string() })
    };
    if let Some(m) = num(&schema["minimum"]) {
        parts.push(if schema["exclusiveMinimum"] == true {
            format!("greater than {m}")
        } else {
            format!("at least {m}")
        });
    }
    if let Some(m) = num(&schema["maximum"]) {
        parts.push(if schema["exclusiveMaximum"] == true {
            format!("less than {m}")
        } else {
            format!("at most {m}")
        });
    }
    let values: Vec<String> = names(&schema["enum"]).iter().map(|v| format!("{v:?}")).collect();
    if !values.is_empty() {
        parts.push(format!("one of {}", values.join(", ")));
    }
    parts.retain(|p| !p.is_empty());
    let text = parts.join("; ");
    let text = if description.is_some_and(|d| !d.trim().is_empty()) { text } else { capitalised(&text) };
    (!parts.is_empty()).then(|| sentence(&text))
}

/// `text` with one full stop.
fn sentence(text: &str) -> String {
    format!("{}.", text.trim().trim_end_matches('.'))
}

/// Our own words start a sentence with a capital; the spec's are kept as written.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().collect::<String>()).unwrap_or_default() + chars.as_str()
}

/// Where each shape is used, as a doc for shapes the spec does not describe.
fn uses(operations: &[Operation], components: &Map<String, Value>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for op in operations {
        let returned = match &op.returns {
            Some(Ty::Shape(name)) => Some((name, "The answer of")),
            Some(Ty::Array(item)) => match item.as_ref() {
                Ty::Shape(name) => Some((name, "An item of the answer of")),
                _ => None,
            },
            _ => None,
        };
        if let Some((name, what)) = returned {
            out.entry(name.clone()).or_insert_with(|| format!("{what} `{}`.", op.id));
        }
        if let Some(Ty::Shape(name)) = &op.body {
            out.entry(name.clone()).or_insert_with(|| format!("The body of `{}`.", op.id));
        }
    }
    for (owner, schema) in components {
        for (field, s) in schema["properties"].as_object().into_iter().flatten() {
            let target = s["$ref"].as_str().or(s["items"]["$ref"].as_str());
            if let Some(name) = target.and_then(|r| r.rsplit('/').next()) {
                out.entry(name.to_owned()).or_insert_with(|| format!("The `{field}` of a `{owner}`."));
            }
        }
    }
    out
}

/// The language-neutral type of `schema`; `hint` names an enum alias.
fn ty(schema: &Value, hint: &str, enums: &mut Enums) -> Ty {
    if let Some(r) = schema["$ref"].as_str() {
        return Ty::Shape(r.rsplit('/').next().unwrap_or_default().to_owned());
    }
    let base = if let Some(values) = schema["enum"].as_array() {
        Ty::Enum(enums.alias(&pascal(&snake(hint)), values))
    } else if let Some(options) = schema["oneOf"].as_array() {
        Ty::Union(options.iter().map(|o| ty(o, hint, enums)).collect())
    } else {
        match schema["type"].as_str() {
            Some("string") => Ty::String,
            Some("integer") => Ty::Integer,
            Some("number") if schema["format"] == "decimal" => Ty::Decimal,
            Some("number") => Ty::Number,
            Some("boolean") => Ty::Boolean,
            Some("array") => Ty::Array(Box::new(ty(&schema["items"], hint, enums))),
            Some("object") => Ty::Object,
            _ => Ty::Any,
        }
    };
    if schema["nullable"] == true { Ty::Nullable(Box::new(base)) } else { base }
}

/// Literal aliases by name, so every enum in the spec has one readable type; the same values
/// under the same preferred name share one alias.
#[derive(Default)]
struct Enums(BTreeMap<String, Vec<String>>, Vec<String>);

impl Enums {
    fn alias(&mut self, preferred: &str, values: &[Value]) -> String {
        let values: Vec<String> = values.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect();
        if values.is_empty() {
            self.1.push(preferred.to_owned());
        }
        let mut name = preferred.to_owned();
        let mut n = 2;
        while let Some(existing) = self.0.get(&name) {
            if *existing == values {
                return name;
            }
            name = format!("{preferred}{n}");
            n += 1;
        }
        self.0.insert(name.clone(), values);
        name
    }
}

/// The perps, from the document's `x-assets` list (symbol, index, name, referencePrice).
fn assets(spec: &Value) -> Result<Vec<Asset>> {
    let mut out = Vec::new();
    for a in spec["x-assets"].as_array().context("the spec has no x-assets list")? {
        let symbol = a["symbol"].as_str().context("an x-assets entry has a symbol")?.to_owned();
        let mut chars = symbol.chars();
        let identifier = chars.next().is_some_and(|c| c.is_ascii_uppercase())
            && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        if !identifier {
            bail!(
                "asset symbol {symbol:?} must be upper-case letters and digits, starting with a letter: it names an enum member in every language"
            );
        }
        let index = a["index"].as_u64().and_then(|i| u32::try_from(i).ok());
        let asset = Asset {
            index: index.with_context(|| format!("asset {symbol} has no index"))?,
            name: a["name"].as_str().with_context(|| format!("asset {symbol} has no name"))?.to_owned(),
            reference_price: a["referencePrice"]
                .as_f64()
                .with_context(|| format!("asset {symbol} has no referencePrice"))?,
            symbol,
        };
        out.push(asset);
    }
    let indexes: BTreeSet<u32> = out.iter().map(|a| a.index).collect();
    if indexes.len() != out.len() || out.iter().enumerate().any(|(i, a)| a.index as usize != i) {
        bail!("x-assets must list indexes 0, 1, 2, ... in order, once each");
    }
    Ok(out)
}

/// The served spec names the assets only in prose ("0=BTC, 1=ETH, 2=SOL…"); every pair it
/// names must be in the overlay's list, so an asset added or moved upstream stops generation.
/// Prose may name only the first few ("etc."), which is no conflict.
fn check_described_assets(components: &Map<String, Value>, assets: &[Asset]) -> Result<()> {
    let listed: Vec<String> = assets.iter().map(|a| format!("{}={}", a.index, a.symbol)).collect();
    for (name, schema) in components {
        let Some(description) = schema["properties"]["assetIndex"]["description"].as_str() else { continue };
        let described: Vec<String> = description
            .split([',', ':', ' '])
            .filter(|w| w.split_once('=').is_some_and(|(i, _)| i.parse::<u32>().is_ok()))
            .map(|w| w.trim_end_matches(|c: char| !c.is_ascii_alphanumeric()).to_owned())
            .collect();
        if described.iter().any(|pair| !listed.contains(pair)) {
            bail!("{name}.assetIndex lists {described:?} but the overlay's x-assets lists {listed:?}");
        }
    }
    Ok(())
}

/// A value `schema` accepts: its `example` when it has one, else one built from its type, bounds
/// and lengths. Optional fields are filled too, so a simulator answer shows every field.
/// [`Model::build`] checks every answer example against its schema, so a shape this does not
/// handle stops generation instead of reaching the simulator.
pub fn example(spec: &Value, schema: &Value, depth: usize) -> Value {
    let schema = resolve(spec, schema);
    if let Some(e) = schema.get("example") {
        return e.clone();
    }
    if let Some(first) = schema["enum"].as_array().and_then(|v| v.first()) {
        return first.clone();
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(first) = schema[key].as_array().and_then(|v| v.first()) {
            return example(spec, first, depth);
        }
    }
    match schema["type"].as_str() {
        Some("integer") => number(schema, 1.0, true),
        Some("number") => number(schema, 1.5, false),
        Some("boolean") => Value::Bool(true),
        Some("string") => {
            let text = match schema["format"].as_str() {
                Some("date-time") => "2026-01-01T00:00:00.000Z".to_owned(),
                Some("date") => "2026-01-01".to_owned(),
                Some("uuid") => "00000000-0000-4000-8000-000000000000".to_owned(),
                _ => {
                    let min = schema["minLength"].as_u64().unwrap_or(0) as usize;
                    let max = schema["maxLength"].as_u64().map_or(usize::MAX, |m| m as usize);
                    "string".repeat(min / 6 + 1).chars().take(max.max(min)).collect::<String>()
                }
            };
            Value::String(text)
        }
        Some("array") => {
            let count = schema["minItems"].as_u64().unwrap_or(1).max(u64::from(depth < 6));
            Value::Array((0..count).map(|_| example(spec, &schema["items"], depth + 1)).collect())
        }
        _ => {
            let required = names(&schema["required"]);
            let mut object = Map::new();
            for (name, field) in schema["properties"].as_object().into_iter().flatten() {
                if depth < 6 || required.contains(name) {
                    object.insert(name.clone(), example(spec, field, depth + 1));
                }
            }
            Value::Object(object)
        }
    }
}

/// A number inside the schema's bounds (both may be exclusive), near `fallback`.
fn number(schema: &Value, fallback: f64, whole: bool) -> Value {
    let step = if whole { 1.0 } else { 0.5 };
    let min =
        schema["minimum"].as_f64().map(|m| if schema["exclusiveMinimum"] == true { m + step } else { m });
    let max =
        schema["maximum"].as_f64().map(|m| if schema["exclusiveMaximum"] == true { m - step } else { m });
    let mut n = fallback;
    if let Some(max) = max {
        n = n.min(max);
    }
    if let Some(min) = min {
        n = n.max(min);
    }
    if whole {
        let n = if min.is_some_and(|m| n.ceil() >= m) { n.ceil() } else { n.floor() };
        Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}

/// Fails when `value` does not validate against the OpenAPI 3.0 `schema` of `spec`.
fn check_example(spec: &Value, schema: &Value, value: &Value, what: &str) -> Result<()> {
    let root = serde_json::json!({"allOf": [draft4(schema)], "components": draft4(&spec["components"])});
    let validator = jsonschema::draft4::new(&root).map_err(|e| anyhow::anyhow!("{what}: bad schema: {e}"))?;
    let errors: Vec<String> =
        validator.iter_errors(value).map(|e| format!("{e} at {}", e.instance_path())).collect();
    if !errors.is_empty() {
        bail!(
            "{what}: the generated example {value} does not match its schema: {errors:?}; teach model::example this shape or give the schema an `example`"
        );
    }
    Ok(())
}

/// OpenAPI 3.0's schema dialect as JSON Schema draft 4: `nullable` becomes a `null` type.
fn draft4(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut out: Map<String, Value> = m.iter().map(|(k, v)| (k.clone(), draft4(v))).collect();
            if out.remove("nullable") == Some(Value::Bool(true))
                && let Some(t) = out.get("type").cloned()
            {
                out.insert("type".into(), serde_json::json!([t, "null"]));
            }
            out.remove("example");
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(draft4).collect()),
        other => other.clone(),
    }
}

/// A local `$ref` followed to its target; anything else as it is.
pub fn resolve<'a>(spec: &'a Value, mut schema: &'a Value) -> &'a Value {
    // A few hops at most: a chain longer than that is a cycle.
    for _ in 0..8 {
        match schema["$ref"].as_str().and_then(|r| r.strip_prefix('#')) {
            Some(pointer) => schema = spec.pointer(pointer).unwrap_or(&Value::Null),
            None => return schema,
        }
    }
    &Value::Null
}

fn names(list: &Value) -> Vec<String> {
    list.as_array().into_iter().flatten().filter_map(|v| v.as_str().map(str::to_owned)).collect()
}

/// progenitor's names: `get_trade_logs` -> `GetTradeLogs`.
pub fn pascal(snake: &str) -> String {
    snake.split('_').filter(|w| !w.is_empty()).map(|w| w[..1].to_uppercase() + &w[1..]).collect()
}

/// `tradeId` -> `trade_id`, as progenitor names setters and Python names arguments.
pub fn snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c == '-' || c == ' ' {
            out.push('_');
        } else {
            out.push(c);
        }
    }
    out
}

/// `get_trade_logs` -> `getTradeLogs`.
pub fn camel(snake_name: &str) -> String {
    let p = pascal(snake_name);
    p[..1].to_lowercase() + &p[1..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_each_case() {
        assert_eq!(pascal("get_trade_logs"), "GetTradeLogs");
        assert_eq!(camel("get_trade_logs"), "getTradeLogs");
        assert_eq!(snake("tradeId"), "trade_id");
        assert_eq!(snake("startTime"), "start_time");
        assert_eq!(snake("symbol"), "symbol");
    }

    #[test]
    fn examples_keep_inside_every_bound_and_length() {
        let spec = serde_json::json!({});
        let cases = [
            serde_json::json!({"type": "integer", "minimum": 0, "maximum": 1, "exclusiveMaximum": true}),
            serde_json::json!({"type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 0.75}),
            serde_json::json!({"type": "integer", "minimum": 1.5}),
            serde_json::json!({"type": "string", "minLength": 20, "maxLength": 25}),
            serde_json::json!({"type": "array", "items": {"type": "integer", "minimum": 3}, "minItems": 2}),
            serde_json::json!({"anyOf": [{"type": "string", "format": "uuid"}, {"type": "null"}]}),
        ];
        for schema in cases {
            let value = example(&spec, &schema, 0);
            check_example(&spec, &schema, &value, "case").unwrap();
        }
        let odd = serde_json::json!({"type": "string", "pattern": "^0x[0-9a-f]{40}$"});
        assert!(check_example(&spec, &odd, &example(&spec, &odd, 0), "pattern").is_err(), "a miss stops gen");
    }

    #[test]
    fn docs_carry_every_bound_and_value() {
        let schema = serde_json::json!({"minimum": 0, "exclusiveMinimum": true, "maximum": 100, "exclusiveMaximum": true, "enum": ["a", "b"]});
        assert_eq!(
            doc(&schema, Some("The share.")).as_deref(),
            Some("The share; greater than 0; less than 100; one of \"a\", \"b\".")
        );
        assert_eq!(doc(&serde_json::json!({}), None), None);
    }
}
