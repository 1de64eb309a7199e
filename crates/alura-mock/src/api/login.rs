//! The auth controller's routes: wallet login for real, with single-use nonces, EIP-191 signer
//! recovery and expiring bearer tokens (kept in `crate::auth`).

use std::str::FromStr;
use std::sync::Arc;

use alloy_primitives::Signature;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use rand::Rng;
use serde_json::{Value, json};

use crate::Shared;
use crate::api::routes::{Handler, op};
use crate::auth::{AuthUser, Challenge, NONCE_TTL_MS};
use crate::error::{ApiError, ApiResult};
use crate::validate::{Body, Fields, is_hex};

/// The handlers of this controller's operations; paths and methods come from the operation table.
pub(crate) fn handlers() -> Vec<Handler> {
    vec![
        op("request_challenge", challenge),
        op("verify_signature", verify),
        op("get_trading_key", trading_key),
    ]
}

async fn challenge(State(shared): State<Arc<Shared>>, Body(body): Body) -> ApiResult<impl IntoResponse> {
    let mut f = Fields::new(&body);
    let address = f.address("address", true);
    f.finish()?;
    let address = address.expect("validated");
    let nonce = hex::encode(rand::rng().random::<[u8; 16]>());
    let now = shared.clock.now_ms();
    let checksummed = address.to_checksum(None);
    let message = format!(
        "Sign in to Alura Trading\n\nAddress: {checksummed}\nNonce: {nonce}\nIssued At: {}",
        crate::state::iso(now)
    );
    shared.auth.lock().unwrap().challenges.insert(
        address,
        Challenge { message: message.clone(), expires_at: now.saturating_add(NONCE_TTL_MS) },
    );
    Ok((StatusCode::CREATED, Json(json!({"address": checksummed, "nonce": nonce, "message": message}))))
}

async fn verify(State(shared): State<Arc<Shared>>, Body(body): Body) -> ApiResult<impl IntoResponse> {
    let mut f = Fields::new(&body);
    let address = f.address("address", true);
    let signature = f.string("signature", true);
    let referral = f.string("referralCode", false);
    // Collected with the other failures, as class-validator reports every rule at once.
    if signature.as_deref().is_some_and(|s| !is_hex(s, 130)) {
        f.reject("signature must be a 65-byte hex string (0x + 130 hex digits)".into());
    }
    f.finish()?;
    let (address, signature) = (address.expect("validated"), signature.expect("validated"));
    let signature = Signature::from_str(&signature)
        .map_err(|_| ApiError::validation(vec!["signature is not a valid ECDSA signature".into()]))?;
    let now = shared.clock.now_ms();
    // Taken out whatever happens next: a nonce is answered once.
    let challenge = shared.auth.lock().unwrap().challenges.remove(&address);
    let challenge = challenge.ok_or_else(|| unauthorized("No pending challenge for this address"))?;
    if challenge.expires_at <= now {
        return Err(unauthorized("Challenge expired"));
    }
    let signer = signature
        .recover_address_from_msg(challenge.message.as_bytes())
        .map_err(|_| unauthorized("Invalid signature"))?;
    if signer != address {
        return Err(unauthorized("Invalid signature"));
    }
    let (user_id, profile) = {
        let mut world = shared.world.lock().unwrap();
        let id = world.user_for(address, now, referral.as_deref());
        let profile = world.profile_json(&id, &shared.market, now);
        (id, profile)
    };
    let token = format!("alura_{}", hex::encode(rand::rng().random::<[u8; 24]>()));
    let ttl = shared.config.token_ttl_secs;
    let expiry = now.saturating_add(i64::try_from(ttl).unwrap_or(i64::MAX).saturating_mul(1000));
    shared.auth.lock().unwrap().tokens.insert(token.clone(), (user_id, expiry));
    Ok((
        StatusCode::CREATED,
        Json(
            json!({"ok": true, "accessToken": token, "tokenType": "Bearer", "expiresIn": ttl, "user": profile}),
        ),
    ))
}

fn unauthorized(message: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, message)
}

async fn trading_key(State(shared): State<Arc<Shared>>, AuthUser(user): AuthUser) -> Json<Value> {
    let world = shared.world.lock().unwrap();
    let agent = &world.users[&user].agent;
    Json(json!({
        "agentAddress": agent.address().to_checksum(None),
        "agentPrivateKey": format!("0x{}", hex::encode(agent.to_bytes())),
        "approved": true,
    }))
}
