//! The error classes of every language, from the one list in the Rust core
//! (`alura::ERROR_KINDS` in `crates/alura/src/errors/kinds.rs`), read as source so the generator
//! does not depend on the crate it helps build: Python's `_generated/errors.py`, Node's
//! `generated/errors.js`, `.d.ts` and `.mjs`, and `docs/errors.md`.

use std::fmt::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};
use syn::Expr;

use crate::generate::literal::{self, boolean, consts, elements, int, member, option, path_tail, string};

use crate::generate::model::camel;

pub const SOURCE: &str = "crates/alura/src/errors/kinds.rs";
/// What only the bindings need: Python's builtin bases and the classes only Node raises.
pub const BINDING_SOURCE: &str = "crates/alura-ffi/src/errors.rs";

pub struct Kind {
    pub name: String,
    pub parent: Option<String>,
    pub code: String,
    pub statuses: Option<(u16, u16)>,
    pub python_base: Option<String>,
    pub node_only: bool,
    pub doc: String,
    pub fields: Vec<Field>,
}

pub struct Field {
    pub name: String,
    pub ty: String,
    pub private: bool,
    pub doc: String,
}

/// The kinds as `crates/alura/src/errors/kinds.rs` lists them, with what
/// `crates/alura-ffi/src/errors.rs` adds: Node's own classes last, parents still first.
pub fn kinds(root: &Path) -> Result<Vec<Kind>> {
    let core = consts(root, SOURCE)?;
    let binding = consts(root, BINDING_SOURCE)?;
    let find_in = literal::find;
    let list = find_in(&core, "ERROR_KINDS").with_context(|| format!("{SOURCE} has no ERROR_KINDS"))?;
    let mut kinds = listed(&list, &|name| find_in(&core, name), false)?;
    let node_only = find_in(&binding, "NODE_ONLY_KINDS")
        .with_context(|| format!("{BINDING_SOURCE} has no NODE_ONLY_KINDS"))?;
    kinds.extend(listed(&node_only, &|name| find_in(&core, name), true)?);
    let bases =
        find_in(&binding, "PYTHON_BASES").with_context(|| format!("{BINDING_SOURCE} has no PYTHON_BASES"))?;
    for pair in elements(&bases)? {
        let Expr::Tuple(t) = pair else {
            bail!("{BINDING_SOURCE}: PYTHON_BASES holds (class, builtin) pairs")
        };
        let (class, base) = (string(&t.elems[0])?, string(&t.elems[1])?);
        let kind = kinds
            .iter_mut()
            .find(|k| k.name == class)
            .with_context(|| format!("PYTHON_BASES names {class}"))?;
        kind.python_base = Some(base);
    }
    Ok(kinds)
}

/// The `ErrorKind` literals of `list`; `fields` may name a const that `find` looks up.
fn listed(list: &Expr, find: &dyn Fn(&str) -> Option<Expr>, node_only: bool) -> Result<Vec<Kind>> {
    let mut kinds = Vec::new();
    for entry in elements(list)? {
        let get =
            |field: &str| member(entry, field).with_context(|| format!("an ErrorKind entry lacks {field}"));
        let named;
        let fields_expr = match get("fields")? {
            Expr::Path(p) => {
                named = find(&p.path.segments.last().context("a path")?.ident.to_string())
                    .context("ERROR_KINDS names a field list that is not a const of the file")?;
                &named
            }
            other => other,
        };
        let mut fields = Vec::new();
        for f in elements(fields_expr)? {
            let get = |field: &str| member(f, field).with_context(|| format!("an ErrorField lacks {field}"));
            fields.push(Field {
                name: string(get("name")?)?,
                ty: path_tail(get("ty")?)?,
                private: boolean(get("private")?)?,
                doc: string(get("doc")?)?,
            });
        }
        kinds.push(Kind {
            name: string(get("name")?)?,
            parent: option(get("parent")?, string)?,
            code: string(get("code")?)?,
            statuses: option(get("statuses")?, |e| match e {
                Expr::Tuple(t) if t.elems.len() == 2 => Ok((int(&t.elems[0])?, int(&t.elems[1])?)),
                _ => bail!("statuses must be Some((low, high))"),
            })?,
            python_base: None,
            node_only,
            doc: string(get("doc")?)?,
            fields,
        });
    }
    Ok(kinds)
}

fn py_type(ty: &str) -> &'static str {
    match ty {
        "Status" => "Optional[int]",
        "Text" => "Optional[str]",
        "Texts" => "List[str]",
        "Seconds" => "Optional[float]",
        "Headers" => "Dict[str, str]",
        "Flag" => "bool",
        _ => "Any",
    }
}

fn ts_type(ty: &str) -> &'static str {
    match ty {
        "Status" | "Seconds" => "number | null",
        "Text" => "string | null",
        "Texts" => "string[]",
        "Headers" => "Record<string, string>",
        "Flag" => "boolean",
        _ => "unknown",
    }
}

