//! What changed between two OpenAPI 3.0 documents, each change classed by whether a client
//! built from the old one can still talk to a server that serves the new one.
//!
//! Which way a change breaks depends on who reads the value. The client writes parameters and
//! request bodies, so there the new spec may accept more (a field turning optional, an enum
//! value added) but not less. The client reads responses, so there the new spec may promise
//! more but not less: a response field removed, turning optional or nullable, or a response
//! enum gaining a value the client's decoder has never heard of, all break it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Class {
    Breaking,
    Additive,
}

/// One change: the operation it concerns (`GET /user/profile`) and what changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub class: Class,
    pub operation: String,
    pub what: String,
}

/// Who writes a value, which decides which way a change to its schema breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Request,
    Response,
}

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// `$ref` chains longer than this are taken as broken rather than followed forever.
const MAX_REF_HOPS: usize = 16;

/// Every change from `old` to `new`, breaking ones first. Descriptions, examples, summaries and
/// validation bounds are not compared.
pub fn diff(old: &Value, new: &Value) -> Vec<Change> {
    let (old_ops, new_ops) = (operations(old), operations(new));
    let mut d = Diff { old, new, changes: Vec::new(), operation: String::new(), refs: Vec::new() };
    for (key, o) in &old_ops {
        d.operation = o.label();
        match new_ops.get(key) {
            None => d.push(Class::Breaking, "operation removed".into()),
            Some(n) => d.compare_operations(o, n),
        }
    }
    for (key, n) in &new_ops {
        if !old_ops.contains_key(key) {
            d.operation = n.label();
            d.push(Class::Additive, "operation added".into());
        }
    }
    d.changes.sort_by_key(|c| c.class);
    d.changes
}

/// The report `cargo xtask fetch` prints: one line per change, or one line saying there is none.
pub fn render(
    changes: &[Change],
    old_name: &str,
    new_name: &str,
    identical: bool,
    operations: usize,
) -> String {
    if changes.is_empty() {
        let detail = if identical { "" } else { "; only descriptions, examples or bounds differ" };
        return format!(
            "no changes: {new_name} serves the API of {old_name} ({operations} operations{detail})\n"
        );
    }
    let breaking = changes.iter().filter(|c| c.class == Class::Breaking).count();
    let mut out = format!(
        "changes from {old_name} to {new_name}: {breaking} breaking, {} additive\n",
        changes.len() - breaking
    );
    let width = changes.iter().map(|c| c.operation.len()).max().unwrap_or(0);
    for c in changes {
        let class = match c.class {
            Class::Breaking => "breaking",
            Class::Additive => "additive",
        };
        let _ = writeln!(out, "  {class}  {:width$}  {}", c.operation, c.what);
    }
    out
}

/// How many operations a spec has, for the "no changes" line.
pub fn operation_count(spec: &Value) -> usize {
    operations(spec).len()
}

struct Operation<'a> {
    method: &'a str,
    path: &'a str,
    item: &'a Value,
    op: &'a Value,
}

impl Operation<'_> {
    fn label(&self) -> String {
        format!("{} {}", self.method.to_uppercase(), self.path)
    }
}

/// Operations keyed by method and path with the parameter names blanked: renaming a path
/// parameter changes nothing on the wire.
fn operations(spec: &Value) -> BTreeMap<(String, String), Operation<'_>> {
    let mut out = BTreeMap::new();
    for (path, item) in spec["paths"].as_object().into_iter().flatten() {
        let item = resolve(spec, item);
        for method in METHODS {
            if let Some(op) = item.get(method).filter(|op| op.is_object()) {
                out.insert((method.to_owned(), blank_params(path)), Operation { method, path, item, op });
            }
        }
    }
    out
}

fn blank_params(path: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' => in_param = false,
            _ if !in_param => out.push(c),
            _ => {}
        }
    }
    out
}

/// Follows local `$ref`s (`#/components/...`); a dangling or remote one is left as it is.
fn resolve<'a>(doc: &'a Value, mut v: &'a Value) -> &'a Value {
    for _ in 0..MAX_REF_HOPS {
        match v
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|p| doc.pointer(p))
        {
            Some(target) => v = target,
            None => break,
        }
    }
    v
}

struct Diff<'a> {
    old: &'a Value,
    new: &'a Value,
    changes: Vec<Change>,
    operation: String,
    /// The (old, new) `$ref` pairs being compared, so a recursive schema is walked once.
    refs: Vec<(String, String)>,
}

