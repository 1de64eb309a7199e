//! The routes of the backend, one module per NestJS controller, and the simulator's own.

mod docs;
mod health;
mod indicators;
mod leaderboard;
mod login;
mod referrals;
pub(crate) mod routes;
pub(crate) mod trading;
mod usdc;
mod user;

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::extract::{Query, State};
use axum::http::{Method, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::{Json, Router, middleware, routing};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::Shared;
use crate::drift::drift;
use crate::error::ApiError;
use crate::faults::{Fault, observe};

pub use docs::RAW_SPEC;
pub use indicators::HISTORY_MAX;
pub use trading::DUPLICATE_ASSET;

/// Control routes live under a prefix no backend route uses.
pub const CONTROL_PREFIX: &str = "/__mock";

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let handlers = [
        login::handlers(),
        trading::handlers(),
        user::handlers(),
        indicators::handlers(),
        leaderboard::handlers(),
        referrals::handlers(),
        usdc::handlers(),
        health::handlers(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let api = routes::api(handlers, shared.config.examples_only)
        // Drift inside observe: faults are applied to the drifted answer, and never drifted.
        .route_layer(middleware::from_fn_with_state(shared.clone(), drift))
        .route_layer(middleware::from_fn_with_state(shared.clone(), observe));
    Router::new()
        .merge(api)
        .merge(docs::routes())
        .nest(CONTROL_PREFIX, control())
        .fallback(not_found)
        // Express has no 405: a path known for other methods is as unknown as any other.
        .method_not_allowed_fallback(not_found)
        .with_state(shared)
}

/// Express's answer to a route nobody declared (for this method).
async fn not_found(method: Method, uri: Uri) -> ApiError {
    ApiError::not_found(format!("Cannot {method} {}", uri.path()))
}

fn control() -> Router<Arc<Shared>> {
    Router::new()
        .route("/faults", routing::post(inject).delete(clear_faults))
        .route("/requests", routing::get(requests).delete(clear_requests))
        .route("/counters", routing::get(counters))
        .route("/reset", routing::post(reset))
        .route("/clock", routing::post(advance_clock))
        .route("/drift", routing::get(drift_mode).post(set_drift_mode))
}

#[derive(Deserialize)]
struct DriftMode {
    enabled: bool,
}

async fn drift_mode(State(shared): State<Arc<Shared>>) -> Json<Value> {
    Json(json!({"enabled": shared.drift.load(Ordering::Relaxed)}))
}

async fn set_drift_mode(State(shared): State<Arc<Shared>>, Json(body): Json<DriftMode>) -> Json<Value> {
    shared.drift.store(body.enabled, Ordering::Relaxed);
    Json(json!({"enabled": body.enabled}))
}

#[derive(Deserialize)]
struct Injection {
    operation: String,
    faults: Vec<Fault>,
}

async fn inject(
    State(shared): State<Arc<Shared>>,
    Json(body): Json<Injection>,
) -> Result<StatusCode, ApiError> {
    if alura_api::find(&body.operation).is_none() {
        return Err(ApiError::bad_request(format!("unknown operation {}", body.operation)));
    }
    shared.faults.lock().unwrap().push(&body.operation, body.faults);
    Ok(StatusCode::NO_CONTENT)
}

async fn clear_faults(State(shared): State<Arc<Shared>>) -> StatusCode {
    shared.faults.lock().unwrap().clear();
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct RequestFilter {
    operation: Option<String>,
}

async fn requests(State(shared): State<Arc<Shared>>, Query(filter): Query<RequestFilter>) -> Json<Value> {
    Json(json!(shared.requests(filter.operation.as_deref())))
}

async fn clear_requests(State(shared): State<Arc<Shared>>) -> StatusCode {
    shared.log.lock().unwrap().clear();
    StatusCode::NO_CONTENT
}

async fn counters(State(shared): State<Arc<Shared>>) -> Json<Value> {
    Json(json!(shared.counters()))
}

async fn reset(State(shared): State<Arc<Shared>>) -> StatusCode {
    shared.reset();
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Advance {
    advance_ms: i64,
}

async fn advance_clock(State(shared): State<Arc<Shared>>, Json(body): Json<Advance>) -> impl IntoResponse {
    shared.clock.advance(body.advance_ms);
    Json(json!({"nowMs": shared.clock.now_ms()}))
}
