//! Drift mode: successful answers reshaped the way a real NestJS + TypeORM backend drifts from
//! the spec we guessed for it.
//!
//! The backend's contract only documents the challenge and verify answers, so every other schema
//! in `openapi/alura.json` is our guess. Drift mode lets clients prove they survive a server that
//! differs: extra fields (entity columns such as `updatedAt`, an interceptor's `meta`), optional
//! fields missing or `null`, Postgres `numeric` columns served as strings (`"100.00"`, as TypeORM
//! does), and the verify answer's `user` cut down to `{"address"}`.
//!
//! What a client needs to carry on is never touched: ids, `status`, `symbol`, time keys, codes,
//! the challenge, the token, a signed action. Which optional field is dropped or nulled is a hash
//! of the seed, the operation and the field name, so a seed always drifts the same way.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::body::{Body, to_bytes};
use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use serde_json::{Map, Value, json};

use crate::Shared;
use crate::faults::operation_of;
use crate::market::mix;
use crate::state::iso;

/// Fields a client needs to go on (to log in, address a resource, key a series, submit a signed
/// action): never dropped, nulled or retyped.
fn protected(key: &str) -> bool {
    key == "id"
        || key.ends_with("Id")
        || matches!(
            key,
            "status"
                | "symbol"
                | "openTime"
                | "closeTime"
                | "timestamp"
                | "code"
                | "valid"
                | "txHash"
                | "accessToken"
                | "address"
                | "nonce"
                | "message"
                | "signature"
                | "action"
                | "agentAddress"
                | "agentPrivateKey"
        )
}

/// The fields the first guessed response schemas required (by name, across schemas): the core a
/// drifting backend still keeps. They may be retyped (a decimal as a string) but never go missing,
/// so drift models a server that varies around its contract, not one no client could use.
const REQUIRED: [&str; 19] = [
    "ok",
    "tokenType",
    "expiresIn",
    "assetIndex",
    "positions",
    "data",
    "page",
    "limit",
    "total",
    "success",
    "open",
    "high",
    "low",
    "close",
    "volume",
    "symbols",
    "interval",
    "signal",
    "rank",
];

/// Money a user's account cannot be without: `NOT NULL` numeric columns, served as strings in
/// drift but never left out, so the shared scenarios read them exactly in both wire forms.
const NOT_NULL_MONEY: [&str; 2] = ["balance", "budget"];

/// Fields that would be Postgres `numeric` columns; TypeORM hands those over as strings.
const DECIMALS: [&str; 23] = [
    "budget",
    "amount",
    "balance",
    "totalDeposited",
    "pnl",
    "unrealizedPnl",
    "size",
    "entryPrice",
    "markPrice",
    "profitTarget",
    "lossThreshold",
    "open",
    "high",
    "low",
    "close",
    "volume",
    "totalRewards",
    "totalVolume",
    "totalPnl",
    "averagePnl",
    "medianPnl",
    "roi",
    "strength",
];

/// Free-form payloads (a log's data, health details, indicator values): passed through as they are.
const OPAQUE: [&str; 5] = ["data", "info", "details", "error", "indicators"];

/// How one answer is reshaped.
pub struct Drift<'a> {
    pub seed: u64,
    pub operation: &'a str,
    /// The request path, for the interceptor's `meta`.
    pub path: &'a str,
    pub now_ms: i64,
}

impl Drift<'_> {
    /// Rewrites a successful JSON answer in place.
    pub fn apply(&self, body: &mut Value) {
        match body {
            Value::Object(map) => {
                self.object(map);
                if self.operation == "verify_signature" {
                    trim_user(map);
                }
                map.insert("meta".into(), json!({"timestamp": iso(self.now_ms), "path": self.path}));
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.value(v)),
            _ => {}
        }
    }

    fn value(&self, v: &mut Value) {
        match v {
            Value::Object(map) => self.object(map),
            Value::Array(items) => items.iter_mut().for_each(|v| self.value(v)),
            _ => {}
        }
    }

    fn object(&self, map: &mut Map<String, Value>) {
        // A nullable column that is null is often left out of the answer altogether.
        let nulls: Vec<String> = map
            .iter()
            .filter(|(k, v)| v.is_null() && droppable(k) && self.hash(k) & 1 == 1)
            .map(|(k, _)| k.clone())
            .collect();
        for key in nulls {
            map.remove(&key);
        }
        // The first optional field by hash goes missing, the second turns null: both kinds of
        // drift show up in every object that has two optional fields.
        let mut optional: Vec<(u64, String)> = map
            .iter()
            .filter(|(k, v)| droppable(k) && !v.is_null() && !(k.as_str() == "user" && v.is_object()))
            .map(|(k, _)| (self.hash(k), k.clone()))
            .collect();
        optional.sort();
        if let Some((_, key)) = optional.first() {
            map.remove(key);
        }
        if let Some((_, key)) = optional.get(1) {
            map.insert(key.clone(), Value::Null);
        }
        for (key, v) in map.iter_mut() {
            if self.is_decimal(key) {
                if let Some(x) = v.as_f64().filter(|x| x.is_finite()) {
                    *v = Value::String(decimal_string(x));
                }
            } else if !protected(key) && !opaque(key, v) {
                self.value(v);
            }
        }
        let updated = map.get("createdAt").filter(|v| v.is_string()).cloned();
        map.insert("updatedAt".into(), updated.unwrap_or_else(|| json!(iso(self.now_ms))));
        map.insert("deletedAt".into(), Value::Null);
    }

    fn is_decimal(&self, key: &str) -> bool {
        DECIMALS.contains(&key) || (key == "total" && self.operation == "get_total_deposited")
    }

    fn hash(&self, key: &str) -> u64 {
        // FNV-1a over the operation and field name, mixed with the seed.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in self.operation.bytes().chain([b'/']).chain(key.bytes()) {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        mix(self.seed ^ h)
    }
}

