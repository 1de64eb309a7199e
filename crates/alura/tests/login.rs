//! Wallet login and the token's life, observed in the simulator's request log.

mod common;

use std::sync::Arc;
use std::time::Duration;

use alloy_signer_local::PrivateKeySigner;
use alura::{Client, Error};
use alura_mock::{Config, Fault, MockServer};
use common::{Waits, builder, client, mock, sent, status};

#[tokio::test]
async fn a_hundred_concurrent_calls_cause_one_login() {
    let mock = mock();
    let (client, _) = client(&mock);
    let calls = (0..100).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.api().get_profile().send().await.map_err(Error::from) })
    });
    for call in futures_util::future::join_all(calls).await {
        call.unwrap().unwrap();
    }
    assert_eq!(sent(&mock, "request_challenge"), 1);
    assert_eq!(sent(&mock, "verify_signature"), 1);
    assert_eq!(sent(&mock, "get_profile"), 100);
}

#[tokio::test]
async fn public_operations_need_no_login() {
    let mock = mock();
    let (client, _) = client(&mock);
    client.api().get_symbols().send().await.unwrap();
    assert_eq!(sent(&mock, "request_challenge"), 0);
    let anonymous = Client::builder().base_url(mock.url()).build().unwrap();
    let symbols = anonymous.api().get_symbols().send().await.unwrap().into_inner();
    assert_eq!(symbols.symbols[0], "BTC");
}

#[tokio::test]
async fn the_token_is_renewed_before_it_lapses() {
    // 2 s is the shortest lifetime the client takes a server's word for; it renews a tenth
    // of the lifetime before the end.
    let mock = MockServer::start(Config { token_ttl_secs: 2, ..Config::default() }).unwrap();
    let (client, _) = client(&mock);
    client.api().get_profile().send().await.unwrap();
    tokio::time::sleep(Duration::from_millis(1850)).await;
    client.api().get_profile().send().await.unwrap();
    assert_eq!(sent(&mock, "verify_signature"), 2, "a second login, made before the call");
    let statuses: Vec<_> = mock.requests(Some("get_profile")).iter().map(|r| r.status).collect();
    assert_eq!(statuses, [Some(200), Some(200)], "no call was refused for an expired token");
}

#[tokio::test]
async fn a_401_logs_in_again_and_replays_once() {
    let mock = mock();
    let (client, _) = client(&mock);
    client.login().await.unwrap();
    mock.inject("get_profile", [Fault::ExpiredToken]);
    let profile = client.api().get_profile().send().await.unwrap().into_inner();
    assert_eq!(profile.address.unwrap().parse().ok(), client.address());
    assert_eq!(sent(&mock, "get_profile"), 2);
    assert_eq!(sent(&mock, "verify_signature"), 2);
}

#[tokio::test]
async fn a_second_401_is_an_auth_error() {
    let mock = mock();
    let (client, _) = client(&mock);
    mock.inject("get_profile", [Fault::ExpiredToken, Fault::ExpiredToken]);
    let err = Error::from(client.api().get_profile().send().await.unwrap_err());
    assert!(matches!(err, Error::Auth { status: Some(401), .. }), "{err:?}");
    assert_eq!(sent(&mock, "get_profile"), 2, "replayed once, not more");
    assert_eq!(sent(&mock, "verify_signature"), 2);
}

#[tokio::test]
async fn a_refused_verify_starts_over_from_a_new_challenge_once() {
    let mock = mock();
    let (client, _) = client(&mock);
    mock.inject("verify_signature", [status(401, &[])]);
    client.login().await.unwrap();
    assert_eq!((sent(&mock, "request_challenge"), sent(&mock, "verify_signature")), (2, 2));

    let (client, _) = common::client(&mock);
    mock.clear_requests();
    mock.inject("verify_signature", [status(401, &[]), status(401, &[])]);
    let err = client.login().await.unwrap_err();
    assert!(matches!(&err, Error::Auth { message, .. } if message.starts_with("login refused")), "{err:?}");
    assert_eq!((sent(&mock, "request_challenge"), sent(&mock, "verify_signature")), (2, 2));
}

#[tokio::test]
async fn a_challenge_for_another_address_is_not_signed() {
    let mock = mock();
    let (client, _) = client(&mock);
    let stranger = PrivateKeySigner::random().address().to_checksum(None);
    let body = serde_json::json!({"address": stranger, "nonce": "n", "message": format!("Sign in\nAddress: {stranger}")});
    mock.inject(
        "request_challenge",
        [Fault::Status { status: 201, headers: Default::default(), body: Some(body) }],
    );
    let err = client.login().await.unwrap_err();
    assert!(
        matches!(&err, Error::Auth { message, .. } if message.contains("not for our address")),
        "{err:?}"
    );
    assert_eq!(sent(&mock, "verify_signature"), 0);
}

#[tokio::test]
async fn a_given_token_is_used_and_a_401_on_it_is_final_without_a_key() {
    let mock = mock();
    let (keyed, _) = client(&mock);
    keyed.login().await.unwrap();
    let anonymous = Client::builder().base_url(mock.url()).token("alura_not_a_real_token").build().unwrap();
    let err = Error::from(anonymous.api().get_profile().send().await.unwrap_err());
    assert!(matches!(err, Error::Auth { status: Some(401), .. }), "{err:?}");
    assert_eq!(sent(&mock, "get_profile"), 1);
    assert_eq!(sent(&mock, "verify_signature"), 1, "only the keyed client logged in");
}

#[tokio::test]
async fn no_credentials_fail_before_sending() {
    let mock = mock();
    let client = Client::builder().base_url(mock.url()).build().unwrap();
    let err = Error::from(client.api().get_profile().send().await.unwrap_err());
    assert!(
        matches!(&err, Error::Auth { status: None, message, .. } if message.contains("ALURA_PRIVATE_KEY")),
        "{err}"
    );
    assert!(mock.requests(None).is_empty());
}

#[tokio::test]
async fn a_bad_key_is_refused_at_build_without_echoing_it() {
    for key in ["0x1234", "not hex at all", &"g".repeat(64)] {
        let err = Client::builder().private_key(key).base_url("http://127.0.0.1:1").build().unwrap_err();
        assert!(matches!(err, Error::InvalidInput { .. }));
        assert!(!err.to_string().contains(key), "{err}");
    }
    let key = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
    let with_prefix = Client::builder().private_key(format!("0x{key}")).build().unwrap();
    let without = Client::builder().private_key(key).build().unwrap();
    assert_eq!(with_prefix.address(), without.address());
    assert_eq!(without.address().unwrap().to_checksum(None), "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23");
}

#[tokio::test]
async fn the_referral_code_goes_with_the_first_login() {
    let mock = mock();
    let (referrer, _) = client(&mock);
    let me = referrer.api().get_profile().send().await.unwrap().into_inner();
    referrer
        .api()
        .create_referral_code()
        .user_id(me.id.as_deref().unwrap())
        .body_map(|b| b.code("FRIEND01".to_owned()))
        .send()
        .await
        .unwrap();
    let waits = Arc::new(Waits::default());
    let friend = builder(&mock, &waits).referral_code("FRIEND01").build().unwrap();
    let profile = friend.api().get_profile().send().await.unwrap().into_inner();
    assert_eq!(profile.referred_by, me.id);
}
