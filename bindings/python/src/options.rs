//! Python's options as the core's: the keyword arguments of `Client(...)` become
//! `alura::ClientOptions`, a call's `options=` dict `alura::RequestOptions`. Only Python's types
//! are checked here (a str where a number belongs); ranges, defaults and the rest are the core's.

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyInt};

use crate::errors;

/// Keyword arguments or an `options=` dict as Python handed them over; a `None` value is an
/// option left out.
pub struct PyOptions<'a, 'py>(pub Option<&'a Bound<'py, PyDict>>);

impl TryFrom<PyOptions<'_, '_>> for alura::ClientOptions {
    type Error = PyErr;

    /// Each keyword by the core's option list: its kind says which Python type it takes.
    fn try_from(PyOptions(given): PyOptions<'_, '_>) -> PyResult<Self> {
        use alura::options::{OptionKind as K, OptionValue as V};
        let mut o = alura::ClientOptions { language: alura_ffi::PYTHON, ..Default::default() };
        for (name, value) in entries(given)? {
            let v = Given { name: &name, value: &value };
            let Some(option) = alura::options::find(&name).filter(|o| o.in_bindings) else {
                return Err(v.invalid(format!("unknown option {name}")));
            };
            let checked = match option.kind {
                K::Url | K::Text | K::Secret => V::Text(v.string()?),
                K::Seconds | K::Count => V::Number(v.number()?),
                K::Flag(_) => V::Flag(v.flag()?),
                K::Texts => V::Texts(v.strings()?),
                K::Headers => V::Headers(v.headers()?),
                K::TokenCache => V::TokenCache(v.token_cache()?),
            };
            o.set(&name, checked).map_err(|e| errors::to_py(value.py(), e))?;
        }
        Ok(o)
    }
}

impl TryFrom<PyOptions<'_, '_>> for alura::RequestOptions {
    type Error = PyErr;

    fn try_from(PyOptions(given): PyOptions<'_, '_>) -> PyResult<Self> {
        let mut o = alura::RequestOptions { language: alura_ffi::PYTHON, ..Default::default() };
        for (name, value) in entries(given)? {
            let v = Given { name: &name, value: &value };
            match name.as_str() {
                "timeout" => o.timeout = Some(v.number()?),
                "max_retries" => o.max_retries = Some(v.number()?),
                "extra_headers" => o.headers = v.headers()?,
                "idempotency_key" => o.idempotency_key = Some(v.string()?),
                other => {
                    return Err(
                        v.invalid(format!("unknown option {other}; known: {}", REQUEST_OPTIONS.join(", ")))
                    );
                }
            }
        }
        Ok(o)
    }
}

/// The per-call keywords every method takes (`_options.py`'s `RequestOptions`).
const REQUEST_OPTIONS: [&str; 4] = ["timeout", "max_retries", "extra_headers", "idempotency_key"];

/// A method's keywords that are neither its arguments nor per-call options land with the options
/// (`**options`): a misspelt argument is named as Python would, with the nearest right name.
pub fn check_keywords(operation: &str, given: Option<&Bound<'_, PyDict>>) -> PyResult<()> {
    let Some(given) = given else { return Ok(()) };
    for name in given.keys() {
        let name: String = name.extract()?;
        if REQUEST_OPTIONS.contains(&name.as_str()) {
            continue;
        }
        let arguments: Vec<String> = alura_api::find(operation)
            .map(|op| op.fields.iter().map(|f| alura_ffi::PYTHON.argument(f.name).into_owned()).collect())
            .unwrap_or_default();
        let candidates = arguments.iter().map(String::as_str).chain(REQUEST_OPTIONS);
        let hint = nearest(&name, candidates).map(|n| format!(" (did you mean {n}?)")).unwrap_or_default();
        let listed = if arguments.is_empty() { "none".to_owned() } else { arguments.join(", ") };
        return Err(errors::validation(
            given.py(),
            format!(
                "{operation}() got an unexpected keyword argument '{name}'{hint}; its arguments: {listed}; per-call options: {}",
                REQUEST_OPTIONS.join(", ")
            ),
        ));
    }
    Ok(())
}

/// The candidate at most two edits from `word`, if any: the likely typo's fix.
fn nearest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (distance(word, c), c))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance, over chars.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (row[j + 1] + 1).min(row[j] + 1).min(diagonal + usize::from(ca != *cb));
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// A call's `options=` as the core's per-call options, checked there.
pub fn call_options(py: Python<'_>, given: &Bound<'_, PyDict>) -> PyResult<alura::CallOptions> {
    let options = alura::RequestOptions::try_from(PyOptions(Some(given)))?;
    alura::CallOptions::try_from(options).map_err(|e| errors::to_py(py, e))
}

/// The options given, without the ones left `None`.
fn entries<'py>(given: Option<&Bound<'py, PyDict>>) -> PyResult<Vec<(String, Bound<'py, PyAny>)>> {
    let Some(given) = given else { return Ok(Vec::new()) };
    let mut out = Vec::with_capacity(given.len());
    for (name, value) in given.iter() {
        if !value.is_none() {
            out.push((name.extract()?, value));
        }
    }
    Ok(out)
}

/// One option's value, checked for its Python type; a wrong one is a `ValidationError` naming
/// the option, not a raw `TypeError`.
struct Given<'a, 'py> {
    name: &'a str,
    value: &'a Bound<'py, PyAny>,
}

impl Given<'_, '_> {
    fn invalid(&self, message: String) -> PyErr {
        errors::validation(self.value.py(), message)
    }

    fn wrong_type(&self, expected: &str) -> PyErr {
        let kind = self.value.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into());
        self.invalid(format!("{} must be {expected}, not {kind}", self.name))
    }

    /// A number as a double (a bool is refused, though Python counts it as an int). An int
    /// too big for a double is infinity, which the core refuses by range like any huge value.
    fn number(&self) -> PyResult<f64> {
        if self.value.is_instance_of::<PyBool>() {
            return Err(self.wrong_type("a number"));
        }
        if let Ok(n) = self.value.extract::<f64>() {
            return Ok(n);
        }
        match self.value.cast::<PyInt>() {
            Ok(int) => Ok(if int.lt(0)? { f64::NEG_INFINITY } else { f64::INFINITY }),
            Err(_) => Err(self.wrong_type("a number")),
        }
    }

    fn string(&self) -> PyResult<String> {
        self.value.extract().map_err(|_| self.wrong_type("a str"))
    }

    fn flag(&self) -> PyResult<bool> {
        self.value.cast::<PyBool>().map(|b| b.is_true()).map_err(|_| self.wrong_type("a bool"))
    }

    /// A list or tuple of str (a lone str would be read as its letters).
    fn strings(&self) -> PyResult<Vec<String>> {
        if self.value.is_instance_of::<pyo3::types::PyString>() {
            return Err(self.wrong_type("a list of str"));
        }
        self.value.extract().map_err(|_| self.wrong_type("a list of str"))
    }

    fn headers(&self) -> PyResult<std::collections::BTreeMap<String, String>> {
        self.value.extract().map_err(|_| self.invalid(format!("{} must be a dict of str to str", self.name)))
    }

    /// `True` for the user's cache directory, a path for another, `False` for none.
    fn token_cache(&self) -> PyResult<alura::TokenCacheOption> {
        if let Ok(on) = self.value.cast::<PyBool>() {
            return Ok(alura::TokenCacheOption::Default(on.is_true()));
        }
        self.value
            .extract::<std::path::PathBuf>()
            .map(alura::TokenCacheOption::Path)
            .map_err(|_| self.invalid(format!("{} must be True, False, None or a path", self.name)))
    }
}
