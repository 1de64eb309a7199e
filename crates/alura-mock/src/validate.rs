//! Request validation with class-validator's rules and messages.

use std::collections::HashMap;

use alloy_primitives::Address;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde_json::{Map, Value};

use crate::error::ApiError;

/// A JSON object body, parsed the way Express's body parser does: an empty body is `{}`,
/// and a body that is not JSON is a 400 with the parser's message. Only an `application/json`
/// body is read at all: Express leaves any other (text/plain, a form, no Content-Type) unparsed,
/// so the DTO sees `{}` and its required fields fail, as the spec declares JSON bodies only.
pub struct Body(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let json = is_json(&req);
        let bytes =
            Bytes::from_request(req, state).await.map_err(|e| ApiError::bad_request(e.body_text()))?;
        if !json || bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self(Map::new()));
        }
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => Ok(Self(map)),
            Ok(_) => Err(ApiError::bad_request("Request body must be a JSON object")),
            Err(e) => Err(ApiError::bad_request(format!("Unexpected token in JSON at {e}"))),
        }
    }
}

/// A body the spec marks required, even when every field in it is optional: an empty request
/// body is a 400 (an empty JSON object `{}` is fine).
pub struct RequiredBody(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for RequiredBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let json = is_json(&req);
        let (parts, body) = req.into_parts();
        let bytes = Bytes::from_request(Request::new(body), state)
            .await
            .map_err(|e| ApiError::bad_request(e.body_text()))?;
        // A body of another media type is no JSON body at all.
        if !json || bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(ApiError::validation(vec!["request body should not be empty".into()]));
        }
        let request = Request::from_parts(parts, axum::body::Body::from(bytes));
        Body::from_request(request, state).await.map(|Body(map)| Self(map))
    }
}

/// Whether the request says its body is JSON, as body-parser's `json()` decides: the media type
/// `application/json`, any case, parameters such as `charset` aside.
fn is_json(req: &Request) -> bool {
    req.headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

/// JavaScript's `Number.MAX_SAFE_INTEGER`: past it, the backend's `Number(query)` is not exact.
pub const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// A whole number from the query string within `min..=max`, as class-transformer and
/// class-validator read it; `Err` holds the failed rule.
pub fn query_int(
    query: &HashMap<String, String>,
    name: &str,
    min: i64,
    max: i64,
) -> Result<Option<i64>, String> {
    let Some(raw) = query.get(name) else { return Ok(None) };
    // Parsed as i128 so that a number past i64 reads "too large", not "not an integer".
    match raw.trim().parse::<i128>() {
        Ok(n) if n < i128::from(min) => Err(format!("{name} must not be less than {min}")),
        Ok(n) if n > i128::from(max) => Err(format!("{name} must not be greater than {max}")),
        Ok(n) => Ok(Some(n as i64)),
        Err(_) => Err(format!("{name} must be an integer number")),
    }
}

/// Collects every failed rule of one DTO, then answers them together as class-validator does.
pub struct Fields<'a> {
    body: &'a Map<String, Value>,
    errors: Vec<String>,
}

impl<'a> Fields<'a> {
    pub fn new(body: &'a Map<String, Value>) -> Self {
        Self { body, errors: Vec::new() }
    }