impl Diff<'_> {
    fn push(&mut self, class: Class, what: String) {
        self.changes.push(Change { class, operation: self.operation.clone(), what });
    }

    /// A change whose class depends on the side: `request` is its class when the client writes.
    fn push_sided(&mut self, side: Side, request: Class, what: String) {
        let class = match (side, request) {
            (Side::Request, c) => c,
            (Side::Response, Class::Breaking) => Class::Additive,
            (Side::Response, Class::Additive) => Class::Breaking,
        };
        self.push(class, what);
    }

    fn compare_operations(&mut self, o: &Operation, n: &Operation) {
        let (old_auth, new_auth) = (needs_auth(self.old, o.op), needs_auth(self.new, n.op));
        if old_auth != new_auth {
            let (class, what) = if new_auth {
                (Class::Breaking, "now requires authentication")
            } else {
                (Class::Additive, "no longer requires authentication")
            };
            self.push(class, what.into());
        }
        self.compare_parameters(o, n);
        self.compare_request_bodies(o.op.get("requestBody"), n.op.get("requestBody"));
        self.compare_responses(&o.op["responses"], &n.op["responses"]);
    }

    fn compare_parameters(&mut self, o: &Operation, n: &Operation) {
        let (old, new) = (parameters(self.old, o), parameters(self.new, n));
        for (key, op) in &old {
            let loc = format!("{} parameter `{}`", key.0, str_of(&op["name"]));
            let Some(np) = new.get(key) else {
                // The client still sends it, and a server that whitelists its inputs refuses it.
                self.push(Class::Breaking, format!("{loc}: removed"));
                continue;
            };
            let loc = format!("{} parameter `{}`", key.0, str_of(&np["name"]));
            match (required(op), required(np)) {
                (false, true) => self.push(Class::Breaking, format!("{loc}: became required")),
                (true, false) => self.push(Class::Additive, format!("{loc}: became optional")),
                _ => {}
            }
            self.compare_schemas(&op["schema"], &np["schema"], Side::Request, &loc, "");
        }
        for (key, np) in &new {
            if !old.contains_key(key) {
                let loc = format!("{} parameter `{}`", key.0, str_of(&np["name"]));
                if required(np) {
                    self.push(Class::Breaking, format!("{loc}: added, required"));
                } else {
                    self.push(Class::Additive, format!("{loc}: added, optional"));
                }
            }
        }
    }

    fn compare_request_bodies(&mut self, old: Option<&Value>, new: Option<&Value>) {
        let old = old.map(|b| resolve(self.old, b));
        let new = new.map(|b| resolve(self.new, b));
        match (old, new) {
            (None, None) => {}
            (Some(_), None) => self.push(Class::Breaking, "request body: removed".into()),
            (None, Some(n)) => match required(n) {
                true => self.push(Class::Breaking, "request body: added, required".into()),
                false => self.push(Class::Additive, "request body: added, optional".into()),
            },
            (Some(o), Some(n)) => {
                match (required(o), required(n)) {
                    (false, true) => self.push(Class::Breaking, "request body: became required".into()),
                    (true, false) => self.push(Class::Additive, "request body: became optional".into()),
                    _ => {}
                }
                if let (Some(os), Some(ns)) = (media_schema(o), media_schema(n)) {
                    self.compare_schemas(os, ns, Side::Request, "request body", "");
                }
            }
        }
    }

    fn compare_responses(&mut self, old: &Value, new: &Value) {
        let empty = Map::new();
        let old = old.as_object().unwrap_or(&empty);
        let new = new.as_object().unwrap_or(&empty);
        for (code, o) in old {
            let success = code.starts_with('2');
            let Some(n) = new.get(code) else {
                // The client checks the success status; an error status it was told of is only
                // documentation.
                let class = if success { Class::Breaking } else { Class::Additive };
                self.push(class, format!("response {code}: no longer documented"));
                continue;
            };
            let loc = format!("response {code}");
            match (media_schema(resolve(self.old, o)), media_schema(resolve(self.new, n))) {
                (Some(os), Some(ns)) => self.compare_schemas(os, ns, Side::Response, &loc, ""),
                (None, Some(_)) => self.push(Class::Additive, format!("{loc}: body schema documented")),
                (Some(_), None) => {
                    self.push(Class::Breaking, format!("{loc}: body schema no longer documented"))
                }
                (None, None) => {}
            }
        }
        for code in new.keys().filter(|c| !old.contains_key(*c)) {
            self.push(Class::Additive, format!("response {code}: added"));
        }
    }

    /// Compares two schemas at `loc` (`request body`), `field` being the path inside it.
    fn compare_schemas(&mut self, old: &Value, new: &Value, side: Side, loc: &str, field: &str) {
        let pair = (ref_of(old), ref_of(new));
        if let (Some(o), Some(n)) = &pair {
            if self.refs.iter().any(|(a, b)| a == o && b == n) {
                return;
            }
            self.refs.push((o.clone(), n.clone()));
        }
        self.compare_views(&view(self.old, old, 0), &view(self.new, new, 0), side, loc, field);
        if let (Some(_), Some(_)) = pair {
            self.refs.pop();
        }
    }

    fn compare_views(&mut self, o: &View, n: &View, side: Side, loc: &str, field: &str) {
        let at = if field.is_empty() { loc.to_owned() } else { format!("{loc} `{field}`") };
        if o.ty != n.ty {
            // integer -> number widens what the writer may send and what the reader must accept.
            let widens = |from: &Option<String>, to: &Option<String>| {
                to.is_none() || (from.as_deref() == Some("integer") && to.as_deref() == Some("number"))
            };
            let ok = match side {
                Side::Request => widens(&o.ty, &n.ty),
                Side::Response => widens(&n.ty, &o.ty),
            };
            let class = if ok { Class::Additive } else { Class::Breaking };
            self.push(class, format!("{at}: type {} -> {}", type_name(&o.ty), type_name(&n.ty)));
            return;
        }
        match (o.nullable, n.nullable) {
            (true, false) => self.push_sided(side, Class::Breaking, format!("{at}: no longer nullable")),
            (false, true) => self.push_sided(side, Class::Additive, format!("{at}: now nullable")),
            _ => {}
        }
        self.compare_enums(o, n, side, &at);
        for (name, os) in &o.properties {
            let path = join(field, name);
            let Some(ns) = n.properties.get(name) else {
                self.push(Class::Breaking, format!("{loc} `{path}`: removed"));
                continue;
            };
            match (o.required.contains(name), n.required.contains(name)) {
                (false, true) => {
                    self.push_sided(side, Class::Breaking, format!("{loc} `{path}`: became required"))
                }
                (true, false) => {
                    self.push_sided(side, Class::Additive, format!("{loc} `{path}`: became optional"))
                }
                _ => {}
            }
            self.compare_schemas(os, ns, side, loc, &path);
        }
        for name in n.properties.keys().filter(|k| !o.properties.contains_key(*k)) {
            let path = join(field, name);
            if side == Side::Request && n.required.contains(name) {
                self.push(Class::Breaking, format!("{loc} `{path}`: added, required"));
            } else {
                self.push(Class::Additive, format!("{loc} `{path}`: added"));
            }
        }
        if let (Some(oi), Some(ni)) = (&o.items, &n.items) {
            self.compare_schemas(oi, ni, side, loc, &format!("{field}[]"));
        }
        if let (Some(oa), Some(na)) = (&o.additional, &n.additional) {
            self.compare_schemas(oa, na, side, loc, &format!("{field}{{*}}"));
        }
        for (i, (oa, na)) in o.alternatives.iter().zip(&n.alternatives).enumerate() {
            self.compare_schemas(oa, na, side, loc, &format!("{field}<{}>", i + 1));
        }
        let (ol, nl) = (o.alternatives.len(), n.alternatives.len());
        if nl > ol {
            self.push_sided(side, Class::Additive, format!("{at}: {} alternative(s) added", nl - ol));
        } else if nl < ol {
            self.push_sided(side, Class::Breaking, format!("{at}: {} alternative(s) removed", ol - nl));
        }
    }

    fn compare_enums(&mut self, o: &View, n: &View, side: Side, at: &str) {
        match (&o.enumeration, &n.enumeration) {
            (None, None) => {}
            (None, Some(values)) => {
                self.push_sided(side, Class::Breaking, format!("{at}: now restricted to {}", list(values)))
            }
            (Some(_), None) => self.push_sided(side, Class::Additive, format!("{at}: no longer an enum")),
            (Some(ov), Some(nv)) => {
                for v in ov.iter().filter(|v| !nv.contains(v)) {
                    self.push_sided(side, Class::Breaking, format!("{at}: enum value {v} removed"));
                }
                for v in nv.iter().filter(|v| !ov.contains(v)) {
                    self.push_sided(side, Class::Additive, format!("{at}: enum value {v} added"));
                }
            }
        }
    }
}

