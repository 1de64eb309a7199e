//! What the SDK logs: operations and attempts, never a secret. Alone in its own test binary,
//! because tracing caches per call site whether anyone listens, across the threads of a binary.

mod common;

use alura::{Client, Error};
use common::{Capture, mock};

const KEY: &str = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
const TOKEN: &str = "alura_secret_token_0123456789";

#[tokio::test(flavor = "current_thread")]
async fn logs_name_operations_and_attempts_but_no_secret() {
    let capture = Capture::default();
    let _guard = capture.install(tracing::Level::TRACE);

    let mock = mock();
    let client = Client::builder().base_url(mock.url()).private_key(KEY).token(TOKEN).build().unwrap();
    mock.inject("get_profile", [alura_mock::Fault::ExpiredToken]);
    client.api().get_profile().send().await.unwrap();
    let err = Error::from(client.api().get_session_logs().session_id("nope").send().await.unwrap_err());
    for text in [err.to_string(), format!("{err:?}")] {
        assert!(!text.contains(TOKEN), "{text}");
    }

    let logs = capture.take();
    assert!(logs.contains("get_profile: GET /user/profile -> 401") && logs.contains("-> 200"), "{logs}");
    assert!(logs.contains("logged in as 0x"), "the login after the 401 is logged: {logs}");
    assert!(!logs.contains(TOKEN), "the given token leaked into the logs");
    assert!(!logs.contains(&KEY[2..]), "the key leaked into the logs");
    assert!(!logs.contains("alura_"), "an issued token leaked into the logs");
}
