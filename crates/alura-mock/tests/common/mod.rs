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

/// Signs in and returns (token, user id).
pub async fn login(base: &str, wallet: &PrivateKeySigner, referral: Option<&str>) -> (String, String) {
    let response = sign_in(base, wallet, referral).await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    (body["accessToken"].as_str().unwrap().to_owned(), body["user"]["id"].as_str().unwrap().to_owned())
}
