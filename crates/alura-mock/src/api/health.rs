//! `/health`: @nestjs/terminus-shaped liveness.

use crate::api::routes::{Handler, op};
use axum::Json;
use serde_json::{Value, json};

/// The handlers of this controller's operations; paths and methods come from the operation table.
pub(crate) fn handlers() -> Vec<Handler> {
    vec![op("health_check", health), op("kafka_health_check", kafka)]
}

async fn health() -> Json<Value> {
    let info = json!({"database": {"status": "up"}, "memory_heap": {"status": "up"}});
    Json(json!({"status": "ok", "info": info, "error": {}, "details": info}))
}

async fn kafka() -> Json<Value> {
    let info = json!({"kafka": {"status": "up", "brokers": 1}});
    Json(json!({"status": "ok", "info": info, "error": {}, "details": info}))
}
