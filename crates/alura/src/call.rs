//! What the generated dispatch (`Client::call`) needs: arguments out of JSON, results into it.

use std::future::Future;

use alura_api::types::ErrorResponse;
use bytes::Bytes;
use progenitor_client::ResponseValue;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::Client;
use crate::decode;
use crate::decode::observe;
use crate::errors::{Error, RawBody, Result};

/// Refuses argument names the operation does not have, naming the ones it has, and path
/// arguments that would move the call to another resource once the URL is parsed (a URL
/// parser takes `\` for `/`, and resolves `.` and `..`).
pub(crate) fn check_names(operation: &str, args: &Map<String, Value>, known: &[&str]) -> Result<()> {
    let paths = alura_api::find(operation)
        .into_iter()
        .flat_map(|op| op.fields)
        .filter(|f| f.location == alura_api::Location::Path);
    for field in paths {
        if let Some(Value::String(v)) = args.get(field.name)
            && (v.contains('\\') || matches!(v.as_str(), "" | "." | ".."))
        {
            return Err(Error::invalid(format!(
                "{}: {} may not be empty, \".\" or \"..\", nor contain a backslash (the call would go to another route)",
                operation, field.name
            )));
        }
    }
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

/// The answer of an operation, not yet turned into anything: each binding serializes it
/// straight into its own objects, so no language pays for an intermediate JSON value.
///
/// From [`Client::call`] it is the server's JSON exactly as it came (fields the spec does not
/// know, `null`s, numbers sent as strings), whether or not it fits the typed schema.
pub struct Reply(Body, Option<Meta>);

/// The answer's status and headers, for callers who want the raw response.
struct Meta {
    status: u16,
    headers: reqwest::header::HeaderMap,
}

enum Body {
    Json(Bytes),
    Nothing,
}

impl Reply {
    /// A typed value as the reply, written as JSON by serde_json: the one serializer that
    /// writes a [`crate::Decimal`] as its digits (any other would see serde_json's raw-value
    /// token, or a double).
    pub(crate) fn typed<T: Serialize>(value: T) -> Result<Self> {
        let json = serde_json::to_vec(&value).map_err(|e| Error::decode(e.to_string()))?;
        Ok(Self(Body::Json(Bytes::from(json)), None))
    }

    /// The answer's HTTP status, when it came from the server.
    pub fn status(&self) -> Option<u16> {
        self.1.as_ref().map(|m| m.status)
    }

    /// The answer's headers, when it came from the server.
    pub fn headers(&self) -> Option<&reqwest::header::HeaderMap> {
        self.1.as_ref().map(|m| &m.headers)
    }

    /// Whether this reply is exactly `body` (the same buffer, as a call observed it) and its
    /// [`Reply::to_json_text`] is those bytes: then a binding that handed them over as soon as
    /// they were read may let its caller keep what it made of them. An error when they are not
    /// JSON every language reads alike, as `to_json_text` would give.
    pub fn is_exactly(&self, body: &Bytes) -> Result<bool> {
        match &self.0 {
            Body::Json(bytes) if bytes.as_ptr() == body.as_ptr() && bytes.len() == body.len() => {
                readable(bytes)?;
                Ok(std::str::from_utf8(bytes).is_ok())
            }
            _ => Ok(false),
        }
    }

    /// The body as it came, when the reply holds it.
    pub fn body(&self) -> Option<&Bytes> {
        match &self.0 {
            Body::Json(bytes) => Some(bytes),
            _ => None,
        }
    }

    /// The response as JSON text: the server's own bytes when it sent JSON that every
    /// language reads alike (one value, finite numbers, at most 128 deep; else
    /// [`Error::Decode`]), else the typed value written out; `null` for no body.
    pub fn to_json_text(&self) -> Result<String> {
        match &self.0 {
            Body::Json(bytes) => {
                readable(bytes)?;
                match std::str::from_utf8(bytes) {
                    Ok(text) => Ok(text.to_owned()),
                    Err(_) => serde_json::to_string(self).map_err(|e| Error::decode(e.to_string())),
                }
            }
            _ => serde_json::to_string(self).map_err(|e| Error::decode(e.to_string())),
        }
    }

    /// The response as a JSON value. Its numbers are `serde_json` numbers, doubles past 2^53:
    /// for money's exact digits take [`Reply::to_json_text`] or the typed API
    /// ([`crate::Decimal`] fields).
    pub fn to_value(&self) -> Result<Value> {
        serde_json::to_value(self).map_err(|e| Error::decode(e.to_string()))
    }
}

/// `bytes` as JSON every language reads alike (one value, finite numbers, at most 128 deep).
fn readable(bytes: &[u8]) -> Result<()> {
    crate::decode::readable(bytes)
        .map_err(|e| Error::decode(format!("the body is not JSON every language reads alike: {e}")))
}

impl Serialize for Reply {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        match &self.0 {
            Body::Json(bytes) => {
                let mut json = serde_json::Deserializer::from_slice(bytes);
                serde_transcode::transcode(&mut json, serializer)
            }
            Body::Nothing => serializer.serialize_none(),
        }
    }
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Reply")
    }
}

type Sent<T> = std::result::Result<ResponseValue<T>, progenitor_client::Error<ErrorResponse>>;

