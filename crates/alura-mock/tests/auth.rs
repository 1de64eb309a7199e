//! Wallet login against the simulator with real signatures: what passes and what does not.

mod common;

use std::time::Duration;

use alloy_signer_local::PrivateKeySigner;
use alura_mock::{Config, MockServer};
use common::{challenge, get, login, post, sign_in, verify_body};
use serde_json::{Value, json};

async fn message_of(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (status, response.json::<Value>().await.unwrap()["message"].clone())
}

#[tokio::test]
async fn a_real_signature_logs_in_and_the_token_works() {
    let mock = MockServer::start(Config::default()).unwrap();
    let wallet = PrivateKeySigner::random();
    let response = sign_in(mock.url(), &wallet, None).await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["ok"], true);
    assert_eq!(body["tokenType"], "Bearer");
    assert_eq!(body["expiresIn"], 86_400);
    let token = body["accessToken"].as_str().unwrap();
    let profile: Value = get(mock.url(), "/user/profile", Some(token)).await.json().await.unwrap();
    assert_eq!(profile["address"], wallet.address().to_checksum(None));
}

#[tokio::test]
async fn the_challenge_names_the_checksummed_address_and_a_fresh_nonce() {
    let mock = MockServer::start(Config::default()).unwrap();
    let wallet = PrivateKeySigner::random();
    let lower = format!("{:#x}", wallet.address());
    let a: Value =
        post(mock.url(), "/auth/evm/challenge", None, json!({"address": lower})).await.json().await.unwrap();
    let b: Value =
        post(mock.url(), "/auth/evm/challenge", None, json!({"address": lower})).await.json().await.unwrap();
    let checksummed = wallet.address().to_checksum(None);
    assert_eq!(a["address"], checksummed.as_str());
    assert!(a["message"].as_str().unwrap().contains(&checksummed));
    assert!(a["message"].as_str().unwrap().contains(a["nonce"].as_str().unwrap()));
    assert_ne!(a["nonce"], b["nonce"]);
}

#[tokio::test]
async fn a_signature_from_another_key_is_refused() {
    let mock = MockServer::start(Config::default()).unwrap();
    let (wallet, thief) = (PrivateKeySigner::random(), PrivateKeySigner::random());
    let message = challenge(mock.url(), &wallet).await;
    let r = post(mock.url(), "/auth/evm/verify", None, verify_body(&wallet, &thief, &message)).await;
    assert_eq!(message_of(r).await, (401, json!("Invalid signature")));
}

#[tokio::test]
async fn a_nonce_is_answered_once() {
    let mock = MockServer::start(Config::default()).unwrap();
    let wallet = PrivateKeySigner::random();
    let body = verify_body(&wallet, &wallet, &challenge(mock.url(), &wallet).await);
    assert_eq!(post(mock.url(), "/auth/evm/verify", None, body.clone()).await.status(), 201);
    let replay = post(mock.url(), "/auth/evm/verify", None, body).await;
    assert_eq!(message_of(replay).await, (401, json!("No pending challenge for this address")));
}

#[tokio::test]
async fn a_challenge_expires_after_five_minutes() {
    let mock = MockServer::start(Config::default()).unwrap();
    let wallet = PrivateKeySigner::random();
    let message = challenge(mock.url(), &wallet).await;
    mock.advance_clock(Duration::from_secs(5 * 60 + 1));
    let r = post(mock.url(), "/auth/evm/verify", None, verify_body(&wallet, &wallet, &message)).await;
    assert_eq!(message_of(r).await, (401, json!("Challenge expired")));
}

#[tokio::test]
async fn malformed_address_and_signature_are_bad_requests() {
    let mock = MockServer::start(Config::default()).unwrap();
    let r = post(mock.url(), "/auth/evm/challenge", None, json!({"address": "0x1234"})).await;
    assert_eq!(message_of(r).await, (400, json!(["address must be an Ethereum address"])));
    let r = post(mock.url(), "/auth/evm/challenge", None, json!({})).await;
    assert_eq!(
        message_of(r).await,
        (400, json!(["address should not be empty", "address must be an Ethereum address"]))
    );
    let address = PrivateKeySigner::random().address().to_checksum(None);
    let r =
        post(mock.url(), "/auth/evm/verify", None, json!({"address": address, "signature": "0xdead"})).await;
    assert_eq!(message_of(r).await.0, 400);
}

#[tokio::test]
async fn missing_forged_and_expired_tokens_are_refused() {
    let mock = MockServer::start(Config { token_ttl_secs: 60, ..Config::default() }).unwrap();
    let (token, _) = login(mock.url(), &PrivateKeySigner::random(), None).await;
    assert_eq!(get(mock.url(), "/user/profile", Some(&token)).await.status(), 200);
    assert_eq!(get(mock.url(), "/user/profile", None).await.status(), 401);
    let forged = format!("{}x", &token[..token.len() - 1]);
    assert_eq!(get(mock.url(), "/user/profile", Some(&forged)).await.status(), 401);
    mock.advance_clock(Duration::from_secs(61));
    let r = get(mock.url(), "/user/profile", Some(&token)).await;
    assert_eq!(message_of(r).await, (401, json!("Unauthorized")));
}

#[tokio::test]
async fn each_user_has_a_trading_agent_key_of_their_own() {
    let mock = MockServer::start(Config::default()).unwrap();
    let (a, _) = login(mock.url(), &PrivateKeySigner::random(), None).await;
    let (b, _) = login(mock.url(), &PrivateKeySigner::random(), None).await;
    let key_a: Value = get(mock.url(), "/auth/evm/trading-key", Some(&a)).await.json().await.unwrap();
    let again: Value = get(mock.url(), "/auth/evm/trading-key", Some(&a)).await.json().await.unwrap();
    let key_b: Value = get(mock.url(), "/auth/evm/trading-key", Some(&b)).await.json().await.unwrap();
    assert_eq!(key_a, again);
    assert_ne!(key_a["agentAddress"], key_b["agentAddress"]);
    let signer: PrivateKeySigner = key_a["agentPrivateKey"].as_str().unwrap().parse().unwrap();
    assert_eq!(signer.address().to_checksum(None), key_a["agentAddress"].as_str().unwrap());
}
