//! Answers printed for people or for programs: a table when stdout is a terminal, JSON (one
//! object per line for a list) when it is piped, or CSV; `--format` decides otherwise. Numbers
//! are printed with the server's own digits: the answer is read as text, never through a double.

use std::io::{IsTerminal, Write};

use alura_api::RawEntries;
use serde_json::value::RawValue;

/// How to print.
#[derive(Clone, Copy, PartialEq, Eq, Debug, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
}

impl Format {
    /// `chosen`, or a table for a terminal and JSON for a pipe.
    pub fn or_default(chosen: Option<Format>) -> Format {
        chosen.unwrap_or(if std::io::stdout().is_terminal() { Format::Table } else { Format::Json })
    }
}

/// A JSON value whose numbers keep their text.
#[derive(Debug, Clone)]
pub enum J {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

impl J {
    /// `text` (one JSON document) as a tree, numbers as written.
    pub fn parse(text: &str) -> Result<J, String> {
        let raw: &RawValue = serde_json::from_str(text).map_err(|e| e.to_string())?;
        tree(raw)
    }

    /// Compact JSON, numbers as the server wrote them.
    pub fn json(&self) -> String {
        match self {
            J::Null => "null".into(),
            J::Bool(b) => b.to_string(),
            J::Num(n) => n.clone(),
            J::Str(s) => serde_json::to_string(s).unwrap_or_default(),
            J::Arr(items) => format!("[{}]", items.iter().map(J::json).collect::<Vec<_>>().join(",")),
            J::Obj(entries) => format!(
                "{{{}}}",
                entries
                    .iter()
                    .map(|(k, v)| format!("{}:{}", serde_json::to_string(k).unwrap_or_default(), v.json()))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        }
    }

    /// Hides the values of fields that may hold secrets (`alura::is_secret_field`: keys, tokens,
    /// signatures), at any depth.
    pub fn hide_secrets(&mut self) {
        match self {
            J::Arr(items) => items.iter_mut().for_each(J::hide_secrets),
            J::Obj(entries) => {
                for (name, value) in entries {
                    if alura::is_secret_field(name) && !matches!(value, J::Null) {
                        *value = J::Str("*** (hidden: --show-secrets prints it)".into());
                    } else {
                        value.hide_secrets();
                    }
                }
            }
            _ => {}
        }
    }

    /// As a table cell: text as it is, nothing for null, nested values as JSON.
    pub fn cell(&self) -> String {
        match self {
            J::Null => String::new(),
            J::Str(s) => s.clone(),
            J::Num(n) => n.clone(),
            J::Bool(b) => b.to_string(),
            other => other.json(),
        }
    }
}

fn tree(raw: &RawValue) -> Result<J, String> {
    let text = raw.get().trim();
    Ok(match text.as_bytes().first() {
        Some(b'n') => J::Null,
        Some(b't') => J::Bool(true),
        Some(b'f') => J::Bool(false),
        Some(b'"') => J::Str(serde_json::from_str(text).map_err(|e| e.to_string())?),
        Some(b'[') => {
            let items: Vec<&RawValue> = serde_json::from_str(text).map_err(|e| e.to_string())?;
            J::Arr(items.into_iter().map(tree).collect::<Result<_, _>>()?)
        }
        Some(b'{') => {
            let RawEntries(entries) = serde_json::from_str(text).map_err(|e| e.to_string())?;
            J::Obj(entries.into_iter().map(|(k, v)| Ok((k, tree(v)?))).collect::<Result<_, String>>()?)
        }
        _ => J::Num(text.to_owned()),
    })
}

/// The rows of an answer: a list, the list under an envelope's `data`/`items`, or one object.
fn rows(value: &J) -> Option<Vec<&J>> {
    match value {
        J::Arr(items) => Some(items.iter().collect()),
        J::Obj(entries) => entries
            .iter()
            .find(|(k, v)| {
                ["data", "items", "candles", "result"].contains(&k.as_str()) && matches!(v, J::Arr(_))
            })
            .and_then(|(_, v)| rows(v)),
        _ => None,
    }
}

/// Prints `value` as `format` says.
pub fn print(value: &J, format: Format, out: &mut impl Write) -> std::io::Result<()> {
    match format {
        Format::Json => match value {
            J::Arr(items) => items.iter().try_for_each(|item| writeln!(out, "{}", item.json())),
            other => writeln!(out, "{}", other.json()),
        },
        Format::Csv => {
            let list = rows(value).unwrap_or_else(|| vec![value]);
            let columns = columns(&list);
            writeln!(out, "{}", columns.iter().map(|c| csv(c)).collect::<Vec<_>>().join(","))?;
            for row in list {
                let cells: Vec<String> = columns.iter().map(|c| csv(&field(row, c).cell())).collect();
                writeln!(out, "{}", cells.join(","))?;
            }
            Ok(())
        }
        Format::Table => match (rows(value), value) {
            (Some(list), _) => table(&list, out),
            (None, J::Obj(entries)) => {
                let width = entries.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
                entries
                    .iter()
                    .try_for_each(|(k, v)| writeln!(out, "{}  {}", bold(&format!("{k:<width$}")), v.cell()))
            }
            (None, other) => writeln!(out, "{}", other.cell()),
        },
    }
}

/// Column names in the order they first appear.
fn columns(list: &[&J]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for row in list {
        if let J::Obj(entries) = row {
            for (k, _) in entries {
                if !names.contains(k) {
                    names.push(k.clone());
                }
            }
        }
    }
    if names.is_empty() { vec!["value".into()] } else { names }
}

fn field(row: &J, name: &str) -> J {
    match row {
        J::Obj(entries) => entries.iter().find(|(k, _)| k == name).map_or(J::Null, |(_, v)| v.clone()),
        other if name == "value" => other.clone(),
        _ => J::Null,
    }
}

fn table(list: &[&J], out: &mut impl Write) -> std::io::Result<()> {
    let names = columns(list);
    let cells: Vec<Vec<String>> =
        list.iter().map(|row| names.iter().map(|n| field(row, n).cell()).collect()).collect();
    let widths: Vec<usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| cells.iter().map(|r| r[i].chars().count()).chain([n.len()]).max().unwrap_or(0))
        .collect();
    let line = |row: &[String]| {
        row.iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
    };
    writeln!(out, "{}", bold(&line(&names)))?;
    cells.iter().try_for_each(|row| writeln!(out, "{}", line(row)))
}

fn csv(cell: &str) -> String {
    if cell.contains([',', '"', '\n']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_owned()
    }
}

/// Whether stdout takes colour: a terminal, and no `NO_COLOR`.
pub fn colour() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// `text` in an SGR style (`1` bold, `32` green, `31` red, `2` dim) where [`colour`] allows.
pub fn paint(text: &str, sgr: &str) -> String {
    if colour() { format!("\x1b[{sgr}m{text}\x1b[0m") } else { text.to_owned() }
}

pub fn bold(text: &str) -> String {
    paint(text, "1")
}

/// A URL without its `user:password@` part, to print.
pub fn without_userinfo(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
            format!("{scheme}://{host}{path}")
        }
        None => url.to_owned(),
    }
}
