//! Walks openapi/alura.json and calls every operation on the simulator: each answers its
//! documented success status with a body that validates against its response schema.

mod common;

use std::collections::BTreeMap;

use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use alura_mock::{Config, MockServer};
use common::{example, http, login, post, spec};
use serde_json::{Map, Value, json};

/// OpenAPI 3.0 schema -> JSON Schema draft 4: `nullable` becomes a `null` type.
fn to_json_schema(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut out: Map<String, Value> = m.iter().map(|(k, v)| (k.clone(), to_json_schema(v))).collect();
            if out.remove("nullable") == Some(json!(true))
                && let Some(t) = out.get("type").cloned()
            {
                out.insert("type".into(), json!([t, "null"]));
            }
            out.remove("example");
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(to_json_schema).collect()),
        other => other.clone(),
    }
}

pub fn assert_matches(spec: &Value, schema: &Value, body: &Value, what: &str) {
    let root = json!({"allOf": [to_json_schema(schema)], "components": to_json_schema(&spec["components"])});
    let validator = jsonschema::draft4::new(&root).unwrap();
    let errors: Vec<String> =
        validator.iter_errors(body).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{what}: body does not match its schema: {errors:#?}\nbody: {body:#}");
}

/// The walk: operations in an order where each one's preconditions hold. Operations not
/// listed (say one just added to the spec, served by its generated example) follow.
const ORDER: &[&str] = &[
    "request_challenge",
    "verify_signature",
    "get_trading_key",
    "get_profile",
    "create_advance_trading_session",
    "create_trading_session",
    "list_active_sessions",
    "get_current_trade",
    "get_session_logs",
    "get_trade_logs",
    "get_close_position_signature",
    "close_position",
    "close_trade",
    "close_position_by_asset",
    "close_all_positions",
    "trigger_cron",
    "sync_fills",
    "withdraw",
    "send_usdc",
    "claim_reward",
    "get_indicators_health",
    "get_latest_candles",
    "get_candle_history",
    "get_candles",
    "get_symbols",
    "get_signals",
    "get_all_signals",
    "get_leaderboard_stats",
    "get_rankings",
    "get_user_ranking",
    "get_leaderboard_analytics",
    "get_leaderboard_health",
    "get_referral_info",
    "get_referral_stats",
    "create_referral_code",
    "check_referral_code",
    "verify_usdc_deposit",
    "list_my_transactions",
    "get_total_deposited",
    "health_check",
    "kafka_health_check",
];

#[tokio::test]
async fn every_operation_answers_its_documented_shape() {
    let spec = spec();
    let mock = MockServer::start(Config::default()).unwrap();
    let base = mock.url().to_owned();
    let wallet = PrivateKeySigner::random();

    // Setup outside the walk: a referral code, and a referred user whose trade earns a reward.
    let (token, user_id) = login(&base, &wallet, None).await;
    let code =
        post(&base, &format!("/referrals/{user_id}/code"), Some(&token), json!({"code": "ALPHA42"})).await;
    assert_eq!(code.status(), 201);
    let (friend, _) = login(&base, &PrivateKeySigner::random(), Some("ALPHA42")).await;
    let body = json!({"budget": 500, "profitTarget": 40, "assetIndex": 3});
    assert_eq!(post(&base, "/trading-sessions", Some(&friend), body).await.status(), 201);
    mock.clear_requests();

    let mut ops: BTreeMap<&str, (String, String, Value)> = BTreeMap::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            ops.insert(op["operationId"].as_str().unwrap(), (method.clone(), path.clone(), op.clone()));
        }
    }
    let rest = ops.keys().copied().filter(|id| !ORDER.contains(id));
    let walk: Vec<&str> = ORDER.iter().copied().chain(rest.collect::<Vec<_>>()).collect();

    let mut ctx: BTreeMap<&str, String> = BTreeMap::from([
        ("symbol", "BTC".to_owned()),
        ("interval", "1h".to_owned()),
        ("userId", user_id.clone()),
    ]);
    let mut token = token;
    let mut challenge_message = String::new();
    for id in walk {
        let (method, template, op) = ops.get(id).unwrap_or_else(|| panic!("{id} is not in the spec"));
        let mut path = template.clone();
        let mut query = Vec::new();
        for p in op["parameters"].as_array().into_iter().flatten() {
            let name = p["name"].as_str().unwrap();
            match p["in"].as_str().unwrap() {
                "path" => {
                    let value = ctx.get(name).map_or("x", String::as_str);
                    path = path.replace(&format!("{{{name}}}"), value)
                }
                _ => {
                    if let Some(e) = p.get("example") {
                        query.push((name.to_owned(), e.as_str().map_or(e.to_string(), str::to_owned)));
                    }
                }
            }
        }
        let mut body = op["requestBody"]["content"]["application/json"]["schema"]
            .as_object()
            .map(|s| example(&spec, &Value::Object(s.clone())));
        let overrides = match id {
            "request_challenge" => json!({"address": wallet.address().to_checksum(None)}),
            "verify_signature" => {
                let sig = wallet.sign_message_sync(challenge_message.as_bytes()).unwrap();
                json!({"address": wallet.address().to_checksum(None), "signature": sig.to_string(), "referralCode": null})
            }
            "create_advance_trading_session" => json!({"assetIndex": 1}),
            "close_position_by_asset" => json!({"assetIndex": 1}),
            "verify_usdc_deposit" => json!({"txHash": format!("0x{}", "ab".repeat(32))}),
            _ => json!({}),
        };
        if let (Some(Value::Object(b)), Value::Object(o)) = (&mut body, overrides) {
            for (k, v) in o {
                if v.is_null() {
                    b.remove(&k);
                } else {
                    b.insert(k, v);
                }
            }
        }
        let mut req =
            http().request(method.to_uppercase().parse().unwrap(), format!("{base}{path}")).query(&query);
        if let Some(b) = &body {
            req = req.json(b);
        }
        if op["security"].as_array().is_some_and(|s| !s.is_empty()) {
            req = req.bearer_auth(&token);
        }
        let response = req.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        let (code, success) =
            op["responses"].as_object().unwrap().iter().find(|(c, _)| c.starts_with('2')).unwrap();
        assert_eq!(status.to_string(), *code, "{id} {method} {path}: {text}");
        let value: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{id}: not JSON ({e}): {text}"));
        assert_matches(&spec, &success["content"]["application/json"]["schema"], &value, id);

        match id {
            "request_challenge" => challenge_message = value["message"].as_str().unwrap().to_owned(),
            "verify_signature" => token = value["accessToken"].as_str().unwrap().to_owned(),
            "create_trading_session" => {
                ctx.insert("sessionId", value["id"].as_str().unwrap().to_owned());
            }
            "get_current_trade" => {
                assert_eq!(value["positions"].as_array().unwrap().len(), 3, "maxPositions 3 opens 3");
                ctx.insert("tradeId", value["id"].as_str().unwrap().to_owned());
                ctx.insert("positionId", value["positions"][0]["id"].as_str().unwrap().to_owned());
            }
            "claim_reward" => {
                assert!(value["amount"].as_f64().unwrap() > 0.0, "the friend's trade earned a reward")
            }
            "close_position_by_asset" => assert_eq!(value["closed"], 1),
            "close_all_positions" => assert_eq!(value["closed"], 0, "everything was closed before"),
            _ => {}
        }
    }
    let counters = mock.counters();
    assert_eq!(counters.len(), ops.len(), "each operation was recognised by its route: {counters:?}");
    assert!(counters.values().all(|n| *n == 1));
}