impl Client {
    /// Calls the operation `operation_id` with `args`, an object of its path, query and body
    /// fields by their names in the spec (`tradeId`, `profitTarget`, ...), and returns the
    /// server's answer as it came ([`Reply::to_value`] gives JSON). Arguments are checked
    /// against the generated types before sending; the answer is checked against its typed
    /// schema, and a mismatch is a warning (an error when the client is strict).
    ///
    /// An asset may be given in any form wherever one is meant: `assetIndex` takes a symbol
    /// (`"BTC"`), `symbol` an index. Refused arguments are named as the client's language
    /// writes them ([`crate::ClientOptions::language`]).
    pub async fn call(&self, operation_id: &str, args: Map<String, Value>) -> Result<Reply> {
        let language = self.language();
        let worded = |e| crate::errors::words::in_users_words(e, operation_id, language);
        let args = crate::asset::any_form(args).map_err(worded)?;
        self.dispatch(operation_id, args).await.map_err(worded)
    }

    /// [`Client::call`], handing `observer` the body of each successful answer as soon as it
    /// is read: before it is checked against the schema, so a binding can start turning a
    /// long answer into its language's objects on another thread while the check runs. The
    /// reply's body, when it has one, is the last body observed (the same bytes).
    pub async fn call_observing(
        &self,
        operation_id: &str,
        args: Map<String, Value>,
        observer: impl Fn(&Bytes) + Send + Sync + 'static,
    ) -> Result<Reply> {
        observe::observing(Box::new(observer), self.call(operation_id, args)).await
    }

    /// The reply of a generated call: the server's answer as it came, checked against `T`.
    /// A mismatch is one warning per operation and path, or [`Error::Decode`] when strict.
    pub(crate) async fn reply<T>(
        &self,
        operation: &'static str,
        send: impl Future<Output = Sent<T>>,
    ) -> Result<Reply>
    where
        T: DeserializeOwned + Serialize + Send + Sync + 'static,
    {
        let ((sent, captured), tolerated) = decode::counting_tolerated(decode::capturing(send)).await;
        let (meta, captured) = match captured {
            Some(c) => (Some(Meta { status: c.status, headers: c.headers }), Some(c.body)),
            None => (None, None),
        };
        let body = match (sent, captured) {
            // The generated client decoded it as `T`: it fits, and is handed back as it came.
            (Ok(_), Some(body)) if tolerated == 0 => return Ok(Reply(Body::Json(body), meta)),
            // It fits once numbers sent as strings are read as numbers: drift all the same.
            (Ok(_), Some(body)) => {
                let found = alura_api::tolerant::strictly(|| decode::mismatch::<T>(&body));
                if let Some((path, message)) = found {
                    self.off_spec(operation, &path, &message, &body)?;
                }
                return Ok(Reply(Body::Json(body), meta));
            }
            (Ok(value), None) => return Reply::typed(value.into_inner()),
            (Err(progenitor_client::Error::InvalidResponsePayload(body, _)), _) => body,
            (Err(e), _) => return Err(e.into()),
        };
        let Some((path, message)) = decode::mismatch::<T>(&body) else {
            return Ok(Reply(Body::Json(body), meta));
        };
        let empty = body.iter().all(u8::is_ascii_whitespace);
        if !empty && serde_json::from_slice::<serde::de::IgnoredAny>(&body).is_err() {
            // Not JSON at all (a cut-off or garbled body): there is no answer to hand back.
            return Err(Error::Decode {
                message: format!("{operation}: the body is not JSON: {message}"),
                path: Some(path),
                body: Some(RawBody(body)),
                call: Box::default(),
            });
        }
        self.off_spec(operation, &path, &message, &body)?;
        Ok(Reply(if empty { Body::Nothing } else { Body::Json(body) }, meta))
    }

    /// An answer that does not fit the spec at `path`: [`Error::Decode`] when strict, else one
    /// warning per operation and path.
    fn off_spec(&self, operation: &'static str, path: &str, message: &str, body: &Bytes) -> Result<()> {
        if self.strict() {
            return Err(Error::Decode {
                message: format!("{operation}: {message}"),
                path: Some(path.to_owned()),
                body: Some(RawBody(body.clone())),
                call: Box::default(),
            });
        }
        self.drift().warn(operation, path, message, body);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every decimal the server writes comes back as the same double, as Rust's (and V8's)
    /// correctly rounded parser reads it; serde_json's default fast path was one unit off here.
    #[test]
    fn numbers_arrive_exactly_as_the_server_wrote_them() {
        for text in ["9.396461976483337e-7", "65000.123456789", "0.1", "3.0000000000000004", "1e-300"] {
            let reply = Reply(Body::Json(Bytes::from(format!("{{\"pnl\":{text}}}"))), None);
            let value = reply.to_value().unwrap()["pnl"].as_f64().unwrap();
            assert_eq!(value.to_bits(), text.parse::<f64>().unwrap().to_bits(), "{text}");
            assert_eq!(reply.to_json_text().unwrap(), format!("{{\"pnl\":{text}}}"));
        }
    }

    /// The bodies parsers disagree on are a decode error from the core, whoever reads them.
    #[test]
    fn a_body_languages_read_differently_is_refused_once() {
        let text = |body: &str| Reply(Body::Json(Bytes::from(body.to_owned())), None).to_json_text();
        for odd in ["{\"x\":1e400}", "[] trailing", &format!("{}{}", "[".repeat(200), "]".repeat(200))] {
            let err = text(odd).unwrap_err();
            assert!(matches!(err, Error::Decode { .. }), "{odd:.20}: {err:?}");
        }
        assert_eq!(text("{\"x\":1e300} \n").unwrap(), "{\"x\":1e300} \n", "whitespace after is fine");
        assert!(crate::decode::mismatch::<serde_json::Value>(b"{} trailing").is_some());
    }
}
