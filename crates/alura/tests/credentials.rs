//! Real credentials: any alloy signer, only the challenge we expect signed, tokens kept and
//! reused.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use alloy_primitives::{Address, B256, ChainId, Signature};
use alloy_signer::{Signer, SignerSync};
use alloy_signer_local::PrivateKeySigner;
use alura::{Client, Error};
use base64::Engine;
use common::hostile::{Hostile, Seen, json};
use common::{mock, sent};
use serde_json::Map;

/// A signer that is not a local key as far as the SDK can tell (as a Ledger or a KMS would
/// be): it signs with `key` but claims `claimed`, and counts what it was asked to sign.
struct Remote {
    key: PrivateKeySigner,
    claimed: Address,
    signed: Arc<AtomicUsize>,
}

impl Remote {
    fn honest() -> Self {
        let key = PrivateKeySigner::random();
        Self { claimed: key.address(), key, signed: Arc::default() }
    }
}

#[async_trait::async_trait]
impl Signer for Remote {
    async fn sign_hash(&self, hash: &B256) -> alloy_signer::Result<Signature> {
        self.signed.fetch_add(1, Ordering::SeqCst);
        tokio::task::yield_now().await;
        self.key.sign_hash_sync(hash)
    }
    fn address(&self) -> Address {
        self.claimed
    }
    fn chain_id(&self) -> Option<ChainId> {
        None
    }
    fn set_chain_id(&mut self, _: Option<ChainId>) {}
}

