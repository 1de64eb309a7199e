//! Control and visibility: a request id on every call and error, per-call options that keep
//! what they do not change.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use alloy_signer_local::PrivateKeySigner;
use alura::{CallOptions, Client, ClientOptions, Error, Language, RetryPolicy};
use common::Waits;
use common::hostile::{Hostile, Seen, http, json, with_login};
use serde_json::{Map, json as value};

fn header<'a>(seen: &'a Seen, name: &str) -> Option<&'a str> {
    seen.head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

#[tokio::test]
async fn every_call_has_one_request_id_on_every_attempt_and_on_its_error() {
    let server = Hostile::start(|_| {
        http("503 Service Unavailable", &[("retry-after", "0"), ("x-request-id", "srv-77")], "")
    })
    .await;
    let client = Client::builder().base_url(&server.url).sleeper(Arc::new(Waits::default())).build().unwrap();
    let err = client.call("get_symbols", Map::new()).await.unwrap_err();
    let seen = server.seen();
    assert_eq!(seen.len(), 3, "two retries");
    let ids: Vec<&str> = seen.iter().map(|s| header(s, "x-request-id").unwrap()).collect();
    assert!(ids.iter().all(|id| *id == ids[0] && id.starts_with("req_")), "{ids:?}");
    assert_eq!(err.request_id(), Some(ids[0]));
    let call = err.call_info().unwrap();
    assert_eq!(call.server_request_id.as_deref(), Some("srv-77"), "the server's own id is kept");
    assert!(!format!("{err:?}").contains("\"0\""), "Debug names headers, never their values");
    assert_eq!(call.headers.as_ref().unwrap()["retry-after"], "0", "and the answer's headers");
    assert!(err.to_string().contains(ids[0]), "{err}");
    let second = client.call("get_symbols", Map::new()).await.unwrap_err();
    assert_ne!(second.request_id(), err.request_id(), "a new id per call");
}

#[tokio::test]
async fn an_unknown_outcome_names_the_idempotency_key_to_reconcile_with() {
    let server = with_login(|_| http("502 Bad Gateway", &[], "")).await;
    let client = Client::builder().base_url(&server.url).signer(PrivateKeySigner::random()).build().unwrap();
    let args = value!({"budget": 100, "profitTarget": 40, "assetIndex": 0}).as_object().unwrap().clone();
    let err = client.call("create_trading_session", args.clone()).await.unwrap_err();
    let Error::OutcomeUnknown { call, .. } = &err else { panic!("{err:?}") };
    let posted = server.seen().into_iter().rfind(|s| s.path == "/trading-sessions").unwrap();
    assert_eq!(call.idempotency_key.as_deref(), header(&posted, "idempotency-key"));
    // Sending again with that key lets a server that honours it see the same order.
    let again = CallOptions { idempotency_key: call.idempotency_key.clone(), ..Default::default() };
    client.with_call_options(&again).unwrap().call("create_trading_session", args).await.unwrap_err();
    let keys: Vec<_> = server
        .seen()
        .iter()
        .filter(|s| s.path == "/trading-sessions")
        .map(|s| header(s, "idempotency-key").map(str::to_owned))
        .collect();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0], keys[1]);
    // The given key goes with one POST only: a client kept from with_call_options never sends it
    // with a second order.
    let kept = client
        .with_call_options(&CallOptions { idempotency_key: Some("once".into()), ..Default::default() })
        .unwrap();
    let args = value!({"budget": 100, "profitTarget": 40, "assetIndex": 0}).as_object().unwrap().clone();
    kept.call("create_trading_session", args.clone()).await.unwrap_err();
    kept.call("create_trading_session", args).await.unwrap_err();
    let last: Vec<_> = server
        .seen()
        .iter()
        .filter(|s| s.path == "/trading-sessions")
        .map(|s| header(s, "idempotency-key").map(str::to_owned))
        .collect();
    assert_eq!(last[2].as_deref(), Some("once"));
    assert_ne!(last[3].as_deref(), Some("once"));
}

