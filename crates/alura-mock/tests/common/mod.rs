//! Helpers for the simulator's tests: a raw HTTP client and a real wallet login.
#![allow(dead_code)]

use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use reqwest::{Client, Response};
use serde_json::{Value, json};

pub fn http() -> Client {
    // no_proxy: a proxy variable in the environment must never catch loopback traffic.
    Client::builder().no_proxy().build().unwrap()
}

pub async fn post(base: &str, path: &str, token: Option<&str>, body: Value) -> Response {
    let mut req = http().post(format!("{base}{path}")).json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

pub async fn get(base: &str, path: &str, token: Option<&str>) -> Response {
    let mut req = http().get(format!("{base}{path}"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

/// Asks for a challenge for `wallet`'s address; returns the message to sign.
pub async fn challenge(base: &str, wallet: &PrivateKeySigner) -> String {
    let body = json!({"address": wallet.address().to_checksum(None)});
    let challenge: Value = post(base, "/auth/evm/challenge", None, body).await.json().await.unwrap();
    challenge["message"].as_str().unwrap().to_owned()
}

/// A verify body claiming `wallet`'s address, with `signer`'s personal_sign of `message`.
pub fn verify_body(wallet: &PrivateKeySigner, signer: &PrivateKeySigner, message: &str) -> Value {
    let signature = signer.sign_message_sync(message.as_bytes()).unwrap();
    json!({"address": wallet.address().to_checksum(None), "signature": signature.to_string()})
}

/// Challenge, personal_sign of the exact message, verify. Returns the verify response.
pub async fn sign_in(base: &str, wallet: &PrivateKeySigner, referral: Option<&str>) -> Response {
    let message = challenge(base, wallet).await;
    let mut body = verify_body(wallet, wallet, &message);
    if let Some(code) = referral {
        body["referralCode"] = json!(code);
    }
    post(base, "/auth/evm/verify", None, body).await
}

/// Signs in and returns the token alone (in drift mode, verify's `user` has no id).
pub async fn token(base: &str, wallet: &PrivateKeySigner) -> String {
    let response = sign_in(base, wallet, None).await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    body["accessToken"].as_str().unwrap().to_owned()
}

/// Signs in and returns (token, user id).
pub async fn login(base: &str, wallet: &PrivateKeySigner, referral: Option<&str>) -> (String, String) {
    let response = sign_in(base, wallet, referral).await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    (body["accessToken"].as_str().unwrap().to_owned(), body["user"]["id"].as_str().unwrap().to_owned())
}

/// openapi/alura.json, the spec every generator reads.
pub fn spec() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi/alura.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A schema with its `$ref` followed.
pub fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => &spec["components"]["schemas"][r.rsplit('/').next().unwrap()],
        None => schema,
    }
}

/// A request body built from the schema's examples, enums and bounds.
pub fn example(spec: &Value, schema: &Value) -> Value {
    let schema = resolve(spec, schema);
    if let Some(e) = schema.get("example") {
        return e.clone();
    }
    if let Some(e) = schema["enum"].as_array() {
        return e[0].clone();
    }
    match schema["type"].as_str() {
        Some("object") => Value::Object(
            schema["properties"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, s)| (k.clone(), example(spec, s)))
                .collect(),
        ),
        Some("number") | Some("integer") => schema.get("minimum").cloned().unwrap_or(json!(1)),
        Some("boolean") => json!(false),
        _ => json!("x"),
    }
}

/// Every operation of the spec: (operation id, method, path template, operation object).
pub fn operations(spec: &Value) -> Vec<(String, String, String, Value)> {
    let mut ops = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap().to_owned();
            ops.push((id, method.clone(), path.clone(), op.clone()));
        }
    }
    ops
}
