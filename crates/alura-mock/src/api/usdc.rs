//! `/usdc-verification`: deposits proven by transaction hash, counted once.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::Shared;
use crate::api::routes::{Handler, op};
use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::state::Deposit;
use crate::validate::{Body, Fields};

/// The handlers of this controller's operations; paths and methods come from the operation table.
pub(crate) fn handlers() -> Vec<Handler> {
    vec![
        op("verify_usdc_deposit", verify),
        op("list_my_transactions", my_transactions),
        op("get_total_deposited", total),
    ]
}

/// What the simulated chain says was deposited: 10 to 1,000 USDC, fixed by the hash.
fn amount_of(tx_hash: &str) -> f64 {
    let h = Sha256::digest(tx_hash.as_bytes());
    10.0 + (u16::from_be_bytes([h[0], h[1]]) % 991) as f64
}

async fn verify(
    State(shared): State<Arc<Shared>>,
    AuthUser(user): AuthUser,
    Body(body): Body,
) -> ApiResult<impl IntoResponse> {
    let mut f = Fields::new(&body);
    let tx_hash = f.tx_hash("txHash", true);
    f.finish()?;
    let tx_hash = tx_hash.expect("validated");
    let now = shared.clock.now_ms();
    let mut world = shared.world.lock().unwrap();
    if world.deposits.iter().any(|d| d.tx_hash == tx_hash) {
        return Err(ApiError::conflict("Transaction already verified"));
    }
    let amount = amount_of(&tx_hash);
    let deposit = Deposit { id: world.next_id(), user_id: user.clone(), tx_hash, amount, at: now };
    let body = deposit.json();
    world.deposits.push(deposit);
    let u = world.users.get_mut(&user).expect("signed in");
    u.total_deposited += amount;
    u.balance += amount;
    Ok((StatusCode::CREATED, Json(body)))
}

async fn my_transactions(State(shared): State<Arc<Shared>>, AuthUser(user): AuthUser) -> Json<Value> {
    let world = shared.world.lock().unwrap();
    Json(json!(
        world.deposits.iter().rev().filter(|d| d.user_id == user).map(Deposit::json).collect::<Vec<_>>()
    ))
}

async fn total(State(shared): State<Arc<Shared>>, AuthUser(user): AuthUser) -> Json<Value> {
    let world = shared.world.lock().unwrap();
    let mine: Vec<&Deposit> = world.deposits.iter().filter(|d| d.user_id == user).collect();
    Json(json!({"total": mine.iter().map(|d| d.amount).sum::<f64>(), "count": mine.len()}))
}