/// A schema with its `$ref` followed and its `allOf` merged: the parts the diff compares.
#[derive(Default)]
struct View {
    ty: Option<String>,
    nullable: bool,
    enumeration: Option<Vec<Value>>,
    properties: BTreeMap<String, Value>,
    required: BTreeSet<String>,
    items: Option<Value>,
    additional: Option<Value>,
    alternatives: Vec<Value>,
}

fn view(doc: &Value, schema: &Value, depth: usize) -> View {
    let s = resolve(doc, schema);
    let mut v = View {
        ty: s.get("type").and_then(Value::as_str).map(str::to_owned),
        nullable: s.get("nullable") == Some(&Value::Bool(true)),
        enumeration: s.get("enum").and_then(Value::as_array).cloned(),
        properties: s
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        required: s
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        items: s.get("items").cloned(),
        additional: s.get("additionalProperties").filter(|a| a.is_object()).cloned(),
        alternatives: ["oneOf", "anyOf"]
            .iter()
            .find_map(|k| s.get(*k).and_then(Value::as_array))
            .cloned()
            .unwrap_or_default(),
    };
    if depth < MAX_REF_HOPS {
        for part in s.get("allOf").and_then(Value::as_array).into_iter().flatten() {
            let p = view(doc, part, depth + 1);
            v.ty = v.ty.or(p.ty);
            v.nullable |= p.nullable;
            v.enumeration = v.enumeration.or(p.enumeration);
            v.properties.extend(p.properties);
            v.required.extend(p.required);
            v.items = v.items.or(p.items);
            v.additional = v.additional.or(p.additional);
        }
    }
    if v.ty.is_none() && !v.properties.is_empty() {
        v.ty = Some("object".into());
    }
    if v.ty.is_none() && v.items.is_some() {
        v.ty = Some("array".into());
    }
    v
}