#[tokio::test]
async fn call_options_change_only_what_they_name() {
    let hits = Arc::new(AtomicUsize::new(0));
    let count = hits.clone();
    let server = Hostile::start(move |_| {
        count.fetch_add(1, Ordering::SeqCst);
        http("503 Service Unavailable", &[], "")
    })
    .await;
    let waits = Arc::new(Waits::default());
    let policy =
        RetryPolicy { max_retries: 1, max_delay: Duration::from_millis(5), ..RetryPolicy::default() };
    let client =
        Client::builder().base_url(&server.url).retry(policy).sleeper(waits.clone()).build().unwrap();
    let options = CallOptions {
        max_retries: Some(4),
        headers: vec![("X-Tenant".into(), "desk-7".into())],
        ..Default::default()
    };
    client.with_call_options(&options).unwrap().call("get_symbols", Map::new()).await.unwrap_err();
    assert_eq!(hits.load(Ordering::SeqCst), 5, "four retries for this call");
    assert!(waits.all().iter().all(|w| *w <= Duration::from_millis(5)), "the client's backoff cap was kept");
    assert!(server.seen().iter().all(|s| header(s, "x-tenant") == Some("desk-7")));
    client.call("get_symbols", Map::new()).await.unwrap_err();
    assert_eq!(hits.load(Ordering::SeqCst), 7, "the client itself still retries once");
    for bad in
        [("Authorization", "Bearer x"), ("X-Request-Id", "mine"), ("bad name", "v"), ("X-Ok", "line\nbreak")]
    {
        let options = CallOptions { headers: vec![(bad.0.into(), bad.1.into())], ..Default::default() };
        let err = client.with_call_options(&options).unwrap_err();
        assert!(matches!(err, Error::InvalidInput { .. }), "{bad:?}: {err:?}");
    }
}

#[tokio::test]
async fn a_nestjs_error_carries_the_request_id_too() {
    let server =
        Hostile::start(|_| json("404 Not Found", value!({"statusCode": 404, "message": "nope"}))).await;
    let client = Client::builder().base_url(&server.url).build().unwrap();
    let err = client.call("get_symbols", Map::new()).await.unwrap_err();
    assert!(matches!(&err, Error::Api { status: 404, .. }));
    assert!(err.request_id().is_some_and(|id| id.starts_with("req_")));
}

#[tokio::test]
async fn request_reaches_an_endpoint_with_the_same_login_retry_and_errors() {
    let mock = common::mock();
    let (client, _) = common::client(&mock);
    mock.inject("get_profile", [common::status(503, &[("Retry-After", "0")])]);
    let get = |path: &str| alura::RawRequest {
        method: "get".into(),
        path: path.into(),
        authenticated: true,
        ..Default::default()
    };
    let profile = client.request(get("/user/profile")).await.unwrap();
    assert_eq!(profile.status, 200);
    assert_eq!(profile.json().unwrap()["address"], client.address().unwrap().to_checksum(None));
    assert_eq!(common::sent(&mock, "get_profile"), 2, "retried after the 503, logged in first");
    let err = client.request(get("/user/not-yet-in-the-spec")).await.unwrap_err();
    assert!(matches!(&err, Error::Api { status: 404, .. }) && err.request_id().is_some(), "{err:?}");
    for bad in
        ["user/profile", "//evil.example/x", "/user/../auth", "/a/./b", "/%2e%2e/x", "/.%2E/x", "/a\\..\\b"]
    {
        let err = client.request(get(bad)).await.unwrap_err();
        assert!(matches!(err, Error::InvalidInput { .. }), "{bad}: {err:?}");
    }
    let post = alura::RawRequest {
        method: "POST".into(),
        path: "/referrals/check".into(),
        body: Some(value!({"code": "NOPE"})),
        ..Default::default()
    };
    assert_eq!(client.request(post).await.unwrap().json().unwrap()["valid"], false);
}

/// A binding's dialect, as `alura-ffi`'s are: camelCase names and a `User-Agent` of its own.
struct Binding;

impl alura::Dialect for Binding {
    fn name(&self) -> &'static str {
        "binding"
    }
    fn option<'a>(&self, option: &'a str) -> std::borrow::Cow<'a, str> {
        let mut words = option.split('_');
        let mut out = words.next().unwrap_or_default().to_owned();
        for word in words {
            out.push_str(&word[..1].to_uppercase());
            out.push_str(&word[1..]);
        }
        out.into()
    }
}

