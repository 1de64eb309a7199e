//! What the generated dispatch (`Client::call`) needs: arguments out of JSON, results into it.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// Refuses argument names the operation does not have, naming the ones it has.
pub(crate) fn check_names(operation: &str, args: &Map<String, Value>, known: &[&str]) -> Result<()> {
    let unknown: Vec<&str> = args.keys().map(String::as_str).filter(|k| !known.contains(k)).collect();
    if unknown.is_empty() {
        return Ok(());
    }
    Err(Error::invalid(format!(
        "{operation} has no argument {}; it takes: {}",
        unknown.join(", "),
        if known.is_empty() { "nothing".to_owned() } else { known.join(", ") }
    )))
}

/// A required path or query argument, as the builder's type.
pub(crate) fn arg<T: DeserializeOwned>(args: &Map<String, Value>, name: &str) -> Result<T> {
    opt_arg(args, name)?.ok_or_else(|| Error::invalid(format!("{name} is required")))
}

/// An optional argument; `null` counts as absent.
pub(crate) fn opt_arg<T: DeserializeOwned>(args: &Map<String, Value>, name: &str) -> Result<Option<T>> {
    match args.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => {
            serde_json::from_value(v.clone()).map(Some).map_err(|e| Error::invalid(format!("{name}: {e}")))
        }
    }
}

/// The body: the arguments that are body fields, as the body's type (`null`s left out).
pub(crate) fn body<T: DeserializeOwned>(args: &Map<String, Value>, fields: &[&str]) -> Result<T> {
    let object: Map<String, Value> = args
        .iter()
        .filter(|(k, v)| fields.contains(&k.as_str()) && !v.is_null())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    // The path names the field: "budget: invalid type: string \"lots\", expected f64".
    serde_path_to_error::deserialize(Value::Object(object)).map_err(|e| {
        let field = e.path().to_string();
        let inner = e.into_inner();
        if field == "." {
            Error::invalid(inner.to_string())
        } else {
            Error::invalid(format!("{field}: {inner}"))
        }
    })
}

/// A typed response of any operation, not yet turned into anything: each binding serializes
/// it straight into its own objects, so no language pays for an intermediate JSON value.
pub struct Reply(Box<dyn erased_serde::Serialize + Send + Sync>);

impl Reply {
    pub(crate) fn new<T: Serialize + Send + Sync + 'static>(value: T) -> Self {
        Self(Box::new(value))
    }

    /// The response as a JSON value.
    pub fn to_value(&self) -> Result<Value> {
        serde_json::to_value(self).map_err(|e| Error::Decode { message: e.to_string() })
    }
}

impl Serialize for Reply {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        erased_serde::serialize(&*self.0, serializer)
    }
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Reply")
    }
}
