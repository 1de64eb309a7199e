//! Whatever a client sends, the simulator answers: extreme numbers and strings give 4xx in
//! NestJS's shape, never a dropped connection or a 5xx; request bodies are required as the spec
//! says, and optional fields sent as `null` count as absent.

mod common;

use std::collections::BTreeSet;

use alloy_signer_local::PrivateKeySigner;
use alura_mock::{Config, MockServer};
use common::{example, get, http, login, operations, post, resolve, spec};
use serde_json::{Value, json};

fn assert_nestjs_400(status: u16, body: &Value, what: &str) {
    assert_eq!(status, 400, "{what}: {body}");
    assert_eq!(body["statusCode"], 400, "{what}");
    assert_eq!(body["error"], "Bad Request", "{what}");
    assert!(body["message"].as_array().is_some_and(|m| !m.is_empty()), "{what}: {body}");
}

#[tokio::test]
async fn huge_integers_in_the_query_are_bad_requests() {
    let mock = MockServer::start(Config::default()).unwrap();
    let (token, _) = login(mock.url(), &PrivateKeySigner::random(), None).await;
    let body = json!({"budget": 100, "profitTarget": 40, "assetIndex": 0});
    assert_eq!(post(mock.url(), "/trading-sessions", Some(&token), body).await.status(), 201);
    let trade: Value =
        get(mock.url(), "/trading-sessions/current-trade", Some(&token)).await.json().await.unwrap();
    let logs = format!("/trading-sessions/trades/{}/logs", trade["id"].as_str().unwrap());
    let history = "/api/indicators/candles/history/BTC";
    let cases = [
        format!("{logs}?page=922337203685477582"),
        format!("{logs}?page=922337203685477582&limit=100"),
        format!("{logs}?limit=18446744073709551615"),
        "/api/leaderboard/rankings?page=922337203685477582".to_owned(),
        "/api/leaderboard/rankings?page=9007199254740992&limit=100".to_owned(),
        format!("{history}?endTime=9223372036854720000"),
        format!("{history}?startTime=9223372036854720000"),
        format!("{history}?startTime=9223372036854775807&endTime=9223372036854775807"),
        format!("{history}?startTime=99999999999999999999999"),
        format!("{history}?limit=-9223372036854775808"),
        "/api/indicators/candles/BTC/1h?limit=1e308".to_owned(),
    ];
    for path in cases {
        let r = get(mock.url(), &path, Some(&token)).await;
        let status = r.status().as_u16();
        assert_nestjs_400(status, &r.json().await.unwrap(), &path);
    }
    // The largest values that are allowed still work.
    let ok = [
        format!("{logs}?page=9007199254740991&limit=100"),
        format!("{history}?startTime=8640000000000000&endTime=8640000000000000&interval=1d"),
    ];
    for path in ok {
        assert_eq!(get(mock.url(), &path, Some(&token)).await.status(), 200, "{path}");
    }
}

/// Query and path values that break naive parsing or arithmetic.
fn extreme_strings() -> Vec<String> {
    let mut v: Vec<String> = [
        "18446744073709551615",
        "-9223372036854775808",
        "9223372036854775807",
        "922337203685477582",
        "9223372036854720000",
        "-1",
        "0",
        "1e308",
        "-1e308",
        "NaN",
        "%FF%FE",
        "",
    ]
    .map(str::to_owned)
    .to_vec();
    v.push("9".repeat(4000));
    v.push("x".repeat(4000));
    v
}

/// JSON values for body fields.
fn extreme_values() -> Vec<Value> {
    vec![
        json!(u64::MAX),
        json!(i64::MIN),
        json!(-1),
        json!(1e308),
        json!(-1e308),
        json!(0.5),
        json!("x".repeat(100_000)),
        json!("18446744073709551616"),
        json!([[[[[[[[1]]]]]]]]),
        json!({"$gt": ""}),
        json!(true),
    ]
}