/// The class a call that ran out of time raises (`alura::Error::Timeout`).
const TIMEOUT_CLASS: &str = "TimeoutError";
/// What `is_timeout()` / `isTimeout()` says: as `alura::Error::is_timeout`.
const IS_TIMEOUT_DOC: &str = "Whether the call ran out of time: a TimeoutError, or an OutcomeUnknownError whose POST got no answer in time (`timed_out`).";

/// The class whose POST may be looked up afterwards (`alura::Client::settle`).
const SETTLE_CLASS: &str = "OutcomeUnknownError";
/// What `settle()` does, in every language.
const SETTLE_DOC: &str = "What became of the POST, looked up with read-only calls (a Settlement: landed, not landed or still unknown); it never sends the POST again.";

/// `alura/_generated/errors.py`.
pub fn python(kinds: &[Kind]) -> Result<String> {
    let mut classes = String::new();
    let shown: Vec<&Kind> = kinds.iter().filter(|k| !k.node_only).collect();
    for k in &shown {
        let mut bases = vec![k.parent.clone().unwrap_or_else(|| "Exception".into())];
        bases.extend(k.python_base.as_ref().map(|b| format!("builtins.{b}")));
        write!(classes, "\n\nclass {}({}):\n    \"\"\"{}\"\"\"\n", k.name, bases.join(", "), escape(&k.doc))?;
        for f in &k.fields {
            write!(classes, "\n    {}: {}\n    \"\"\"{}\"\"\"\n", f.name, py_type(&f.ty), escape(&f.doc))?;
        }
        if !k.fields.is_empty() {
            let mut params = vec!["self".to_owned(), "message: str = \"\"".into(), "*".into()];
            let mut body = String::new();
            for f in &k.fields {
                let (ty, value) = match f.ty.as_str() {
                    "Texts" => ("Optional[List[str]]".to_owned(), format!("list({} or [])", f.name)),
                    "Headers" => ("Optional[Dict[str, str]]".to_owned(), format!("dict({} or {{}})", f.name)),
                    "Flag" => ("Optional[bool]".to_owned(), format!("bool({})", f.name)),
                    other => (py_type(other).to_owned(), f.name.clone()),
                };
                params.push(format!("{}: {ty} = None", f.name));
                writeln!(body, "        self.{} = {value}", f.name)?;
            }
            let call = if k.parent.is_some() {
                params.push("**fields: Any".into());
                "super().__init__(message, **fields)"
            } else {
                "super().__init__(message)"
            };
            write!(classes, "\n    def __init__({}) -> None:\n        {call}\n{body}", params.join(", "))?;
        }
        if k.name == SETTLE_CLASS {
            write!(
                classes,
                "\n    def settle(self) -> Any:\n        \"\"\"{SETTLE_DOC} Awaitable from an AsyncClient.\"\"\"\n        settle = getattr(self, \"_settle\", None)\n        if settle is None:\n            raise ValidationError(\"invalid input: settle(): this error did not come from a call that can be looked up\")\n        return settle()\n\n    def __reduce__(self) -> Any:\n        # The lookup holds the client: it stays behind when the error is pickled.\n        state = {{k: v for k, v in self.__dict__.items() if k != \"_settle\"}}\n        return (type(self), self.args, state)\n"
            )?;
        }
        if k.parent.is_none() {
            classes.push_str(
                "\n    def __repr__(self) -> str:\n        # The message only: a body may hold a token, headers a cookie.\n        return f\"{type(self).__name__}({str(self)!r})\"\n",
            );
            write!(
                classes,
                "\n    def is_timeout(self) -> bool:\n        \"\"\"{IS_TIMEOUT_DOC}\"\"\"\n        return isinstance(self, {TIMEOUT_CLASS}) or bool(getattr(self, \"timed_out\", False))\n"
            )?;
        }
    }
    let all: Vec<String> = shown.iter().map(|k| format!("{:?}", k.name)).collect();
    Ok(format!(
        r#"# Generated by `cargo xtask gen` from {SOURCE}. Do not edit.
"""The exceptions the SDK raises. The Rust core decides which one (``alura::Error::kind``) and
what it carries; the classes and their fields come from its list, ``alura::ERROR_KINDS``."""

from __future__ import annotations

import builtins
from typing import Any, Dict, List, Optional

__all__ = [{}]
{classes}

# Their public name: tracebacks, reprs and pickles say alura.NetworkError, not this module.
for _name in __all__:
    globals()[_name].__module__ = "alura"
"#,
        all.join(", ")
    ))
}

