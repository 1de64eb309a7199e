//! `/health`: @nestjs/terminus-shaped liveness.

use axum::{Json, Router, routing};
use serde_json::{Value, json};

pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route("/health", routing::get(health)).route("/health/kafka", routing::get(kafka))
}

async fn health() -> Json<Value> {
    let info = json!({"database": {"status": "up"}, "memory_heap": {"status": "up"}});
    Json(json!({"status": "ok", "info": info, "error": {}, "details": info}))
}

async fn kafka() -> Json<Value> {
    let info = json!({"kafka": {"status": "up", "brokers": 1}});
    Json(json!({"status": "ok", "info": info, "error": {}, "details": info}))
}
