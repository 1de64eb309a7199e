//! The API reference of each language, from the model: `docs/api/python.md`, `docs/api/node.md`
//! and `docs/api/rust.md`. Every operation as that language calls it, its arguments (as that
//! language names and types them), its result type, and the errors it can raise, grouped by the
//! spec's tags, as openai-python's `api.md` is.

use std::collections::BTreeMap;
use std::fmt::Write;

use anyhow::Result;

use crate::generate::model::{Location, Model, Operation, Ty, camel};
use crate::{generate::node, generate::python};

/// One language's way of writing the reference.
#[derive(Clone, Copy, PartialEq)]
pub enum Language {
    Python,
    Node,
    Rust,
}

impl Language {
    fn title(self) -> &'static str {
        match self {
            Language::Python => "Python",
            Language::Node => "Node",
            Language::Rust => "Rust",
        }
    }

    fn method(self, op: &Operation) -> String {
        match self {
            Language::Python | Language::Rust => op.id.clone(),
            Language::Node => camel(&op.id),
        }
    }

    fn argument(self, wire: &str) -> String {
        match self {
            Language::Python => python::identifier(wire),
            Language::Node => wire.to_owned(),
            Language::Rust => crate::generate::model::snake(wire),
        }
    }

    fn type_of(self, wire: &str, ty: &Ty) -> String {
        let asset = python::asset_arguments().contains(&wire);
        match self {
            Language::Python if asset => "AssetLike".into(),
            Language::Python => python::param_type(ty).replace("t.", ""),
            Language::Node if asset => "number | string".into(),
            Language::Node => node::param_type(ty),
            Language::Rust => rust_type(ty),
        }
    }

    fn returns(self, op: &Operation) -> String {
        match (self, &op.returns) {
            (Language::Python, Some(t)) => python::type_of(t),
            (Language::Python, None) => "None".into(),
            (Language::Node, Some(t)) => format!("Promise<{}>", node::type_of(t)),
            (Language::Node, None) => "Promise<void>".into(),
            (Language::Rust, Some(t)) => format!("alura::Result<{}>", rust_type(t)),
            (Language::Rust, None) => "alura::Result<()>".into(),
        }
    }

    /// The call, as a user writes it.
    fn call(self, op: &Operation) -> String {
        let name = self.method(op);
        let mut params: Vec<_> = op.params.iter().collect();
        params.sort_by_key(|p| (p.location != Location::Path, !p.required));
        match self {
            Language::Python => {
                let args: Vec<String> = params
                    .iter()
                    .map(|p| {
                        let arg = self.argument(&p.wire);
                        if p.required { arg } else { format!("{arg}=...") }
                    })
                    .collect();
                let sep = if args.is_empty() { "" } else { ", " };
                format!("client.{name}({}{sep}**options) -> {}", args.join(", "), self.returns(op))
            }
            Language::Node => {
                let args = if params.is_empty() {
                    String::new()
                } else {
                    let fields: Vec<String> = params
                        .iter()
                        .map(|p| format!("{}{}", p.wire, if p.required { "" } else { "?" }))
                        .collect();
                    format!("{{ {} }}, ", fields.join(", "))
                };
                format!("client.{name}({args}options?): {}", self.returns(op))
            }
            Language::Rust => {
                // Path and query arguments are the builder's setters; body fields go in the body's type.
                let setters: String = params
                    .iter()
                    .filter(|p| p.location != Location::Body)
                    .map(|p| format!(".{}(...)", self.argument(&p.wire)))
                    .collect();
                let body = match &op.body {
                    Some(ty) => format!(".body({} {{ .. }})", rust_type(ty)),
                    None => String::new(),
                };
                format!("client.api().{name}(){setters}{body}.send().await -> {}", self.returns(op))
            }
        }
    }
}

/// The progenitor type a value of `ty` has in the Rust client.
fn rust_type(ty: &Ty) -> String {
    match ty {
        Ty::Shape(name) | Ty::Enum(name) => format!("types::{name}"),
        Ty::String => "String".into(),
        Ty::Integer => "i64".into(),
        Ty::Number => "f64".into(),
        Ty::Decimal => "Decimal".into(),
        Ty::Boolean => "bool".into(),
        Ty::Array(item) => format!("Vec<{}>", rust_type(item)),
        Ty::Object | Ty::Any | Ty::Union(_) => "serde_json::Value".into(),
        Ty::Nullable(inner) => format!("Option<{}>", rust_type(inner)),
    }
}