#[tokio::test]
async fn every_route_survives_extreme_values() {
    let spec = spec();
    let mock = MockServer::start(Config::default()).unwrap();
    let base = mock.url().to_owned();
    let (token, user_id) = login(&base, &PrivateKeySigner::random(), None).await;
    let body = json!({"budget": 100, "profitTarget": 40, "maxPositions": 2, "assetIndex": 3});
    assert_eq!(post(&base, "/trading-sessions", Some(&token), body).await.status(), 201);
    let trade: Value =
        get(&base, "/trading-sessions/current-trade", Some(&token)).await.json().await.unwrap();
    let valid = |name: &str| -> String {
        match name {
            "userId" => user_id.clone(),
            "sessionId" => trade["sessionId"].as_str().unwrap().to_owned(),
            "tradeId" => trade["id"].as_str().unwrap().to_owned(),
            "positionId" => trade["positions"][0]["id"].as_str().unwrap().to_owned(),
            "symbol" => "BTC".to_owned(),
            "interval" => "1h".to_owned(),
            other => panic!("no valid value for path parameter {other}"),
        }
    };

    // (operation, method, url, raw body): every variant to send.
    let mut requests: Vec<(String, String, String, Option<String>)> = Vec::new();
    for (id, method, template, op) in operations(&spec) {
        let params = op["parameters"].as_array().cloned().unwrap_or_default();
        let path_params: Vec<&str> =
            params.iter().filter(|p| p["in"] == "path").map(|p| p["name"].as_str().unwrap()).collect();
        let fill = |bad: Option<(&str, &str)>| {
            path_params.iter().fold(template.clone(), |path, name| {
                let value = match bad {
                    Some((n, v)) if n == *name => v.to_owned(),
                    _ => valid(name),
                };
                path.replace(&format!("{{{name}}}"), &value)
            })
        };
        let schema = op["requestBody"]["content"]["application/json"]["schema"].clone();
        let good_body = (!schema.is_null()).then(|| example(&spec, &schema));
        let good = good_body.as_ref().map(Value::to_string);
        for s in extreme_strings() {
            for name in &path_params {
                requests.push((id.clone(), method.clone(), fill(Some((name, &s))), good.clone()));
            }
            for p in params.iter().filter(|p| p["in"] == "query") {
                let url = format!("{}?{}={s}", fill(None), p["name"].as_str().unwrap());
                requests.push((id.clone(), method.clone(), url, good.clone()));
            }
        }
        let Some(good_body) = good_body else { continue };
        for field in resolve(&spec, &schema)["properties"].as_object().unwrap().keys() {
            for v in extreme_values() {
                let mut b = good_body.clone();
                b[field] = v;
                requests.push((id.clone(), method.clone(), fill(None), Some(b.to_string())));
            }
            // Numbers serde_json cannot hold as f64, and a key given twice.
            for raw in ["1e400", "-1e400", "123456789012345678901234567890"] {
                let b = format!("{{\"{field}\": {raw}}}");
                requests.push((id.clone(), method.clone(), fill(None), Some(b)));
            }
            let twice = format!("{{\"{field}\": 1, \"{field}\": \"x\"}}");
            requests.push((id.clone(), method.clone(), fill(None), Some(twice)));
        }
        for whole in ["1e308", "[]", "\"x\"", "null", "{", &"[".repeat(10_000)] {
            requests.push((id.clone(), method.clone(), fill(None), Some(whole.to_owned())));
        }
    }
    assert!(requests.len() > 500, "{}", requests.len());

    let client = http();
    for (id, method, path, body) in &requests {
        let mut req = client.request(method.to_uppercase().parse().unwrap(), format!("{base}{path}"));
        req = req.bearer_auth(&token);
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b.clone());
        }
        let short = |s: &str| s.chars().take(120).collect::<String>();
        let response = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("{id} {method} {}: connection dropped: {e}", short(path)));
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_else(|e| panic!("{id} {}: body cut: {e}", short(path)));
        assert!(status < 500, "{id} {method} {} -> {status}: {}", short(path), short(&text));
    }
    assert_eq!(get(&base, "/health", None).await.status(), 200, "still serving");
    assert_eq!(get(&base, "/user/profile", Some(&token)).await.status(), 200, "no lock poisoned");
}

/// The `(operation, field)` pairs of every optional request-body field in the spec.
fn optional_fields(spec: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (id, _, _, op) in operations(spec) {
        let schema = &op["requestBody"]["content"]["application/json"]["schema"];
        if schema.is_null() {
            continue;
        }
        let schema = resolve(spec, schema);
        let required: Vec<&Value> =
            schema["required"].as_array().map(|r| r.iter().collect()).unwrap_or_default();
        for field in schema["properties"].as_object().unwrap().keys() {
            if !required.contains(&&json!(field)) {
                out.insert((id.clone(), field.clone()));
            }
        }
    }
    out
}

#[tokio::test]
async fn what_the_spec_requires_in_a_body_is_required() {
    let spec = spec();
    let mock = MockServer::start(Config::default()).unwrap();
    let (token, user_id) = login(mock.url(), &PrivateKeySigner::random(), None).await;
    let mut checked = 0;
    for (id, method, template, op) in operations(&spec) {
        let request_body = &op["requestBody"];
        if request_body.is_null() {
            continue;
        }
        assert_eq!(method, "post", "{id}");
        let url = format!("{}{}", mock.url(), template.replace("{userId}", &user_id));
        let schema = resolve(&spec, &request_body["content"]["application/json"]["schema"]);
        if request_body["required"] == true {
            let r = http().post(&url).bearer_auth(&token).send().await.unwrap();
            let status = r.status().as_u16();
            assert_nestjs_400(status, &r.json().await.unwrap(), &format!("{id} without a body"));
            checked += 1;
        }
        for field in schema["required"].as_array().into_iter().flatten() {
            let field = field.as_str().unwrap();
            let mut body = example(&spec, schema);
            body.as_object_mut().unwrap().remove(field);
            let r = http().post(&url).bearer_auth(&token).json(&body).send().await.unwrap();
            let status = r.status().as_u16();
            let answer: Value = r.json().await.unwrap();
            assert_nestjs_400(status, &answer, &format!("{id} without {field}"));
            let named =
                answer["message"].as_array().unwrap().iter().any(|m| m.as_str().unwrap().starts_with(field));
            assert!(named, "{id} without {field}: {answer}");
            checked += 1;
        }
    }
    assert!(checked >= 25, "{checked}");
    // An empty object is still a body: a code is generated.
    let r = post(mock.url(), &format!("/referrals/{user_id}/code"), Some(&token), json!({})).await;
    assert_eq!(r.status(), 201);
}