fn opaque(key: &str, v: &Value) -> bool {
    OPAQUE.contains(&key) && v.is_object()
}

fn droppable(key: &str) -> bool {
    !protected(key) && !REQUIRED.contains(&key) && !NOT_NULL_MONEY.contains(&key)
}

/// Verify's `user` as a backend that returns only what it signed: `{"address": "0x…"}`, no id.
fn trim_user(map: &mut Map<String, Value>) {
    if let Some(user) = map.get_mut("user")
        && let Some(address) = user.get("address").cloned()
    {
        *user = json!({"address": address});
    }
}

/// A Postgres `numeric` as node-postgres prints it: two decimals for whole cents, up to eight
/// significant decimals otherwise.
pub fn decimal_string(x: f64) -> String {
    let cents = x * 100.0;
    if (cents - cents.round()).abs() <= 1e-9 * cents.abs().max(1.0) {
        return format!("{x:.2}");
    }
    let s = format!("{x:.8}");
    let trimmed = s.trim_end_matches('0');
    match trimmed.split_once('.') {
        Some((_, decimals)) if decimals.len() < 2 => format!("{x:.2}"),
        _ => trimmed.to_owned(),
    }
}

/// Middleware around the API routes (inside `observe`, so faults apply to what drift produced).
pub async fn drift(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    if !shared.drift.load(Ordering::Relaxed) {
        return next.run(request).await;
    }
    let route = request.extensions().get::<MatchedPath>().map(|m| m.as_str().to_owned()).unwrap_or_default();
    let operation = operation_of(request.method(), &route);
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    if !response.status().is_success() || !is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, usize::MAX).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let Ok(mut value) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    let drift = Drift { seed: shared.config.seed, operation, path: &path, now_ms: shared.clock.now_ms() };
    drift.apply(&mut value);
    parts.headers.remove(header::CONTENT_LENGTH);
    let bytes = serde_json::to_vec(&value).unwrap_or_else(|_| bytes.to_vec());
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drift(operation: &str) -> Drift<'_> {
        Drift { seed: 42, operation, path: "/x", now_ms: 0 }
    }

    #[test]
    fn decimals_print_like_postgres_numeric() {
        assert_eq!(decimal_string(100.0), "100.00");
        assert_eq!(decimal_string(0.5), "0.50");
        assert_eq!(decimal_string(-12.34), "-12.34");
        assert_eq!(decimal_string(0.123456), "0.123456");
        assert_eq!(decimal_string(65_000.123_456_789), "65000.12345679");
    }

    #[test]
    fn protected_fields_survive_and_the_same_seed_drifts_the_same_way() {
        let original = json!({
            "id": "a", "sessionId": "b", "status": "open", "symbol": "BTC", "openTime": 1,
            "budget": 100.0, "type": "quick", "createdAt": "2024-01-01T00:00:00.000Z", "side": "long",
            "positions": [{"id": "p", "size": 0.5, "side": "long", "markPrice": 1.5}],
        });
        let mut a = original.clone();
        drift("get_current_trade").apply(&mut a);
        for key in ["id", "sessionId", "status", "symbol", "openTime"] {
            assert_eq!(a[key], original[key], "{key}");
        }
        assert_eq!(a["positions"][0]["id"], "p");
        assert!(a["updatedAt"].is_string() && a["meta"].is_object());
        let mut b = original.clone();
        drift("get_current_trade").apply(&mut b);
        assert_eq!(a, b);
    }

    #[test]
    fn verify_keeps_its_token_and_trims_the_user() {
        let mut v = json!({"ok": true, "accessToken": "t", "tokenType": "Bearer", "expiresIn": 60,
                           "user": {"id": "u", "address": "0xA", "balance": 1.0}});
        drift("verify_signature").apply(&mut v);
        assert_eq!(v["user"], json!({"address": "0xA"}));
        assert_eq!((v["accessToken"].clone(), v["expiresIn"].clone()), (json!("t"), json!(60)));
    }
}