/// The errors a call of `op` can raise, most specific first: (class, when). Rust names each by
/// its `alura::Error` variant ([`rust_variant`]).
fn errors(op: &Operation) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let checked = op.params.iter().any(|p| {
        p.required || !p.values.is_empty() || p.bounds.minimum.is_some() || p.bounds.maximum.is_some()
    });
    if checked || op.body.is_some() {
        out.push((
            "ValidationError",
            "an argument is missing, of the wrong type or out of bounds; nothing is sent".to_owned(),
        ));
    }
    if op.authenticated {
        out.push((
            "AuthenticationError",
            "the login failed, or the server refused the token (401/403)".to_owned(),
        ));
    }
    if op.method == "POST" {
        out.push((
            "OutcomeUnknownError",
            "the request may have reached the server but no answer came: retry with the same idempotency key"
                .to_owned(),
        ));
    }
    out.push(("RateLimitError", "429 after the retries, with the server's `retry_after`".to_owned()));
    out.push((
        "APIError",
        "any other error status; a class by status: `NotFoundError`, `InternalServerError`...".to_owned(),
    ));
    out.push(("NetworkError", "no answer: connection refused, reset, DNS".to_owned()));
    out.push(("TimeoutError", "an attempt or the whole call took longer than allowed".to_owned()));
    out.push(("DecodeError", "the answer is not JSON, or does not fit the spec with `strict`".to_owned()));
    out
}

/// The `alura::Error` variant of an error class.
fn rust_variant(class: &str) -> &'static str {
    match class {
        "ValidationError" => "Error::InvalidInput",
        "AuthenticationError" => "Error::Auth",
        "OutcomeUnknownError" => "Error::OutcomeUnknown",
        "RateLimitError" => "Error::RateLimited",
        "NetworkError" => "Error::Network",
        "TimeoutError" => "Error::Timeout",
        "DecodeError" => "Error::Decode",
        _ => "Error::Api",
    }
}

/// `docs/api/<language>.md`.
pub fn markdown(model: &Model, language: Language) -> Result<String> {
    let mut tags: BTreeMap<&str, Vec<&Operation>> = BTreeMap::new();
    for op in &model.operations {
        tags.entry(op.tag.as_str()).or_default().push(op);
    }
    let mut out = format!(
        "<!-- Generated by `cargo xtask gen` from openapi/alura.json. Do not edit. -->\n\n# {} API reference\n\nEvery operation of the API, as {} calls it, grouped as the spec groups them. Errors are\nthe classes of [docs/errors.md](../errors.md) (in Rust, the variants of `alura::Error`); every call can\nalso take per-call options ({}).\n",
        language.title(),
        language.title(),
        match language {
            Language::Python => "`timeout=`, `max_retries=`, `extra_headers=`, `idempotency_key=`",
            Language::Node =>
                "the last argument: `timeoutMs`, `maxRetries`, `headers`, `idempotencyKey`, `signal`",
            Language::Rust => "`client.with_call_options(...)`",
        }
    );
    for (tag, ops) in tags {
        write!(out, "\n## {tag}\n")?;
        for op in ops {
            write!(
                out,
                "\n### `{}`\n\n{}. `{} {}`{}\n\n```text\n{}\n```\n",
                language.method(op),
                op.summary.trim_end_matches('.'),
                op.method,
                op.path,
                if op.authenticated { ", signed in" } else { "" },
                language.call(op)
            )?;
            if !op.params.is_empty() {
                out.push_str("\n| argument | type | required | what it is |\n| --- | --- | --- | --- |\n");
                for p in &op.params {
                    writeln!(
                        out,
                        "| `{}` | `{}` | {} | {} |",
                        language.argument(&p.wire),
                        language.type_of(&p.wire, &p.ty).replace('|', "\\|"),
                        if p.required { "yes" } else { "no" },
                        p.doc.as_deref().unwrap_or("").replace('|', "\\|").replace('\n', " ")
                    )?;
                }
            }
            if let Some(item) = &op.pages {
                let iter = match language {
                    Language::Node => camel(&op.iterator()),
                    _ => op.iterator(),
                };
                let item = match language {
                    Language::Python => python::type_of(item),
                    Language::Node => node::type_of(item),
                    Language::Rust => rust_type(item),
                };
                if language != Language::Rust {
                    writeln!(
                        out,
                        "\nEvery item, page after page, each page fetched when needed: `{iter}(...)` yields `{item}`."
                    )?;
                }
            }
            out.push_str("\nErrors: ");
            let listed: Vec<String> = errors(op)
                .into_iter()
                .map(|(class, when)| {
                    let name = if language == Language::Rust { rust_variant(class) } else { class };
                    format!("`{name}` ({when})")
                })
                .collect();
            out.push_str(&listed.join("; "));
            out.push_str(".\n");
        }
    }
    Ok(out)
}
