//! JSON into Python objects, from the server's text or from a JSON value: one serde
//! `DeserializeSeed`, so no JSON value is built in between for text, with object keys
//! shared through a small cache. A history of 100,000 candles has eight distinct keys; making, hashing and freeing 600,000 key strings was
//! the largest single cost of turning it into rows (bench/notes/journal.md).

use std::cell::RefCell;
use std::fmt;

use pyo3::IntoPyObjectExt;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

/// `json` (one JSON document) as Python objects; a body that is not JSON is the caller's to
/// report (as a `DecodeError`, `errors.rs`), so this module needs nothing of errors.
pub fn to_py<'py>(py: Python<'py>, json: &[u8]) -> Result<Bound<'py, PyAny>, NotJson> {
    let value = with_keys(|keys| {
        let mut de = serde_json::Deserializer::from_slice(json);
        Any { py, keys }.deserialize(&mut de).and_then(|v| de.end().map(|()| v))
    });
    value.map_err(|e| NotJson(e.to_string()))
}

/// Why a body could not be read as JSON.
#[derive(Debug)]
pub struct NotJson(pub String);

/// A JSON value (a reply of `request`, an error's details) as Python objects.
pub fn value_to_py<'py>(py: Python<'py>, value: &serde_json::Value) -> PyResult<Bound<'py, PyAny>> {
    with_keys(|keys| Any { py, keys }.deserialize(value))
        .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))
}

const KEY_SLOTS: usize = 512;
/// Longer keys are rare and seldom repeat: they are made each time.
const LONGEST_CACHED_KEY: usize = 64;

/// Keys seen lately, direct-mapped by their length and three of their bytes; a clash only
/// costs a miss. Borrowed once per document, not once per key. Each remembers whether it names
/// money ([`alura_api::operations::DECIMAL_FIELDS`]).
struct Keys(Vec<Option<CachedKey>>);

/// A key's text, its Python string, and whether it names money.
type CachedKey = (Box<str>, Py<PyString>, bool);

/// Whether a field of this name holds money, whose value becomes a `decimal.Decimal`.
fn is_money(name: &str) -> bool {
    alura_api::operations::DECIMAL_FIELDS.binary_search(&name).is_ok()
}

thread_local! {
    static KEYS: RefCell<Keys> = RefCell::new(Keys::new());
}

/// Runs `convert` with this thread's keys, or with fresh ones when a conversion is already
/// under way on this thread (a finalizer that the garbage collector ran in the middle of one
/// can call the SDK again).
fn with_keys<R>(convert: impl FnOnce(&mut Keys) -> R) -> R {
    KEYS.with(|keys| match keys.try_borrow_mut() {
        Ok(mut keys) => convert(&mut keys),
        Err(_) => convert(&mut Keys::new()),
    })
}

impl Keys {
    fn new() -> Self {
        Self((0..KEY_SLOTS).map(|_| None).collect())
    }

    /// The key whose UTF-8 is `bytes`: checked as UTF-8 only when it is not the cached one,
    /// so the thousands of repeats of a few keys are never checked again (serde_json's check of
    /// each key was 7% of turning a 100,000-candle history into rows).
    fn get<'py>(
        &mut self,
        py: Python<'py>,
        bytes: &[u8],
    ) -> Result<(Bound<'py, PyString>, bool), std::str::Utf8Error> {
        let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
            return Ok((PyString::new(py, ""), false));
        };
        if bytes.len() > LONGEST_CACHED_KEY {
            let text = std::str::from_utf8(bytes)?;
            return Ok((PyString::new(py, text), is_money(text)));
        }
        // Cheaper than hashing every byte; keys of one object seldom share all four.
        let mix = bytes.len().wrapping_mul(31) ^ usize::from(first).wrapping_mul(7);
        let mix =
            mix ^ usize::from(last).wrapping_mul(131) ^ usize::from(bytes[bytes.len() / 2]).wrapping_mul(17);
        let slot = &mut self.0[mix % KEY_SLOTS];
        match slot {
            Some((cached, string, money)) if cached.as_bytes() == bytes => {
                Ok((string.bind(py).clone(), *money))
            }
            _ => {
                let text = std::str::from_utf8(bytes)?;
                let string = PyString::intern(py, text);
                let money = is_money(text);
                *slot = Some((text.into(), string.clone().unbind(), money));
                Ok((string, money))
            }
        }
    }
}