/// What an operation new to the spec gets before anyone writes its handler: the generated
/// example, with its documented status, behind the login check when it is authenticated.
#[tokio::test]
async fn with_examples_only_every_operation_answers_its_generated_example() {
    let spec = spec();
    let mock = MockServer::start(Config { examples_only: true, ..Config::default() }).unwrap();
    let (token, _) = login(mock.url(), &PrivateKeySigner::random(), None).await;
    let mut served = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap();
            let url = format!("{}{}", mock.url(), path.replace(['{', '}'], ""));
            let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
            let request = || http().request(method.to_uppercase().parse().unwrap(), &url).json(&json!({}));
            if secured && !["request_challenge", "verify_signature"].contains(&id) {
                assert_eq!(request().send().await.unwrap().status(), 401, "{id} without a token");
            }
            let response = request().bearer_auth(&token).send().await.unwrap();
            let (code, success) =
                op["responses"].as_object().unwrap().iter().find(|(c, _)| c.starts_with('2')).unwrap();
            if ["request_challenge", "verify_signature"].contains(&id) {
                continue; // real handlers, walked above
            }
            assert_eq!(response.status().as_str(), code, "{id}");
            let schema = &success["content"]["application/json"]["schema"];
            if schema.is_object() {
                let body: Value = response.json().await.unwrap();
                assert_matches(&spec, schema, &body, id);
            }
            served += 1;
        }
    }
    assert!(served > 0);
    let counters = mock.counters();
    assert_eq!(counters.len(), served + 2, "each example route is recorded by operation: {counters:?}");
}

