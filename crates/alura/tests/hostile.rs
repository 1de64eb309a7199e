//! Servers that are not ours, broken or hostile: nothing they send may panic the client, fill
//! its memory, reach another origin, or come back as the wrong kind of error.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use alloy_signer_local::PrivateKeySigner;
use alura::{Client, ClientBuilder, Error, RetryPolicy};
use common::Waits;
use common::hostile::{Answer, Hostile, Seen, http, json, with_login};
use serde_json::{Map, json};

fn builder(server: &Hostile) -> (ClientBuilder, Arc<Waits>) {
    let waits = Arc::new(Waits::default());
    let b = Client::builder().base_url(&server.url).signer(PrivateKeySigner::random()).sleeper(waits.clone());
    (b, waits)
}

fn client(server: &Hostile) -> Client {
    builder(server).0.build().unwrap()
}

async fn profile(client: &Client) -> alura::Result<serde_json::Value> {
    client.call("get_profile", Map::new()).await.and_then(|r| r.to_value())
}

#[tokio::test]
async fn a_huge_retry_after_gives_up_at_once_instead_of_panicking() {
    for value in ["1e300", "123456789012345678901234567890", "inf"] {
        let server =
            Hostile::start(move |_| http("429 Too Many Requests", &[("retry-after", value)], "")).await;
        let (b, waits) = builder(&server);
        let err = b.build().unwrap().call("get_symbols", Map::new()).await.unwrap_err();
        assert!(
            matches!(&err, Error::RateLimited { retry_after: Some(d), .. } if *d > Duration::from_secs(1 << 40)),
            "{value}: {err:?}"
        );
        assert_eq!(
            server.count("/api/indicators/candles/aggregated/symbols"),
            1,
            "no wait past the deadline, no retry"
        );
        assert!(waits.all().is_empty());
    }
}

#[tokio::test]
async fn a_huge_or_odd_token_lifetime_neither_panics_nor_logs_in_every_call() {
    for expires in [json!(9_223_372_036_854_775_807_i64), json!(0), json!(-5), json!("86400"), json!(null)] {
        let stated = expires.clone();
        let server = Hostile::start(move |req: &Seen| match req.path.as_str() {
            "/auth/evm/challenge" => {
                let address = req.json()["address"].as_str().unwrap_or_default().to_owned();
                json(
                    "201 Created",
                    json!({"address": address, "nonce": "nonce-abc", "message": format!("sign in {address} with nonce-abc")}),
                )
            }
            "/auth/evm/verify" => json("201 Created", json!({"accessToken": "tok", "expiresIn": stated})),
            _ => json("200 OK", json!({"id": "u1", "address": "0x0"})),
        })
        .await;
        let client = client(&server);
        for _ in 0..3 {
            profile(&client).await.unwrap();
        }
        assert_eq!(server.count("/auth/evm/verify"), 1, "expiresIn {expires}: one login for three calls");
    }
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_while_it_streams() {
    // A declared length over the limit is refused before a byte of the body is read.
    let declared = Hostile::start(|_| Answer::Stall {
        head: "HTTP/1.1 200 OK\r\ncontent-length: 2000000000\r\n\r\n".into(),
        part: b"[".to_vec(),
        ms: 5000,
    })
    .await;
    let started = Instant::now();
    let err = client(&declared).call("get_symbols", Map::new()).await.unwrap_err();
    assert!(matches!(&err, Error::Decode { message, .. } if message.contains("67108864 bytes")), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(3), "refused at once, not at the timeout");
    // An endless chunked body stops at the limit, whatever it says about itself.
    let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, "x".repeat(64 * 1024)).into_bytes();
    let endless = Hostile::start(move |_| Answer::Stream {
        head: "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n".into(),
        chunk: chunk.clone(),
        times: 64,
    })
    .await;
    let client = builder(&endless).0.max_response_bytes(1 << 20).build().unwrap();
    let err = client.call("get_symbols", Map::new()).await.unwrap_err();
    assert!(matches!(&err, Error::Decode { message, .. } if message.contains("1048576 bytes")), "{err:?}");
}