    /// The value, or `None` when absent (recording a failure when it is required).
    fn present(&mut self, name: &str, required: bool, type_message: &str) -> Option<&'a Value> {
        match self.body.get(name) {
            None | Some(Value::Null) => {
                if required {
                    self.errors.push(format!("{name} should not be empty"));
                    self.errors.push(format!("{name} {type_message}"));
                }
                None
            }
            Some(v) => Some(v),
        }
    }

    pub fn number(&mut self, name: &str, required: bool) -> Option<f64> {
        const MSG: &str = "must be a number conforming to the specified constraints";
        let v = self.present(name, required, MSG)?;
        match v.as_f64().filter(|n| n.is_finite()) {
            Some(n) => Some(n),
            None => {
                self.errors.push(format!("{name} {MSG}"));
                None
            }
        }
    }

    pub fn integer(&mut self, name: &str, required: bool) -> Option<i64> {
        const MSG: &str = "must be an integer number";
        let v = self.present(name, required, MSG)?;
        match v.as_i64().or_else(|| v.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)) {
            Some(n) => Some(n),
            None => {
                self.errors.push(format!("{name} {MSG}"));
                None
            }
        }
    }

    pub fn string(&mut self, name: &str, required: bool) -> Option<String> {
        const MSG: &str = "must be a string";
        let v = self.present(name, required, MSG)?;
        match v.as_str() {
            Some(s) => Some(s.to_owned()),
            None => {
                self.errors.push(format!("{name} {MSG}"));
                None
            }
        }
    }

    pub fn boolean(&mut self, name: &str, required: bool) -> Option<bool> {
        const MSG: &str = "must be a boolean value";
        let v = self.present(name, required, MSG)?;
        match v.as_bool() {
            Some(b) => Some(b),
            None => {
                self.errors.push(format!("{name} {MSG}"));
                None
            }
        }
    }

    pub fn one_of(&mut self, name: &str, allowed: &[&str], required: bool) -> Option<String> {
        let msg = format!("must be one of the following values: {}", allowed.join(", "));
        let v = self.present(name, required, &msg)?;
        match v.as_str().filter(|s| allowed.contains(s)) {
            Some(s) => Some(s.to_owned()),
            None => {
                self.errors.push(format!("{name} {msg}"));
                None
            }
        }
    }

    pub fn address(&mut self, name: &str, required: bool) -> Option<Address> {
        const MSG: &str = "must be an Ethereum address";
        let v = self.present(name, required, MSG)?;
        match v.as_str().and_then(parse_address) {
            Some(a) => Some(a),
            None => {
                self.errors.push(format!("{name} {MSG}"));
                None
            }
        }
    }

    /// `0x` + 64 hex digits.
    pub fn tx_hash(&mut self, name: &str, required: bool) -> Option<String> {
        const MSG: &str = "must be a transaction hash (0x + 64 hex digits)";
        let v = self.present(name, required, MSG)?;
        match v.as_str().filter(|s| is_hex(s, 64)) {
            Some(s) => Some(s.to_lowercase()),
            None => {
                self.errors.push(format!("{name} {MSG}"));
                None
            }
        }
    }

    pub fn min(&mut self, name: &str, value: Option<f64>, min: f64) -> Option<f64> {
        if value.is_some_and(|v| v < min) {
            self.errors.push(format!("{name} must not be less than {min}"));
            return None;
        }
        value
    }

    pub fn max(&mut self, name: &str, value: Option<f64>, max: f64) -> Option<f64> {
        if value.is_some_and(|v| v > max) {
            self.errors.push(format!("{name} must not be greater than {max}"));
            return None;
        }
        value
    }

    pub fn positive(&mut self, name: &str, value: Option<f64>) -> Option<f64> {
        if value.is_some_and(|v| v <= 0.0) {
            self.errors.push(format!("{name} must be a positive number"));
            return None;
        }
        value
    }

    /// Records a failed rule the typed helpers do not cover.
    pub fn reject(&mut self, message: String) {
        self.errors.push(message);
    }

    /// Fails with every collected message, or succeeds when there are none.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() { Ok(()) } else { Err(ApiError::validation(self.errors)) }
    }
}

pub fn is_hex(s: &str, digits: usize) -> bool {
    s.strip_prefix("0x").is_some_and(|h| h.len() == digits && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `0x` + 40 hex digits, any case (as class-validator's @IsEthereumAddress accepts).
pub fn parse_address(s: &str) -> Option<Address> {
    if is_hex(s, 40) { s.parse().ok() } else { None }
}