/// An operation's parameters, path-item ones first so the operation's own override them.
/// Path parameters are keyed by position: their names are not on the wire.
fn parameters<'a>(doc: &'a Value, o: &Operation<'a>) -> BTreeMap<(String, String), &'a Value> {
    let positions: Vec<&str> = o.path.split('{').skip(1).filter_map(|s| s.split('}').next()).collect();
    let mut out = BTreeMap::new();
    for list in [&o.item["parameters"], &o.op["parameters"]] {
        for p in list.as_array().into_iter().flatten() {
            let p = resolve(doc, p);
            let (place, name) = (str_of(&p["in"]), str_of(&p["name"]));
            let key = match positions.iter().position(|n| *n == name) {
                Some(i) if place == "path" => format!("#{i}"),
                _ => name.to_owned(),
            };
            out.insert((place.to_owned(), key), p);
        }
    }
    out
}

/// Whether an operation needs credentials: its own `security`, else the document's.
pub fn needs_auth(doc: &Value, op: &Value) -> bool {
    let security = op.get("security").or_else(|| doc.get("security"));
    // `[{}]` is "anonymous allowed", as is an empty list.
    security.and_then(Value::as_array).is_some_and(|alts| {
        !alts.is_empty() && alts.iter().all(|a| a.as_object().is_some_and(|m| !m.is_empty()))
    })
}

/// The schema of a request body or response: its JSON media type's, else its first one's.
fn media_schema(v: &Value) -> Option<&Value> {
    let content = v.get("content")?.as_object()?;
    let media = content.get("application/json").or_else(|| content.values().next())?;
    media.get("schema")
}

fn required(v: &Value) -> bool {
    v.get("required") == Some(&Value::Bool(true)) || v.get("in").and_then(Value::as_str) == Some("path")
}

fn ref_of(v: &Value) -> Option<String> {
    v.get("$ref").and_then(Value::as_str).map(str::to_owned)
}

fn str_of(v: &Value) -> &str {
    v.as_str().unwrap_or("?")
}

fn type_name(ty: &Option<String>) -> &str {
    ty.as_deref().unwrap_or("any")
}

fn join(field: &str, name: &str) -> String {
    if field.is_empty() { name.to_owned() } else { format!("{field}.{name}") }
}

fn list(values: &[Value]) -> String {
    values.iter().map(Value::to_string).collect::<Vec<_>>().join(", ")
}