#[tokio::test]
async fn client_options_build_the_client_they_describe() {
    let server = Hostile::start(|_| http("503 Service Unavailable", &[], "")).await;
    let waits = Arc::new(Waits::default());
    let options = ClientOptions {
        base_url: Some(server.url.clone()),
        max_retries: Some(3.0),
        retry_max_delay: Some(0.005),
        default_headers: [("X-Tenant".to_owned(), "desk-7".to_owned())].into(),
        language: Language::new(&Binding),
        from_env: false,
        ..Default::default()
    };
    let client = options.into_builder().unwrap().sleeper(waits.clone()).build().unwrap();
    client.call("get_symbols", Map::new()).await.unwrap_err();
    let seen = server.seen();
    assert_eq!(seen.len(), 4, "three retries");
    assert!(waits.all().iter().all(|w| *w <= Duration::from_millis(5)), "the backoff cap given");
    assert!(seen.iter().all(|s| header(s, "x-tenant") == Some("desk-7")), "default headers on every attempt");
    let agent = header(&seen[0], "user-agent").unwrap_or_default();
    assert!(agent.starts_with("alura-binding/"), "{agent}");
    // The policy fields not given keep their defaults: setting retries never resets the backoff.
    let debug = format!("{client:?}");
    assert!(debug.contains("base_delay: 500ms") && debug.contains("deadline: 120s"), "{debug}");

    let reserved = ClientOptions {
        default_headers: [("Authorization".to_owned(), "Bearer x".to_owned())].into(),
        from_env: false,
        ..Default::default()
    };
    assert!(matches!(reserved.build().unwrap_err(), Error::InvalidInput { .. }));
}

#[test]
fn a_base_url_with_credentials_or_a_user_agent_with_a_newline_is_refused_by_name() {
    let err = Client::builder().base_url("https://me:pw@api.example").build().unwrap_err().to_string();
    assert!(err.contains("must not carry a user or password") && !err.contains("pw"), "{err}");
    let options = alura::ClientOptions {
        user_agent: Some("bot\r\nX-Evil: 1".into()),
        language: Language::new(&Binding),
        ..Default::default()
    };
    let err = options.into_builder().unwrap_err().to_string();
    assert!(err.contains("userAgent has characters a header cannot carry"), "{err}");
    let options = alura::ClientOptions {
        base_url: Some("http://api.example".into()),
        language: Language::new(&Binding),
        ..Default::default()
    };
    let err = options.into_builder().unwrap().build().unwrap_err().to_string();
    assert!(err.ends_with("or set allowInsecureHttp"), "{err}");
}

#[tokio::test]
async fn a_closed_client_and_the_clients_made_from_it_send_nothing_more() {
    let server = with_login(|_| json("200 OK", value!({"symbols": ["BTC"]}))).await;
    let client = Client::builder().base_url(&server.url).signer(PrivateKeySigner::random()).build().unwrap();
    let quick = client.with_timeout(Duration::from_secs(2));
    client.call("get_symbols", Map::new()).await.unwrap();
    let before = server.seen().len();
    client.close();
    assert!(client.is_closed() && quick.is_closed(), "one close for the client and its copies");
    for c in [&client, &quick] {
        let err = c.call("get_profile", Map::new()).await.unwrap_err();
        assert_eq!(err.kind(), "ValidationError", "{err}");
        assert!(
            err.to_string().contains("get_profile(): this client is closed, so nothing was sent"),
            "{err}"
        );
    }
    assert_eq!(server.seen().len(), before, "not a request, not even a login");
    client.close();
    assert!(client.login().await.is_err(), "nor a login asked for");
}

#[tokio::test]
async fn closing_a_copy_leaves_the_client_it_came_from_open() {
    let server = with_login(|_| json("200 OK", value!({"symbols": ["BTC"]}))).await;
    let client = Client::builder().base_url(&server.url).signer(PrivateKeySigner::random()).build().unwrap();
    let copy = client.with_timeout(Duration::from_secs(2));
    copy.close();
    assert!(copy.is_closed() && !client.is_closed());
    client.call("get_symbols", Map::new()).await.expect("the client it came from is open");
    assert!(copy.call("get_symbols", Map::new()).await.is_err());
}
