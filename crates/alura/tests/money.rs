//! Money is exact on its way through the SDK: amounts go on the wire with exactly their digits
//! (never through a double, never in exponent notation), and come back as the server wrote them.

mod common;

use std::sync::{Arc, Mutex};

use alura::{Asset, Client, Decimal, QuickTrade};
use common::hostile::{Hostile, json, with_login};

/// A server that keeps the body of every trading-session request and answers with `answer`.
async fn recording(answer: serde_json::Value) -> (Hostile, Arc<Mutex<Vec<String>>>) {
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let kept = bodies.clone();
    let server = with_login(move |req| {
        kept.lock().unwrap().push(String::from_utf8_lossy(&req.body).into_owned());
        json("201 Created", answer.clone())
    })
    .await;
    (server, bodies)
}

fn client(server: &Hostile) -> Client {
    Client::builder()
        .base_url(&server.url)
        .signer(alloy_signer_local::PrivateKeySigner::random())
        .build()
        .unwrap()
}

#[tokio::test]
async fn amounts_go_on_the_wire_with_exactly_their_digits() {
    let (server, bodies) = recording(serde_json::json!({"id": "s-1"})).await;
    let client = client(&server);
    let cases: [(Decimal, &str); 3] = [
        ("100.10".parse().unwrap(), "\"budget\":100.10"),
        ("1234567890.123456789012345678".parse().unwrap(), "\"budget\":1234567890.123456789012345678"),
        (Decimal::from(100), "\"budget\":100,"),
    ];
    for (budget, wire) in cases {
        client.quick_trade(QuickTrade::new(Asset::BTC, budget, 40)).await.unwrap();
        let body = bodies.lock().unwrap().pop().unwrap();
        assert!(body.contains(wire), "{wire} in {body}");
    }
    // Dust is written in plain digits: an exchange refuses `8.329e-05`.
    let dust: Decimal = "8.329e-05".parse().unwrap();
    client.api().withdraw().body_map(|b| b.amount(dust)).send().await.unwrap();
    let body = bodies.lock().unwrap().pop().unwrap();
    assert!(body.contains("\"amount\":0.00008329"), "{body}");
    // A double given to a builder goes by its shortest text: 0.1 + 0.2 is what it is, and 100.1 is 100.1.
    client
        .api()
        .create_trading_session()
        .body_map(|b| b.budget(100.1).profit_target(40.0).asset_index(0))
        .send()
        .await
        .unwrap();
    let body = bodies.lock().unwrap().pop().unwrap();
    assert!(body.contains("\"budget\":100.1,") && body.contains("\"profitTarget\":40}"), "{body}");
}

#[tokio::test]
async fn amounts_come_back_as_the_server_wrote_them_and_add_up_exactly() {
    let answer = serde_json::json!({"id": "s-1", "budget": "100.00000000", "profitTarget": 40.5, "lossThreshold": null});
    let (server, _) = recording(answer).await;
    let session = client(&server).quick_trade(QuickTrade::new(Asset::BTC, 100, 40)).await.unwrap();
    let budget = session.budget.unwrap();
    assert_eq!(budget.to_string(), "100.00000000");
    assert_eq!(budget, Decimal::from(100));
    assert_eq!(
        (budget * Decimal::from(2)).normalize().to_string(),
        "200",
        "not \"100.00000000100.00000000\""
    );
    assert_eq!(session.profit_target.unwrap() + "0.1".parse().unwrap(), "40.6".parse().unwrap());
    assert_eq!(session.loss_threshold, None);
}
