//! JSON into Python objects, from the server's text or from a JSON value: one serde
//! `DeserializeSeed`, so no JSON value is built in between for text, with object keys shared through a small cache. A history of
//! 100,000 candles has six distinct keys; making, hashing and freeing 600,000 key strings was
//! the largest single cost of turning it into rows (bench/README.md).

use std::cell::RefCell;
use std::fmt;

use pyo3::IntoPyObjectExt;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

/// `json` (one JSON document) as Python objects.
pub fn to_py<'py>(py: Python<'py>, json: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    let mut de = serde_json::Deserializer::from_slice(json);
    let value = Any(py).deserialize(&mut de).and_then(|v| de.end().map(|()| v));
    value.map_err(|e| crate::errors::to_py(py, alura::Error::decode(format!("the body is not JSON: {e}"))))
}

/// A JSON value (a reply of `request`, an error's details) as Python objects.
pub fn value_to_py<'py>(py: Python<'py>, value: &serde_json::Value) -> PyResult<Bound<'py, PyAny>> {
    Any(py).deserialize(value).map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))
}

const KEY_SLOTS: usize = 512;
/// Longer keys are rare and seldom repeat: they are made each time.
const LONGEST_CACHED_KEY: usize = 64;

/// A key's text and its interned Python string.
type KeySlot = Option<(Box<str>, Py<PyString>)>;

thread_local! {
    /// Keys seen lately, direct-mapped by a hash of their text; a clash only costs a miss.
    static KEYS: RefCell<Vec<KeySlot>> =
        RefCell::new((0..KEY_SLOTS).map(|_| None).collect());
}

fn key<'py>(py: Python<'py>, text: &str) -> Bound<'py, PyString> {
    if text.len() > LONGEST_CACHED_KEY {
        return PyString::new(py, text);
    }
    // FNV-1a: short keys, no need for a keyed hash (a clash costs a miss, not a collision).
    let hash =
        text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    let slot = (hash as usize) % KEY_SLOTS;
    KEYS.with_borrow_mut(|keys| match &keys[slot] {
        Some((cached, string)) if **cached == *text => string.bind(py).clone(),
        _ => {
            let string = PyString::intern(py, text);
            keys[slot] = Some((text.into(), string.clone().unbind()));
            string
        }
    })
}

/// Any JSON value.
struct Any<'py>(Python<'py>);

/// An object's key.
struct Key<'py>(Python<'py>);

fn py_error<E: de::Error>(e: PyErr) -> E {
    E::custom(e)
}

impl<'de, 'py> DeserializeSeed<'de> for Any<'py> {
    type Value = Bound<'py, PyAny>;
    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, 'py> Visitor<'de> for Any<'py> {
    type Value = Bound<'py, PyAny>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        v.into_bound_py_any(self.0).map_err(py_error)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        v.into_bound_py_any(self.0).map_err(py_error)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        v.into_bound_py_any(self.0).map_err(py_error)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        v.into_bound_py_any(self.0).map_err(py_error)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(PyString::new(self.0, v).into_any())
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(self.0.None().into_bound(self.0))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element_seed(Any(self.0))? {
            items.push(item);
        }
        PyList::new(self.0, items).map(Bound::into_any).map_err(py_error)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let dict = PyDict::new(self.0);
        while let Some(k) = map.next_key_seed(Key(self.0))? {
            let v = map.next_value_seed(Any(self.0))?;
            dict.set_item(k, v).map_err(py_error)?;
        }
        Ok(dict.into_any())
    }
}

impl<'de, 'py> DeserializeSeed<'de> for Key<'py> {
    type Value = Bound<'py, PyString>;
    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de, 'py> Visitor<'de> for Key<'py> {
    type Value = Bound<'py, PyString>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(key(self.0, v))
    }
}