#[tokio::test]
async fn a_redirect_is_never_followed_and_nothing_reaches_the_other_origin() {
    let elsewhere = Hostile::start(|_| json("201 Created", json!({"id": "stolen"}))).await;
    let target = format!("{}/trading-sessions", elsewhere.url);
    let server =
        with_login(move |_| http("307 Temporary Redirect", &[("location", target.as_str())], "")).await;
    let client = client(&server);
    let args = json!({"budget": 100, "profitTarget": 40, "assetIndex": 0});
    let err = client.call("create_trading_session", args.as_object().unwrap().clone()).await.unwrap_err();
    match &err {
        Error::Api { status: 307, messages, .. } => {
            assert!(messages[0].contains(&elsewhere.url), "the target is named: {messages:?}")
        }
        other => panic!("{other:?}"),
    }
    assert!(elsewhere.seen().is_empty(), "no body and no token went to the other origin");
    assert_eq!(server.count("/trading-sessions"), 1, "and the order was not sent twice");
}

#[tokio::test]
async fn the_status_decides_the_error_whatever_the_body() {
    let cases: Vec<(&str, &str, &str, &str)> = vec![
        (
            "502 Bad Gateway",
            "text/html",
            "<html><title>502 Bad Gateway</title><body>cloudflare</body></html>",
            "InternalServerError",
        ),
        ("401 Unauthorized", "text/plain", "", "AuthenticationError"),
        ("403 Forbidden", "application/json", r#"{"error":"blocked by WAF"}"#, "PermissionDeniedError"),
        ("400 Bad Request", "application/json", r#"{"message":{"field":"budget"}}"#, "BadRequestError"),
        ("418 I'm a teapot", "application/json", "[1,2", "APIError"),
    ];
    for (status, kind, body, class) in cases {
        let server = Hostile::start(move |_| http(status, &[("content-type", kind)], body)).await;
        let client = builder(&server).0.no_retry().build().unwrap();
        let err = client.call("get_symbols", Map::new()).await.unwrap_err();
        assert_eq!(err.kind(), class, "{status}: {err:?}");
        assert_eq!(err.status().map(|s| s.to_string()), Some(status[..3].to_owned()), "{err:?}");
    }
    let server = Hostile::start(|_| {
        http(
            "502 Bad Gateway",
            &[("content-type", "text/html")],
            "<html><title>502 Bad Gateway</title></html>",
        )
    })
    .await;
    let err =
        builder(&server).0.no_retry().build().unwrap().call("get_symbols", Map::new()).await.unwrap_err();
    match err {
        Error::Api { messages, body: Some(serde_json::Value::String(text)), .. } => {
            assert!(
                messages[0].contains("502 Bad Gateway") && messages[0].contains("text/html"),
                "{messages:?}"
            );
            assert!(text.contains("<title>"), "the page is kept for the user");
        }
        other => panic!("{other:?}"),
    }
    let server = Hostile::start(|_| {
        http("403 Forbidden", &[("content-type", "application/json")], r#"{"error":"blocked by WAF"}"#)
    })
    .await;
    let err = builder(&server).0.build().unwrap().call("get_symbols", Map::new()).await.unwrap_err();
    assert!(
        err.to_string().starts_with("HTTP 403: blocked by WAF (get_symbols: GET http://127.0.0.1:"),
        "{err}"
    );
}

#[tokio::test]
async fn an_html_429_keeps_its_retry_after_and_is_retried() {
    let server = Hostile::start(|req: &Seen| {
        if req.path == "/api/indicators/candles/aggregated/symbols"
            && COUNT.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0
        {
            http(
                "429 Too Many Requests",
                &[("content-type", "text/html"), ("retry-after", "2")],
                "<html>slow down</html>",
            )
        } else {
            json("200 OK", json!({"symbols": ["BTC"]}))
        }
    })
    .await;
    static COUNT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let (b, waits) = builder(&server);
    let symbols = b.build().unwrap().call("get_symbols", Map::new()).await.unwrap().to_value().unwrap();
    assert_eq!(symbols, json!({"symbols": ["BTC"]}));
    assert_eq!(waits.all(), [Duration::from_secs(2)]);
}

#[tokio::test]
async fn any_2xx_is_success() {
    let server = with_login(|req: &Seen| match req.path.as_str() {
        // The spec says 201 for a new session; this server says 200.
        "/trading-sessions" => json("200 OK", json!({"id": "s1", "status": "active", "assetIndex": 0})),
        _ => http("204 No Content", &[], ""),
    })
    .await;
    let client = client(&server);
    let args = json!({"budget": 100, "profitTarget": 40, "assetIndex": 0});
    let session = client.call("create_trading_session", args.as_object().unwrap().clone()).await.unwrap();
    assert_eq!(session.to_value().unwrap()["id"], "s1");
    let nothing = client.call("trigger_cron", Map::new()).await.unwrap();
    assert_eq!(nothing.to_value().unwrap(), serde_json::Value::Null, "a 204 is an empty success");
    let strict = builder(&server).0.strict(true).build().unwrap();
    let err = strict.call("trigger_cron", Map::new()).await.unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "strict: the spec promised a body: {err:?}");
}

#[tokio::test]
async fn a_body_that_breaks_after_the_status_is_an_unknown_outcome_for_a_post() {
    let server = with_login(|_| Answer::Stall {
        head: "HTTP/1.1 201 Created\r\ncontent-length: 500\r\ncontent-type: application/json\r\n\r\n".into(),
        part: br#"{"id":"s1","#.to_vec(),
        ms: 0,
    })
    .await;
    let client = client(&server);
    let args = json!({"budget": 100, "profitTarget": 40, "assetIndex": 0});
    let err = client.call("create_trading_session", args.as_object().unwrap().clone()).await.unwrap_err();
    assert!(matches!(&err, Error::OutcomeUnknown { status: Some(201), .. }), "{err:?}");
    assert_eq!(server.count("/trading-sessions"), 1, "never sent twice");
}

#[tokio::test]
async fn a_body_that_stalls_is_a_timeout_and_a_get_is_retried() {
    let server = Hostile::start(|_| Answer::Stall {
        head: "HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n".into(),
        part: b"{".to_vec(),
        ms: 3000,
    })
    .await;
    let policy = RetryPolicy { max_retries: 1, ..RetryPolicy::default() };
    let client = builder(&server).0.timeout(Duration::from_millis(300)).retry(policy).build().unwrap();
    let err = client.call("get_symbols", Map::new()).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert_eq!(server.count("/api/indicators/candles/aggregated/symbols"), 2, "the GET was tried again");
}

#[tokio::test]
async fn dot_segments_and_overlong_paths_are_refused_before_sending() {
    let server = with_login(|_| json("201 Created", json!({"success": true}))).await;
    let client = client(&server);
    for (op, arg) in [("close_trade", "tradeId"), ("create_referral_code", "userId")] {
        for bad in ["..", ".", "", "P1\\..\\P2"] {
            let mut args = Map::new();
            args.insert(arg.into(), json!(bad));
            if op == "create_referral_code" {
                args.insert("code".into(), json!("MOON"));
            }
            let err = client.call(op, args).await.unwrap_err();
            assert!(
                matches!(&err, Error::InvalidInput { message } if message.contains("another route")),
                "{op}({bad:?}): {err:?}"
            );
        }
    }
    let long = "a".repeat(64 * 1024);
    let err = client
        .call("get_session_logs", json!({"sessionId": long}).as_object().unwrap().clone())
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::InvalidInput { .. }), "{err:?}");
    assert!(err.to_string().len() < 200, "a short message: {err}");
    let sent: Vec<_> = server.seen().into_iter().filter(|s| !s.path.starts_with("/auth")).collect();
    assert!(sent.is_empty(), "nothing but the login reached the server: {sent:?}");
}

