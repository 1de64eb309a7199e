//! `/api/leaderboard`: rankings computed from every user's PnL.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use serde_json::{Value, json};

use crate::Shared;
use crate::api::routes::{Handler, op};
use crate::api::trading::{page_of, pagination};
use crate::error::{ApiError, ApiResult};

const PERIODS: [&str; 4] = ["daily", "weekly", "monthly", "all"];

/// The handlers of this controller's operations; paths and methods come from the operation table.
pub(crate) fn handlers() -> Vec<Handler> {
    vec![
        op("get_leaderboard_stats", stats),
        op("get_rankings", rankings),
        op("get_user_ranking", user_ranking),
        op("get_leaderboard_analytics", analytics),
        op("get_leaderboard_health", health),
    ]
}

/// Every user, best PnL first (ties by id, so the order is stable).
fn ranked(shared: &Shared) -> Vec<Value> {
    let now = shared.clock.now_ms();
    let world = shared.world.lock().unwrap();
    let mut rows: Vec<(f64, &str, Value)> = world
        .users
        .values()
        .map(|u| {
            let pnl = world.user_pnl(&u.id, &shared.market, now);
            let budget: f64 = world.sessions.values().filter(|s| s.user_id == u.id).map(|s| s.budget).sum();
            let trades = world.trades.values().filter(|t| t.user_id == u.id).count();
            let roi = if budget > 0.0 { pnl / budget * 100.0 } else { 0.0 };
            let row = json!({"userId": u.id, "address": u.address.to_checksum(None), "pnl": pnl, "roi": roi, "trades": trades});
            (pnl, u.id.as_str(), row)
        })
        .collect();
    rows.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    rows.into_iter()
        .enumerate()
        .map(|(i, (_, _, mut row))| {
            row["rank"] = json!(i + 1);
            row
        })
        .collect()
}

async fn stats(State(shared): State<Arc<Shared>>) -> Json<Value> {
    let rows = ranked(&shared);
    let world = shared.world.lock().unwrap();
    let volume: f64 = world.positions.values().map(|p| p.size * p.entry_price).sum();
    Json(json!({
        "totalUsers": rows.len(), "totalTrades": world.trades.len(), "totalVolume": volume,
        "totalPnl": rows.iter().map(|r| r["pnl"].as_f64().unwrap_or(0.0)).sum::<f64>(),
    }))
}

async fn rankings(
    State(shared): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let (page, limit) = pagination(&q)?;
    if q.get("period").is_some_and(|p| !PERIODS.contains(&p.as_str())) {
        return Err(ApiError::validation(vec![format!(
            "period must be one of the following values: {}",
            PERIODS.join(", ")
        )]));
    }
    let rows = ranked(&shared);
    let total = rows.len();
    let data: Vec<Value> = page_of(rows, page, limit).collect();
    Ok(Json(json!({"data": data, "page": page, "limit": limit, "total": total})))
}

async fn user_ranking(
    State(shared): State<Arc<Shared>>,
    Path(user_id): Path<String>,
) -> ApiResult<Json<Value>> {
    ranked(&shared)
        .into_iter()
        .find(|r| r["userId"] == user_id.as_str())
        .map(Json)
        .ok_or_else(|| ApiError::not_found("User not found"))
}

async fn analytics(State(shared): State<Arc<Shared>>) -> Json<Value> {
    let rows = ranked(&shared);
    let mut pnls: Vec<f64> = rows.iter().map(|r| r["pnl"].as_f64().unwrap_or(0.0)).collect();
    pnls.sort_by(f64::total_cmp);
    let n = pnls.len();
    let average = if n == 0 { 0.0 } else { pnls.iter().sum::<f64>() / n as f64 };
    let median = match n {
        0 => 0.0,
        _ if n % 2 == 1 => pnls[n / 2],
        _ => (pnls[n / 2 - 1] + pnls[n / 2]) / 2.0,
    };
    Json(json!({
        "averagePnl": average, "medianPnl": median, "profitableUsers": pnls.iter().filter(|p| **p > 0.0).count(),
        "topPerformers": rows.into_iter().take(3).collect::<Vec<_>>(),
    }))
}

async fn health() -> Json<Value> {
    Json(json!({"status": "ok", "info": {"leaderboard": {"status": "up"}}}))
}
