//! What callers see when things go wrong, and what they never see: secrets.

mod common;

use alura::{Asset, Client, Error, QuickTrade};
use common::{client, mock, sent};

const KEY: &str = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
const TOKEN: &str = "alura_secret_token_0123456789";

#[tokio::test]
async fn bad_arguments_fail_before_anything_is_sent() {
    let mock = mock();
    let (client, _) = client(&mock);
    client.login().await.unwrap();
    let err = client.quick_trade(QuickTrade::new(Asset::BTC, 5, 600)).await.unwrap_err();
    assert!(matches!(&err, Error::InvalidInput { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "invalid input: budget must not be less than 10; profitTarget must not be greater than 500"
    );
    let err = Error::from(
        client.api().create_trading_session().body_map(|b| b.budget(100.0)).send().await.unwrap_err(),
    );
    assert!(
        matches!(&err, Error::InvalidInput { message } if message.contains("no value supplied")),
        "{err:?}"
    );
    assert_eq!(sent(&mock, "create_trading_session"), 0);
    assert!("DOGGO".parse::<Asset>().is_err() && Asset::try_from(6).is_err());
}

#[tokio::test]
async fn the_servers_validation_messages_come_through_as_a_list() {
    let mock = mock();
    let (client, _) = client(&mock);
    let err = Error::from(
        client
            .api()
            .create_trading_session()
            .body_map(|b| b.budget(100.0).profit_target(40.0).asset_index(9))
            .send()
            .await
            .unwrap_err(),
    );
    match &err {
        Error::Api { status, messages, body, .. } => {
            assert_eq!(*status, 400);
            assert_eq!(messages, &["assetIndex must be a valid asset index (0-5)"]);
            assert_eq!(body.as_ref().unwrap()["error"], "Bad Request");
        }
        other => panic!("{other:?}"),
    }
    let id = err.request_id().expect("every error of a call names its request id").to_owned();
    assert!(id.starts_with("req_"), "{id}");
    let key =
        err.call_info().and_then(|c| c.idempotency_key.clone()).expect("a POST has its idempotency key");
    let url = format!("{}/trading-sessions", mock.url());
    assert_eq!(
        err.to_string(),
        format!(
            "HTTP 400: assetIndex must be a valid asset index (0-5) (create_trading_session: POST {url}; request {id}; idempotency key {key})"
        ),
        "the call, where it went, its request id and key"
    );
    assert_eq!(err.status(), Some(400));
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn not_found_and_forbidden_are_api_errors() {
    let mock = mock();
    let (a, _) = client(&mock);
    let (b, _) = client(&mock);
    let session = a.quick_trade(QuickTrade::new(Asset::BTC, 100, 40)).await.unwrap();
    let err = Error::from(
        b.api().get_session_logs().session_id(session.id.as_deref().unwrap()).send().await.unwrap_err(),
    );
    assert!(matches!(err, Error::Api { status: 403, .. }), "{err:?}");
    a.api().get_current_trade().send().await.expect("a has an open trade");
    let err = Error::from(b.api().get_current_trade().send().await.unwrap_err());
    assert!(
        err.to_string().starts_with("HTTP 404: No active trade (get_current_trade: GET http://"),
        "{err}"
    );
}

#[tokio::test]
async fn a_network_error_says_where_and_whether_it_was_the_login_and_a_get_has_no_idempotency_key() {
    // Nothing listens on port 9 (discard) of loopback here: connections are refused.
    let client = Client::builder()
        .base_url("http://127.0.0.1:9")
        .signer(alloy_signer_local::PrivateKeySigner::random())
        .retry(alura::RetryPolicy { max_retries: 0, ..Default::default() })
        .build()
        .unwrap();
    let err = client.call("get_profile", serde_json::Map::new()).await.unwrap_err();
    assert_eq!(err.kind(), "NetworkError", "{err}");
    let text = err.to_string();
    assert!(
        text.contains(
            "(while logging in (request_challenge): POST http://127.0.0.1:9/auth/evm/challenge; request req_"
        ),
        "{text}"
    );
    assert!(!text.contains("idempotency key"), "{text}");
    assert!(err.call_info().unwrap().during_login);
    let err = client.call("get_symbols", serde_json::Map::new()).await.unwrap_err();
    assert!(
        err.to_string().contains(
            "(get_symbols: GET http://127.0.0.1:9/api/indicators/candles/aggregated/symbols; request req_"
        ),
        "{err}"
    );
}

#[test]
fn plain_http_only_to_loopback_unless_allowed() {
    for url in
        ["http://127.0.0.1:3000", "http://localhost:3000", "http://[::1]:3000", "https://api.example.com"]
    {
        Client::builder().base_url(url).build().unwrap_or_else(|e| panic!("{url}: {e}"));
    }
    let err = Client::builder().base_url("http://api.example.com").build().unwrap_err();
    assert!(err.to_string().contains("refusing plain http://"), "{err}");
    Client::builder().base_url("http://api.example.com").allow_insecure_http(true).build().unwrap();
    assert!(Client::builder().base_url("ftp://x").build().is_err());
    assert!(Client::builder().base_url("not a url").build().is_err());
    assert_eq!(Client::builder().build().unwrap().base_url(), alura::DEFAULT_BASE_URL);
}

#[test]
fn a_token_that_cannot_be_a_header_is_refused_when_building() {
    let err = Client::builder().token("abc\ndef").build().unwrap_err();
    assert!(matches!(&err, Error::Auth { message, .. } if message.contains("header")), "{err:?}");
    assert!(!err.to_string().contains("abc"), "the token is not echoed: {err}");
}

#[test]
fn debug_never_shows_a_key_or_a_token() {
    let builder = Client::builder().private_key(KEY).token(TOKEN);
    let shown = format!("{builder:?}");
    let client = builder.base_url("http://127.0.0.1:1").build().unwrap();
    for text in [shown, format!("{client:?}"), format!("{:#?}", client)] {
        assert!(!text.contains(&KEY[2..]) && !text.contains(TOKEN), "{text}");
    }
    assert!(
        format!("{client:?}").contains("0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"),
        "the address is shown"
    );
}

/// A server that echoes a token the client held before its latest login (a call sent it, then
/// another call logged in again): scrubbed too, from the error's text and its whole body.
#[tokio::test]
async fn an_older_token_echoed_back_is_scrubbed_too() {
    let mock = alura_mock::MockServer::start(alura_mock::Config::default()).unwrap();
    let client = alura::Client::builder()
        .base_url(mock.url())
        .signer(alloy_signer_local::PrivateKeySigner::random())
        .build()
        .unwrap();
    client.call("get_profile", Default::default()).await.unwrap();
    let first = client.token().unwrap().value().to_owned();
    mock.inject("get_profile", [alura_mock::Fault::ExpiredToken]);
    client.call("get_profile", Default::default()).await.unwrap();
    assert_ne!(client.token().unwrap().value(), first, "logged in again");
    let echo = format!(r#"{{"statusCode":400,"message":"bad token {first}"}}"#);
    mock.inject(
        "get_profile",
        [alura_mock::Fault::Raw { status: 400, headers: Default::default(), body: echo }],
    );
    let err = client.call("get_profile", Default::default()).await.unwrap_err();
    let raw = err.call_info().and_then(|c| c.raw_body.as_ref()).unwrap().text().into_owned();
    let shown = format!("{err} {err:?} {raw}");
    assert!(!shown.contains(&first[first.len() - 16..]), "{shown}");
    assert!(err.to_string().contains("bad token ***"), "{err}");
}