#[tokio::test]
async fn a_failed_login_is_shared_by_every_caller_that_waited_for_it() {
    let server = Hostile::start(|req: &Seen| match req.path.as_str() {
        "/auth/evm/challenge" => {
            let address = req.json()["address"].as_str().unwrap_or_default().to_owned();
            json(
                "201 Created",
                json!({"address": address, "nonce": "nonce-abc", "message": format!("sign in {address} with nonce-abc")}),
            )
        }
        "/auth/evm/verify" => http("500 Internal Server Error", &[], "oops"),
        _ => json("200 OK", json!({})),
    })
    .await;
    let client = client(&server);
    let calls = (0..50).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { profile(&client).await })
    });
    for call in futures_util::future::join_all(calls).await {
        let err = call.unwrap().unwrap_err();
        assert!(matches!(err, Error::Auth { status: Some(500), .. }), "a login is no order: {err:?}");
    }
    assert_eq!(server.count("/auth/evm/verify"), 1, "one login for fifty waiting callers");
    profile(&client).await.unwrap_err();
    assert_eq!(server.count("/auth/evm/verify"), 2, "the next call may try again");
}

#[tokio::test]
async fn a_2xx_body_that_is_not_json_is_a_decode_error_even_when_not_strict() {
    let server =
        Hostile::start(|_| http("200 OK", &[("content-type", "application/json")], r#"{"symbols": ["BT"#))
            .await;
    let err = client(&server).call("get_symbols", Map::new()).await.unwrap_err();
    match err {
        Error::Decode { message, body, .. } => {
            assert!(message.contains("not JSON"), "{message}");
            assert_eq!(body.unwrap().text(), r#"{"symbols": ["BT"#, "the body as it came");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_body_in_several_chunks_is_read_whole() {
    let parts = [r#"{"symb"#, r#"ols":["BTC","#, r#""ETH"]}"#];
    let mut raw = String::from(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n",
    );
    for part in parts {
        raw.push_str(&format!("{:x}\r\n{part}\r\n", part.len()));
    }
    raw.push_str("0\r\n\r\n");
    let server = Hostile::start(move |_| Answer::Raw(raw.clone().into_bytes())).await;
    let answer = client(&server).call("get_symbols", Map::new()).await.unwrap().to_value().unwrap();
    assert_eq!(answer, json!({"symbols": ["BTC", "ETH"]}));
}

/// A server that echoes the `Authorization` header into its 401 and the login's signature into
/// a 400: neither the token nor the signature reaches the error's text, its body or its headers.
#[tokio::test]
async fn a_server_echoing_the_token_or_the_signature_never_puts_them_in_an_error() {
    let token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzZWNyZXQifQ.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg";
    let server = Hostile::start(move |req| match req.path.as_str() {
        "/auth/evm/challenge" => {
            let address = req.json()["address"].as_str().unwrap_or_default().to_owned();
            common::hostile::json("201 Created", serde_json::json!({"address": address, "nonce": "nonce-0001", "message": format!("Sign in {address} nonce-0001")}))
        }
        "/auth/evm/verify" => common::hostile::json("201 Created", serde_json::json!({"accessToken": token, "expiresIn": 3600})),
        _ => {
            let auth = req
                .head
                .lines()
                .find_map(|l| l.strip_prefix("authorization: ").or_else(|| l.strip_prefix("Authorization: ")))
                .unwrap_or_default()
                .trim()
                .to_owned();
            common::hostile::json("401 Unauthorized", serde_json::json!({"statusCode": 401, "message": format!("token rejected: {auth}"), "echo": {"authorization": auth}}))
        }
    })
    .await;
    let client = Client::builder().base_url(&server.url).signer(PrivateKeySigner::random()).build().unwrap();
    let err = client.api().get_profile().send().await.map_err(Error::from).unwrap_err();
    let shown = format!("{err} {err:?} {:?}", err.call_info());
    assert!(matches!(err, Error::Auth { .. }), "{err:?}");
    assert!(!shown.contains("c2lnbmF0dXJl") && !shown.contains("eyJzdWIi"), "{shown}");
    assert!(err.to_string().contains("token rejected: Bearer ***"), "{err}");

    let refusing = Hostile::start(|req| match req.path.as_str() {
        "/auth/evm/challenge" => {
            let address = req.json()["address"].as_str().unwrap_or_default().to_owned();
            json(
                "201 Created",
                serde_json::json!({"address": address, "nonce": "nonce-0001", "message": format!("Sign in {address} nonce-0001")}),
            )
        }
        _ => {
            let signature = req.json()["signature"].as_str().unwrap_or_default().to_owned();
            json(
                "400 Bad Request",
                serde_json::json!({"statusCode": 400, "message": [format!("signature {signature} is not valid")]}),
            )
        }
    })
    .await;
    let client =
        Client::builder().base_url(&refusing.url).signer(PrivateKeySigner::random()).build().unwrap();
    let err = client.api().get_profile().send().await.map_err(Error::from).unwrap_err();
    let signature =
        refusing.seen().iter().find_map(|s| s.json()["signature"].as_str().map(str::to_owned)).unwrap();
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains(&signature[2..40]), "{shown}");
    assert!(err.to_string().contains("signature *** is not valid"), "{err}");
}