/// `lib/generated/errors.js`, `errors.d.ts` and `errors.mjs`.
pub fn node(kinds: &[Kind]) -> Result<[String; 3]> {
    let header = format!("// Generated by `cargo xtask gen` from {SOURCE}. Do not edit.\n");
    let private: Vec<String> = {
        let mut names: Vec<String> = kinds
            .iter()
            .flat_map(|k| &k.fields)
            .filter(|f| f.private)
            .map(|f| format!("'{}'", camel(&f.name)))
            .collect();
        names.sort();
        names.dedup();
        names
    };
    let mut js = String::new();
    let mut dts = String::new();
    for k in kinds {
        let doc = comment(&k.doc);
        match &k.parent {
            None => write!(
                js,
                "\n/** {doc} */\nclass {} extends Error {{\n  constructor(message, fields = {{}}) {{\n    super(message)\n    this.name = new.target.name\n    for (const [name, value] of Object.entries(fields)) {{\n      // A body may hold a token and headers a cookie: readable, but never printed by inspect.\n      const enumerable = !PRIVATE.includes(name)\n      Object.defineProperty(this, name, {{ value, enumerable, writable: true, configurable: true }})\n    }}\n  }}\n\n  /** {IS_TIMEOUT_DOC} */\n  isTimeout() {{\n    return this instanceof {TIMEOUT_CLASS} || this.timedOut === true\n  }}\n}}\n",
                k.name
            )?,
            Some(parent) if k.name == SETTLE_CLASS => write!(
                js,
                "\n/** {doc} */\nclass {} extends {parent} {{\n  /** {SETTLE_DOC} */\n  settle() {{\n    if (typeof this._settle !== 'function') {{\n      return Promise.reject(new ValidationError('invalid input: settle(): this error did not come from a call that can be looked up'))\n    }}\n    return this._settle()\n  }}\n}}\n",
                k.name
            )?,
            Some(parent) => write!(js, "\n/** {doc} */\nclass {} extends {parent} {{}}\n", k.name)?,
        }
        writeln!(js, "{}.prototype.code = '{}'", k.name, k.code)?;
        let extends = k.parent.as_deref().unwrap_or("Error");
        write!(dts, "\n/** {doc} */\nexport declare class {} extends {extends} {{\n", k.name)?;
        if k.parent.is_none() {
            dts.push_str("  /** Stable across versions (`ERR_ALURA_...`). */\n  readonly code: string\n");
            writeln!(dts, "  /** {IS_TIMEOUT_DOC} */\n  isTimeout(): boolean")?;
        }
        if k.name == SETTLE_CLASS {
            writeln!(dts, "  /** {SETTLE_DOC} */\n  settle(): Promise<import('../index').Settlement>")?;
        }
        for f in &k.fields {
            writeln!(
                dts,
                "  /** {} */\n  readonly {}?: {}",
                comment(&f.doc),
                camel(&f.name),
                ts_type(&f.ty)
            )?;
        }
        dts.push_str("}\n");
    }
    let names: Vec<&str> = kinds.iter().map(|k| k.name.as_str()).collect();
    let js = format!(
        "{header}'use strict'\n// The SDK's error classes; lib/errors.js turns a native error into one of them.\n\n/** Fields that may hold a secret. */\nconst PRIVATE = [{}]\n{js}\nmodule.exports = {{ {} }}\n",
        private.join(", "),
        names.join(", ")
    );
    let dts = format!("{header}{dts}");
    let mjs = format!(
        "{header}// The error classes by name, for the ESM entry.\nimport errors from './errors.js'\n\nexport const {{ {} }} = errors\n",
        names.join(", ")
    );
    Ok([js, dts, mjs])
}

/// `docs/errors.md`: the classes, their codes and statuses, what they carry.
pub fn markdown(kinds: &[Kind]) -> Result<String> {
    let mut md = format!(
        "<!-- Generated by `cargo xtask gen` from {SOURCE}. Do not edit. -->\n\n# Errors\n\nEvery failure is one of these classes, the same in Python (`alura.X`) and Node (`require('alura').X`,\nwith `error.code`). The Rust core decides which (`alura::Error::kind`); fields are snake_case in Python and\ncamelCase in Node.\n\n| class | extends | Node `code` | statuses | what it means |\n| --- | --- | --- | --- | --- |\n"
    );
    for k in kinds {
        let statuses = match k.statuses {
            Some((l, h)) if l == h => l.to_string(),
            Some((l, h)) => format!("{l}-{h}"),
            None => String::new(),
        };
        let mut extends = k.parent.clone().unwrap_or_default();
        if let Some(b) = &k.python_base {
            write!(extends, " (and Python's `{b}`)")?;
        }
        let only = if k.node_only { " Node only." } else { "" };
        writeln!(md, "| `{}` | {extends} | `{}` | {statuses} | {}{only} |", k.name, k.code, k.doc)?;
    }
    md.push_str(
        "\n## What they carry\n\n| class | field (Python / Node) | what it holds |\n| --- | --- | --- |\n",
    );
    for k in kinds {
        for f in &k.fields {
            let private = if f.private { " Never printed by repr or inspect." } else { "" };
            writeln!(md, "| `{}` | `{}` / `{}` | {}{private} |", k.name, f.name, camel(&f.name), f.doc)?;
        }
    }
    Ok(md)
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace("\"\"\"", "\\\"\\\"\\\"")
}

fn comment(text: &str) -> String {
    text.replace("*/", "*\\/")
}