#[tokio::test]
async fn errors_have_the_nestjs_error_shape() {
    let spec = spec();
    let error_schema = json!({"$ref": "#/components/schemas/ErrorResponse"});
    let mock = MockServer::start(Config::default()).unwrap();
    let base = mock.url();
    let (token, _) = login(base, &PrivateKeySigner::random(), None).await;
    let cases = [
        (post(base, "/trading-sessions", Some(&token), json!({"budget": 5})).await, 400),
        (post(base, "/trading-sessions", None, json!({})).await, 401),
        (common::get(base, "/trading-sessions/nope/logs", Some(&token)).await, 404),
        (common::get(base, "/api/indicators/candles/BTC/7m", None).await, 400),
        (common::get(base, "/no/such/route", None).await, 404),
    ];
    for (response, status) in cases {
        assert_eq!(response.status(), status);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["statusCode"], status);
        assert_matches(&spec, &error_schema, &body, &format!("{status}"));
    }
}

#[tokio::test]
async fn every_authenticated_route_refuses_a_missing_forged_or_expired_token() {
    let spec = spec();
    let mock = MockServer::start(Config { token_ttl_secs: 60, ..Config::default() }).unwrap();
    let (token, user_id) = login(mock.url(), &PrivateKeySigner::random(), None).await;
    mock.advance_clock(std::time::Duration::from_secs(61));
    let mut checked = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if op["security"].as_array().is_none_or(|s| s.is_empty()) {
                continue;
            }
            let url = format!("{}{}", mock.url(), path.replace("{userId}", &user_id)).replace(['{', '}'], "");
            for bearer in [None, Some("alura_forged"), Some(token.as_str())] {
                let mut req = http().request(method.to_uppercase().parse().unwrap(), &url).json(&json!({}));
                if let Some(b) = bearer {
                    req = req.bearer_auth(b);
                }
                let status = req.send().await.unwrap().status();
                assert_eq!(status, 401, "{method} {path} with {bearer:?}");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 24, "every authenticated operation");
}

/// Express routes by method and path together: a method a path does not declare is answered
/// like any unknown route, 404 with NestJS's JSON error body (never axum's bare 405, which has
/// neither the documented media type nor the body).
#[tokio::test]
async fn a_method_a_path_does_not_declare_is_expresss_404() {
    let spec = spec();
    let error_schema = json!({"$ref": "#/components/schemas/ErrorResponse"});
    let mock = MockServer::start(Config::default()).unwrap();
    let (token, user_id) = login(mock.url(), &PrivateKeySigner::random(), None).await;
    let mut checked = 0;
    for (template, item) in spec["paths"].as_object().unwrap() {
        let path = template.replace("{userId}", &user_id).replace(['{', '}'], "");
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                continue;
            }
            let upper = method.to_uppercase();
            let r = http()
                .request(upper.parse().unwrap(), format!("{}{path}", mock.url()))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            let what = format!("{upper} {path}");
            assert_eq!(r.status(), 404, "{what}");
            let content_type = r.headers()["content-type"].to_str().unwrap().to_owned();
            assert!(content_type.starts_with("application/json"), "{what}: {content_type}");
            let body: Value = r.json().await.unwrap();
            assert_eq!(
                body,
                json!({"statusCode": 404, "message": format!("Cannot {what}"), "error": "Not Found"})
            );
            assert_matches(&spec, &error_schema, &body, &what);
            checked += 1;
        }
    }
    assert!(checked > 150, "{checked}");
}
