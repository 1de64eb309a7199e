//! `/referrals`: codes, who referred whom, and the rewards it earned.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use rand::Rng;
use serde_json::{Value, json};

use crate::Shared;
use crate::api::routes::{Handler, op};
use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::validate::{Body, Fields, RequiredBody};

/// The handlers of this controller's operations; paths and methods come from the operation table.
pub(crate) fn handlers() -> Vec<Handler> {
    vec![
        op("get_referral_info", info),
        op("get_referral_stats", stats),
        op("create_referral_code", create_code),
        op("check_referral_code", check),
    ]
}

/// A user may read and change only their own referral data.
fn own(shared: &Shared, caller: &str, user_id: &str) -> ApiResult<()> {
    if !shared.world.lock().unwrap().users.contains_key(user_id) {
        return Err(ApiError::not_found("User not found"));
    }
    if caller != user_id {
        return Err(ApiError::forbidden());
    }
    Ok(())
}

async fn info(
    State(shared): State<Arc<Shared>>,
    AuthUser(caller): AuthUser,
    Path(user_id): Path<String>,
) -> ApiResult<Json<Value>> {
    own(&shared, &caller, &user_id)?;
    let world = shared.world.lock().unwrap();
    let u = &world.users[&user_id];
    let referred = world.users.values().filter(|o| o.referred_by.as_deref() == Some(&user_id)).count();
    Ok(Json(json!({
        "userId": user_id, "referralCode": u.referral_code, "referredBy": u.referred_by, "referredUsers": referred,
    })))
}

async fn stats(
    State(shared): State<Arc<Shared>>,
    AuthUser(caller): AuthUser,
    Path(user_id): Path<String>,
) -> ApiResult<Json<Value>> {
    own(&shared, &caller, &user_id)?;
    let world = shared.world.lock().unwrap();
    let referred: Vec<&str> = world
        .users
        .values()
        .filter(|o| o.referred_by.as_deref() == Some(&user_id))
        .map(|o| o.id.as_str())
        .collect();
    let active = referred.iter().filter(|r| world.sessions.values().any(|s| s.user_id == **r)).count();
    Ok(Json(json!({
        "userId": user_id, "totalReferrals": referred.len(), "activeReferrals": active,
        "totalRewards": world.users[&user_id].total_rewards,
    })))
}

/// Gives the user a code: the one asked for when free, else a generated one. A user has one code.
async fn create_code(
    State(shared): State<Arc<Shared>>,
    AuthUser(caller): AuthUser,
    Path(user_id): Path<String>,
    // The spec marks the body required though `code` is optional: `{}` asks for a generated code.
    RequiredBody(body): RequiredBody,
) -> ApiResult<impl IntoResponse> {
    own(&shared, &caller, &user_id)?;
    let mut f = Fields::new(&body);
    let wanted = f.string("code", false).map(|c| c.to_uppercase());
    if wanted
        .as_ref()
        .is_some_and(|c| !(4..=16).contains(&c.len()) || !c.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        f.reject("code must be 4 to 16 letters or digits".into());
    }
    f.finish()?;
    let mut world = shared.world.lock().unwrap();
    if let Some(existing) = world.users[&user_id].referral_code.clone() {
        if wanted.as_ref().is_some_and(|w| *w != existing) {
            return Err(ApiError::conflict("User already has a referral code"));
        }
        return Ok((StatusCode::CREATED, Json(json!({"code": existing, "userId": user_id}))));
    }
    let code = match wanted {
        Some(code) if world.codes.contains_key(&code) => {
            return Err(ApiError::conflict("Referral code already taken"));
        }
        Some(code) => code,
        None => loop {
            let code: String = (0..8)
                .map(|_| b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789"[world.rng.random_range(0..32)] as char)
                .collect();
            if !world.codes.contains_key(&code) {
                break code;
            }
        },
    };
    world.codes.insert(code.clone(), user_id.clone());
    world.users.get_mut(&user_id).expect("checked").referral_code = Some(code.clone());
    Ok((StatusCode::CREATED, Json(json!({"code": code, "userId": user_id}))))
}

async fn check(State(shared): State<Arc<Shared>>, Body(body): Body) -> ApiResult<impl IntoResponse> {
    let mut f = Fields::new(&body);
    let code = f.string("code", true);
    f.finish()?;
    let code = code.expect("validated").to_uppercase();
    let referrer = shared.world.lock().unwrap().codes.get(&code).cloned();
    Ok((
        StatusCode::CREATED,
        Json(json!({"valid": referrer.is_some(), "code": code, "referrerId": referrer})),
    ))
}