/// Any JSON value.
struct Any<'py, 'k> {
    py: Python<'py>,
    keys: &'k mut Keys,
}

/// An object's key.
struct Key<'py, 'k> {
    py: Python<'py>,
    keys: &'k mut Keys,
}

fn py_error<E: de::Error>(e: PyErr) -> E {
    E::custom(e)
}

impl<'de, 'py> DeserializeSeed<'de> for Any<'py, '_> {
    type Value = Bound<'py, PyAny>;
    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, 'py> Visitor<'de> for Any<'py, '_> {
    type Value = Bound<'py, PyAny>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        v.into_bound_py_any(self.py).map_err(py_error)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        v.into_bound_py_any(self.py).map_err(py_error)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        v.into_bound_py_any(self.py).map_err(py_error)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        v.into_bound_py_any(self.py).map_err(py_error)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(PyString::new(self.py, v).into_any())
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(self.py.None().into_bound(self.py))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let Self { py, keys } = self;
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element_seed(Any { py, keys: &mut *keys })? {
            items.push(item);
        }
        PyList::new(py, items).map(Bound::into_any).map_err(py_error)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let Self { py, keys } = self;
        let dict = PyDict::new(py);
        while let Some((k, money)) = map.next_key_seed(Key { py, keys: &mut *keys })? {
            let v = if money {
                map.next_value_seed(Money { py, keys: &mut *keys })?
            } else {
                map.next_value_seed(Any { py, keys: &mut *keys })?
            };
            dict.set_item(k, v).map_err(py_error)?;
        }
        Ok(dict.into_any())
    }
}

/// The value of a money field: a `decimal.Decimal` made from the number's own text (or from a
/// string holding a number, as TypeORM sends Postgres numerics), never through a float.
/// Anything else (`null`, other text, a nested value) is converted as it is.
struct Money<'py, 'k> {
    py: Python<'py>,
    keys: &'k mut Keys,
}

impl<'de, 'py> DeserializeSeed<'de> for Money<'py, '_> {
    type Value = Bound<'py, PyAny>;
    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        let raw = Box::<serde_json::value::RawValue>::deserialize(deserializer)?;
        let text = raw.get();
        let number = match text.as_bytes().first() {
            Some(b'-' | b'0'..=b'9') => Some(text.to_owned()),
            Some(b'"') => serde_json::from_str::<String>(text)
                .ok()
                .map(|s| s.trim().to_owned())
                .filter(|s| s.parse::<alura_api::Decimal>().is_ok()),
            _ => None,
        };
        match number {
            Some(number) => decimal(self.py, &number).map_err(py_error),
            None => {
                let mut de = serde_json::Deserializer::from_str(text);
                Any { py: self.py, keys: self.keys }.deserialize(&mut de).map_err(de::Error::custom)
            }
        }
    }
}

/// `decimal.Decimal(text)`: exact, whatever the thread's decimal context (a constructor from
/// text does not round), and the global context is never touched.
pub(crate) fn decimal<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    crate::from_python::decimal_type(py)?.call1((text,))
}

impl<'de, 'py> DeserializeSeed<'de> for Key<'py, '_> {
    type Value = (Bound<'py, PyString>, bool);
    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        // Bytes: serde_json hands a key over unescaped but not checked as UTF-8.
        deserializer.deserialize_bytes(self)
    }
}

impl<'de, 'py> Visitor<'de> for Key<'py, '_> {
    type Value = (Bound<'py, PyString>, bool);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
        self.keys.get(self.py, v).map_err(|e| E::custom(format!("an object key is not UTF-8: {e}")))
    }
    // A `serde_json::Value`'s keys come as strings.
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        self.visit_bytes(v.as_bytes())
    }
}
