//! `/user`: profile, fills, funds and positions of the signed-in user.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use rand::Rng;
use serde_json::{Value, json};

use crate::Shared;
use crate::api::routes::{Handler, op};
use crate::api::trading::asset_index;
use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::validate::{Body, Fields};

/// The handlers of this controller's operations; paths and methods come from the operation table.
pub(crate) fn handlers() -> Vec<Handler> {
    vec![
        op("get_profile", profile),
        op("sync_fills", sync_fills),
        op("withdraw", withdraw),
        op("close_position_by_asset", close_position),
        op("close_all_positions", close_all),
        op("send_usdc", send_usdc),
        op("claim_reward", claim_reward),
    ]
}

fn created(body: Value) -> impl IntoResponse {
    (StatusCode::CREATED, Json(body))
}

fn tx_hash() -> String {
    format!("0x{}", hex::encode(rand::rng().random::<[u8; 32]>()))
}

async fn profile(State(shared): State<Arc<Shared>>, AuthUser(user): AuthUser) -> Json<Value> {
    let world = shared.world.lock().unwrap();
    Json(world.profile_json(&user, &shared.market, shared.clock.now_ms()))
}

/// Counts the fills (closed positions) not synced before.
async fn sync_fills(State(shared): State<Arc<Shared>>, AuthUser(user): AuthUser) -> impl IntoResponse {
    let mut world = shared.world.lock().unwrap();
    let fills = world.positions.values().filter(|p| p.user_id == user && p.status == "closed").count();
    let u = world.users.get_mut(&user).expect("signed in");
    let synced = fills.saturating_sub(u.synced_fills);
    u.synced_fills = fills;
    created(json!({"success": true, "synced": synced}))
}

/// Takes `amount` off the balance, refusing to go below zero.
fn debit(shared: &Shared, user: &str, amount: f64) -> ApiResult<()> {
    let mut world = shared.world.lock().unwrap();
    let u = world.users.get_mut(user).expect("signed in");
    if amount > u.balance {
        return Err(ApiError::bad_request("Insufficient balance"));
    }
    u.balance -= amount;
    Ok(())
}

async fn withdraw(
    State(shared): State<Arc<Shared>>,
    AuthUser(user): AuthUser,
    Body(body): Body,
) -> ApiResult<impl IntoResponse> {
    let mut f = Fields::new(&body);
    let amount = f.number("amount", true);
    let amount = f.positive("amount", amount);
    f.finish()?;
    let amount = amount.expect("validated");
    debit(&shared, &user, amount)?;
    Ok(created(
        json!({"success": true, "message": "Withdrawal submitted", "txHash": tx_hash(), "amount": amount}),
    ))
}

async fn send_usdc(
    State(shared): State<Arc<Shared>>,
    AuthUser(user): AuthUser,
    Body(body): Body,
) -> ApiResult<impl IntoResponse> {
    let mut f = Fields::new(&body);
    let destination = f.address("destination", true);
    let amount = f.number("amount", true);
    let amount = f.positive("amount", amount);
    f.finish()?;
    let (destination, amount) = (destination.expect("validated"), amount.expect("validated"));
    debit(&shared, &user, amount)?;
    let message = format!("Sent {amount} USDC to {}", destination.to_checksum(None));
    Ok(created(json!({"success": true, "message": message, "txHash": tx_hash(), "amount": amount})))
}

async fn close_position(
    State(shared): State<Arc<Shared>>,
    AuthUser(user): AuthUser,
    Body(body): Body,
) -> ApiResult<impl IntoResponse> {
    let mut f = Fields::new(&body);
    let asset = asset_index(&mut f);
    f.finish()?;
    let asset = asset.expect("validated");
    let now = shared.clock.now_ms();
    let mut world = shared.world.lock().unwrap();
    let open: Vec<String> =
        world.open_positions_of(&user).into_iter().filter(|p| world.positions[p].asset == asset).collect();
    if open.is_empty() {
        return Err(ApiError::not_found("No open position for this asset"));
    }
    let pnl: f64 = open.iter().map(|p| world.close_position(p, &shared.market, now)).sum();
    Ok(created(json!({"success": true, "message": "Position closed", "closed": open.len(), "amount": pnl})))
}

async fn close_all(State(shared): State<Arc<Shared>>, AuthUser(user): AuthUser) -> impl IntoResponse {
    let now = shared.clock.now_ms();
    let mut world = shared.world.lock().unwrap();
    let open = world.open_positions_of(&user);
    let pnl: f64 = open.iter().map(|p| world.close_position(p, &shared.market, now)).sum();
    created(json!({"success": true, "message": "All positions closed", "closed": open.len(), "amount": pnl}))
}

async fn claim_reward(
    State(shared): State<Arc<Shared>>,
    AuthUser(user): AuthUser,
) -> ApiResult<impl IntoResponse> {
    let mut world = shared.world.lock().unwrap();
    let u = world.users.get_mut(&user).expect("signed in");
    if u.unclaimed_rewards <= 0.0 {
        return Err(ApiError::bad_request("No rewards to claim"));
    }
    let amount = std::mem::take(&mut u.unclaimed_rewards);
    u.balance += amount;
    Ok(created(json!({"success": true, "message": "Rewards claimed", "amount": amount})))
}