#[tokio::test]
async fn any_alloy_signer_logs_in() {
    let mock = mock();
    let signer = Remote::honest();
    let (address, signed) = (signer.address(), signer.signed.clone());
    let client = Client::builder().base_url(mock.url()).signer(signer).strict(true).build().unwrap();
    let profile = client.call("get_profile", Map::new()).await.unwrap().to_value().unwrap();
    assert_eq!(profile["address"], address.to_checksum(None));
    assert_eq!(signed.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_signature_by_another_key_is_caught_before_it_is_sent() {
    let mock = mock();
    let signer = Remote { claimed: PrivateKeySigner::random().address(), ..Remote::honest() };
    let client = Client::builder().base_url(mock.url()).signer(signer).build().unwrap();
    let err = client.login().await.unwrap_err();
    assert!(
        matches!(&err, Error::Auth { message, .. } if message.contains("not by the signer's address")),
        "{err:?}"
    );
    assert_eq!(sent(&mock, "verify_signature"), 0, "a bad signature never reaches the server");
}

/// A server whose challenge message is `message(address, nonce)`.
async fn challenging(message: fn(&str) -> String) -> Hostile {
    Hostile::start(move |req: &Seen| match req.path.as_str() {
        "/auth/evm/challenge" => {
            let address = req.json()["address"].as_str().unwrap_or_default().to_owned();
            json(
                "201 Created",
                serde_json::json!({"address": address, "nonce": "nonce-777", "message": message(&address)}),
            )
        }
        "/auth/evm/verify" => {
            json("201 Created", serde_json::json!({"accessToken": "tok", "expiresIn": 3600}))
        }
        _ => json("200 OK", serde_json::json!({})),
    })
    .await
}

#[tokio::test]
async fn a_challenge_about_something_else_is_refused_and_nothing_is_signed() {
    type Message = fn(&str) -> String;
    let cases: [(Message, &str); 3] = [
        (
            |a| {
                format!(
                    "evil.example wants you to sign in with your Ethereum account:\n{a}\n\nURI: https://evil.example\nNonce: nonce-777"
                )
            },
            "whose domain is evil.example",
        ),
        (|a| format!("Sign in to Alura\nAddress: {a}\nNonce: something-else"), "nonce"),
        (
            |_| {
                "Sign in to Alura\nAddress: 0x000000000000000000000000000000000000dEaD\nNonce: nonce-777"
                    .into()
            },
            "our address",
        ),
    ];
    for (message, why) in cases {
        let server = challenging(message).await;
        let signer = Remote::honest();
        let signed = signer.signed.clone();
        let client = Client::builder().base_url(&server.url).signer(signer).build().unwrap();
        let err = client.login().await.unwrap_err();
        match &err {
            Error::Auth { message, .. } => {
                assert!(message.contains(why) && message.contains("The message:"), "{why}: {message}");
            }
            other => panic!("{why}: {other:?}"),
        }
        assert_eq!(signed.load(Ordering::SeqCst), 0, "{why}: nothing was signed");
        assert_eq!(server.count("/auth/evm/verify"), 0);
    }
    // A server that phrases its message otherwise can be let through, knowingly.
    let server = challenging(|_| "Welcome! Please sign.".into()).await;
    let client = Client::builder()
        .base_url(&server.url)
        .signer(Remote::honest())
        .verify_challenge(false)
        .build()
        .unwrap();
    client.login().await.unwrap();
}

#[tokio::test]
async fn a_sign_in_for_another_site_names_it_and_both_ways_out_and_a_trusted_one_passes() {
    let server = challenging(|a| {
        format!(
            "app.partner.example wants you to sign in with your Ethereum account:\n{a}\n\nURI: https://app.partner.example/login\nVersion: 1\nChain ID: 1\nNonce: nonce-777"
        )
    })
    .await;
    let api_host = server.url.trim_start_matches("http://").to_owned();
    let client = Client::builder().base_url(&server.url).signer(Remote::honest()).build().unwrap();
    match client.login().await.unwrap_err() {
        Error::Auth { message, .. } => {
            for part in
                ["app.partner.example", api_host.as_str(), "trusted_domains", "verify_challenge(false)"]
            {
                assert!(message.contains(part), "{part}: {message}");
            }
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.count("/auth/evm/verify"), 0);
    let client = Client::builder()
        .base_url(&server.url)
        .signer(Remote::honest())
        .trusted_domains(["app.partner.example"])
        .build()
        .unwrap();
    client.login().await.unwrap();
    assert_eq!(server.count("/auth/evm/verify"), 1);
}

fn jwt(exp: u64) -> String {
    let enc = |s: String| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    format!("{}.{}.c2ln", enc(r#"{"alg":"HS256"}"#.into()), enc(format!(r#"{{"sub":"u","exp":{exp}}}"#)))
}

#[tokio::test]
async fn a_saved_token_that_lapsed_means_one_login_before_the_first_call() {
    let mock = mock();
    let an_hour_ago = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() - 3600;
    let client = Client::builder()
        .base_url(mock.url())
        .signer(PrivateKeySigner::random())
        .token(jwt(an_hour_ago))
        .build()
        .unwrap();
    assert_eq!(client.token().unwrap().expires_at, Some(UNIX_EPOCH + Duration::from_secs(an_hour_ago)));
    client.call("get_profile", Map::new()).await.unwrap();
    assert_eq!(sent(&mock, "verify_signature"), 1);
    let statuses: Vec<_> = mock.requests(Some("get_profile")).iter().map(|r| r.status).collect();
    assert_eq!(statuses, [Some(200)], "no call went out with the lapsed token");
    assert_ne!(client.token().unwrap().value(), jwt(an_hour_ago), "the new token replaced it");
}

#[tokio::test]
async fn the_token_cache_is_reused_private_and_survives_a_corrupt_file() {
    let mock = mock();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alura").join("tokens.json");
    let key = PrivateKeySigner::random();
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    let first = Client::builder()
        .base_url(mock.url())
        .signer(key.clone())
        .token_cache(&path)
        .on_token(move |t| {
            assert!(!t.value().is_empty());
            counter.fetch_add(1, Ordering::SeqCst);
        })
        .build()
        .unwrap();
    first.login().await.unwrap();
    assert_eq!(seen.load(Ordering::SeqCst), 1, "on_token saw the new token");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(&key.address().to_checksum(None)) && text.contains(mock.url()));

    // Another process with the same key and cache: no new login.
    let second =
        Client::builder().base_url(mock.url()).signer(key.clone()).token_cache(&path).build().unwrap();
    second.call("get_profile", Map::new()).await.unwrap();
    assert_eq!(sent(&mock, "verify_signature"), 1, "the cached token was reused");
    assert_eq!(second.token().unwrap().value(), first.token().unwrap().value());

    // Another wallet does not get this one's token.
    let other = Client::builder()
        .base_url(mock.url())
        .signer(PrivateKeySigner::random())
        .token_cache(&path)
        .build()
        .unwrap();
    other.login().await.unwrap();
    assert_eq!(sent(&mock, "verify_signature"), 2);

    // A corrupt cache is ignored, and replaced by the next login.
    std::fs::write(&path, "{not json").unwrap();
    let third = Client::builder().base_url(mock.url()).signer(key).token_cache(&path).build().unwrap();
    third.login().await.unwrap();
    assert_eq!(sent(&mock, "verify_signature"), 3);
    assert!(std::fs::read_to_string(&path).unwrap().contains("expiresAt"));
}

#[cfg(unix)]
#[tokio::test]
async fn a_cache_others_can_read_is_not_trusted() {
    use std::os::unix::fs::PermissionsExt;
    let mock = mock();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tokens.json");
    let key = PrivateKeySigner::random();
    let first =
        Client::builder().base_url(mock.url()).signer(key.clone()).token_cache(&path).build().unwrap();
    first.login().await.unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let second = Client::builder().base_url(mock.url()).signer(key).token_cache(&path).build().unwrap();
    second.login().await.unwrap();
    assert_eq!(sent(&mock, "verify_signature"), 2, "a world-readable cache is ignored");
}

#[test]
fn the_token_never_shows_in_debug() {
    let client = Client::builder().token("alura_secret_token_xyz").build().unwrap();
    let token = client.token().unwrap();
    assert_eq!(token.value(), "alura_secret_token_xyz");
    assert_eq!(token.expires_at, None, "not a JWT: lifetime unknown");
    assert!(!format!("{token:?} {client:?}").contains("alura_secret_token_xyz"));
}
