//! A server that follows the contract but not our guesses: the answer comes back as it came,
//! with one warning per mismatch. Alone in its own test binary, because tracing caches per call
//! site whether anyone listens, across the threads of a binary.

mod common;

use alloy_signer_local::PrivateKeySigner;
use alura::Client;
use common::Capture;
use common::hostile::independent;
use serde_json::{Map, json};

#[tokio::test(flavor = "current_thread")]
async fn the_answer_comes_back_as_it_came_with_one_warning_per_mismatch() {
    let capture = Capture::default();
    let _guard = capture.install(tracing::Level::WARN);

    let server = independent().await;
    let client = Client::builder().base_url(&server.url).signer(PrivateKeySigner::random()).build().unwrap();
    for _ in 0..3 {
        let profile = client.call("get_profile", Map::new()).await.unwrap().to_value().unwrap();
        assert_eq!(
            profile,
            json!({"id": 7, "address": "0xabc", "balance": "100.00", "referralCode": null, "tier": "gold"}),
            "every field as the server sent it, unknown ones and nulls included"
        );
    }
    assert_eq!(server.count("/auth/evm/verify"), 1, "the trimmed user object did not fail the login");
    let logs = capture.take();
    let warnings: Vec<&str> = logs.lines().filter(|l| l.contains("WARN")).collect();
    assert_eq!(warnings.len(), 1, "one warning for three identical mismatches: {logs}");
    let warning = warnings[0];
    for part in ["get_profile", "$.id", "invalid type: integer `7`", "got 7"] {
        assert!(warning.contains(part), "{part:?} in {warning}");
    }
    assert!(!logs.contains("tok\""), "no token in the logs");
}