#[tokio::test]
async fn optional_fields_sent_as_null_are_treated_as_absent() {
    let spec = spec();
    let covered: BTreeSet<(String, String)> = [
        ("verify_signature", "referralCode"),
        ("create_trading_session", "lossThreshold"),
        ("create_trading_session", "maxPositions"),
        ("create_advance_trading_session", "maxWalletBudget"),
        ("create_referral_code", "code"),
    ]
    .map(|(op, f)| (op.to_owned(), f.to_owned()))
    .into();
    assert_eq!(optional_fields(&spec), covered, "this test covers every optional body field of the spec");

    let mock = MockServer::start(Config::default()).unwrap();
    let base = mock.url();
    let wallet = PrivateKeySigner::random();
    let message = common::challenge(base, &wallet).await;
    let mut verify = common::verify_body(&wallet, &wallet, &message);
    verify["referralCode"] = Value::Null;
    let r = post(base, "/auth/evm/verify", None, verify).await;
    assert_eq!(r.status(), 201);
    let body: Value = r.json().await.unwrap();
    let (token, user_id) = (body["accessToken"].as_str().unwrap(), body["user"]["id"].as_str().unwrap());

    let quick = json!({"budget": 100, "profitTarget": 40, "lossThreshold": null, "maxPositions": null, "assetIndex": 0});
    let r = post(base, "/trading-sessions", Some(token), quick).await;
    assert_eq!(r.status(), 201);
    let session: Value = r.json().await.unwrap();
    assert_eq!(
        (session["lossThreshold"].clone(), session["maxPositions"].clone()),
        (json!(5.0), json!(1)),
        "defaults"
    );

    let advance = json!({"amount": 100, "executionStrategy": "Conservative", "strategyDuration": "1D",
                         "assetIndex": 1, "maxWalletBudget": null});
    let r = post(base, "/trading-sessions/advance", Some(token), advance).await;
    assert_eq!(r.status(), 201);
    let session: Value = r.json().await.unwrap();
    assert_eq!((session["budget"].clone(), session["maxWalletBudget"].clone()), (json!(100.0), json!(false)));

    let r = post(base, &format!("/referrals/{user_id}/code"), Some(token), json!({"code": null})).await;
    assert_eq!(r.status(), 201);
    let code: Value = r.json().await.unwrap();
    assert_eq!(code["code"].as_str().unwrap().len(), 8, "generated, as when absent: {code}");
}

/// The spec declares JSON request bodies only, and Express's body parser reads nothing else:
/// JSON text sent as text/plain, a form or with no Content-Type leaves the DTO empty, so the
/// request fails validation and changes nothing.
#[tokio::test]
async fn a_body_that_is_not_declared_json_is_no_body() {
    let mock = MockServer::start(Config::default()).unwrap();
    let base = mock.url();
    let (token, user_id) = login(base, &PrivateKeySigner::random(), None).await;
    let balance = || async {
        let profile: Value = get(base, "/user/profile", Some(&token)).await.json().await.unwrap();
        profile["balance"].as_f64().unwrap()
    };
    let before = balance().await;
    let send = |path: String, content_type: Option<&'static str>, body: &'static str| {
        let mut req = http().post(format!("{base}{path}")).bearer_auth(&token).body(body);
        if let Some(t) = content_type {
            req = req.header("content-type", t);
        }
        req.send()
    };

    let not_json = [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data"),
        Some("application/jsonx"),
        None,
    ];
    for content_type in not_json {
        let r = send("/user/withdraw".into(), content_type, r#"{"amount": 25}"#).await.unwrap();
        let status = r.status().as_u16();
        let body: Value = r.json().await.unwrap();
        assert_nestjs_400(status, &body, &format!("withdraw as {content_type:?}"));
        assert_eq!(body["message"][0], "amount should not be empty", "{content_type:?}");

        // A body the spec requires is missing when it is not JSON.
        let r = send(format!("/referrals/{user_id}/code"), content_type, "{}").await.unwrap();
        let status = r.status().as_u16();
        assert_nestjs_400(status, &r.json().await.unwrap(), &format!("referral code as {content_type:?}"));
    }
    assert_eq!(balance().await, before, "nothing was withdrawn");
    let info: Value = get(base, &format!("/referrals/{user_id}"), Some(&token)).await.json().await.unwrap();
    assert_eq!(info["referralCode"], Value::Null, "no code was made");

    // JSON whatever the case and parameters of its media type.
    for content_type in ["application/json; charset=utf-8", "Application/JSON"] {
        let r = send("/user/withdraw".into(), Some(content_type), r#"{"amount": 25}"#).await.unwrap();
        assert_eq!(r.status(), 201, "{content_type}");
    }
    assert_eq!(balance().await, before - 50.0);
}
