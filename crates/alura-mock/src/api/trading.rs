//! `/trading-sessions`: quick and advance sessions, the current trade, logs, closing.

use std::sync::Arc;

use alloy_signer::SignerSync;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde_json::{Value, json};

use crate::Shared;
use crate::api::routes::{Handler, op};
use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::market::ASSETS;
use crate::state::{Session, World};
use crate::validate::{Body, Fields, MAX_SAFE_INTEGER, query_int};

pub const DUPLICATE_ASSET: &str =
    "Duplicate asset index: you already have an active trading session for this asset";
const STRATEGIES: [&str; 3] = ["Conservative", "Aggressive", "Degen"];
const DURATIONS: [(&str, i64); 6] =
    [("1D", 1), ("3D", 3), ("7D", 7), ("30D", 30), ("90D", 90), ("365D", 365)];

/// The handlers of this controller's operations; paths and methods come from the operation table.
pub(crate) fn handlers() -> Vec<Handler> {
    vec![
        op("create_trading_session", create_quick),
        op("create_advance_trading_session", create_advance),
        op("list_active_sessions", active),
        op("get_current_trade", current_trade),
        op("get_session_logs", session_logs),
        op("get_trade_logs", trade_logs),
        op("close_position", close_position),
        op("get_close_position_signature", close_signature),
        op("close_trade", close_trade),
        op("trigger_cron", trigger_cron),
    ]
}

/// `assetIndex`: a whole number naming one of the simulated perps.
pub fn asset_index(f: &mut Fields) -> Option<usize> {
    let index = f.integer("assetIndex", true)?;
    let valid = usize::try_from(index).ok().filter(|i| *i < ASSETS.len());
    if valid.is_none() {
        f.reject(format!("assetIndex must be a valid asset index (0-{})", ASSETS.len() - 1));
    }
    valid
}

fn check_can_open(world: &World, user: &str, asset: usize, budget: f64) -> ApiResult<()> {
    if world.sessions.values().any(|s| s.user_id == user && s.asset == asset && s.status == "active") {
        return Err(ApiError::bad_request(DUPLICATE_ASSET));
    }
    if budget > world.users[user].balance {
        return Err(ApiError::bad_request("Insufficient balance for this budget"));
    }
    Ok(())
}

fn new_session(world: &mut World, user: &str, asset: usize, budget: f64, now: i64) -> Session {
    Session {
        id: world.next_id(),
        user_id: user.to_owned(),
        kind: "quick",
        status: "active",
        asset,
        budget,
        profit_target: 0.0,
        loss_threshold: 0.0,
        max_positions: 1,
        execution_strategy: None,
        strategy_duration: None,
        max_wallet_budget: None,
        expires_at: None,
        created_at: now,
        closed_at: None,
        logs: Vec::new(),
    }
}

/// Rewards the referrer 1% of a referred user's budget.
fn reward_referrer(world: &mut World, user: &str, budget: f64) {
    let referrer = world.users[user].referred_by.clone();
    if let Some(r) = referrer.and_then(|id| world.users.get_mut(&id)) {
        r.unclaimed_rewards += budget * 0.01;
        r.total_rewards += budget * 0.01;
    }
}

async fn create_quick(
    State(shared): State<Arc<Shared>>,
    AuthUser(user): AuthUser,
    Body(body): Body,
) -> ApiResult<impl IntoResponse> {
    let mut f = Fields::new(&body);
    let budget = f.number("budget", true);
    let budget = f.min("budget", budget, 10.0);
    let target = f.number("profitTarget", true);
    let target = f.max("profitTarget", target, 500.0);
    let loss = f.number("lossThreshold", false);
    let max_positions = f.integer("maxPositions", false);
    if max_positions.is_some_and(|m| m < 1) {
        f.reject("maxPositions must not be less than 1".into());
    }
    let asset = asset_index(&mut f);
    f.finish()?;
    let (budget, asset) = (budget.expect("validated"), asset.expect("validated"));
    let now = shared.clock.now_ms();
    let mut world = shared.world.lock().unwrap();
    check_can_open(&world, &user, asset, budget)?;
    let mut session = new_session(&mut world, &user, asset, budget, now);
    session.profit_target = target.expect("validated");
    session.loss_threshold = loss.unwrap_or(5.0);
    session.max_positions = max_positions.unwrap_or(1);
    let positions = session.max_positions.clamp(1, 3) as usize;
    let id = world.open_session(session, positions, &shared.market, now);
    reward_referrer(&mut world, &user, budget);
    Ok((StatusCode::CREATED, Json(world.session_json(&world.sessions[&id], &shared.market, now))))
}

async fn create_advance(
    State(shared): State<Arc<Shared>>,
    AuthUser(user): AuthUser,
    Body(body): Body,
) -> ApiResult<impl IntoResponse> {
    let mut f = Fields::new(&body);
    let amount = f.number("amount", true);
    let amount = f.min("amount", amount, 10.0);
    let strategy = f.one_of("executionStrategy", &STRATEGIES, true);
    let duration = f.one_of("strategyDuration", &DURATIONS.map(|(d, _)| d), true);
    let asset = asset_index(&mut f);
    let max_wallet = f.boolean("maxWalletBudget", false);
    f.finish()?;
    let (strategy, duration, asset) =
        (strategy.expect("validated"), duration.expect("validated"), asset.expect("validated"));
    let now = shared.clock.now_ms();
    let mut world = shared.world.lock().unwrap();
    let budget =
        if max_wallet == Some(true) { world.users[&user].balance } else { amount.expect("validated") };
    check_can_open(&world, &user, asset, budget)?;
    let mut session = new_session(&mut world, &user, asset, budget, now);
    let (target, loss, positions) = match strategy.as_str() {
        "Conservative" => (10.0, 5.0, 1),
        "Aggressive" => (25.0, 10.0, 2),
        _ => (50.0, 20.0, 3),
    };
    let days = DURATIONS.iter().find(|(d, _)| *d == duration).map_or(1, |(_, n)| *n);
    session.kind = "advance";
    session.profit_target = target;
    session.loss_threshold = loss;
    session.max_positions = positions;
    session.execution_strategy = Some(strategy);
    session.strategy_duration = Some(duration);
    session.max_wallet_budget = Some(max_wallet.unwrap_or(false));
    session.expires_at = Some(now + days * 86_400_000);
    let id = world.open_session(session, positions as usize, &shared.market, now);
    reward_referrer(&mut world, &user, budget);
    Ok((StatusCode::CREATED, Json(world.session_json(&world.sessions[&id], &shared.market, now))))
}

async fn active(State(shared): State<Arc<Shared>>, AuthUser(user): AuthUser) -> Json<Value> {
    let now = shared.clock.now_ms();
    let world = shared.world.lock().unwrap();
    let sessions: Vec<Value> = world
        .sessions
        .values()
        .filter(|s| s.user_id == user && s.status == "active")
        .map(|s| world.session_json(s, &shared.market, now))
        .collect();
    Json(json!(sessions))
}

async fn current_trade(
    State(shared): State<Arc<Shared>>,
    AuthUser(user): AuthUser,
) -> ApiResult<Json<Value>> {
    let now = shared.clock.now_ms();
    let world = shared.world.lock().unwrap();
    let trade = world.trades.values().rev().find(|t| t.user_id == user && t.status == "open");
    let trade = trade.ok_or_else(|| ApiError::not_found("No active trade"))?;
    Ok(Json(world.trade_json(trade, &shared.market, now)))
}

async fn session_logs(
    State(shared): State<Arc<Shared>>,
    AuthUser(user): AuthUser,
    Path(session_id): Path<String>,
) -> ApiResult<Json<Value>> {
    let world = shared.world.lock().unwrap();
    let session =
        world.sessions.get(&session_id).ok_or_else(|| ApiError::not_found("Trading session not found"))?;
    if session.user_id != user {
        return Err(ApiError::forbidden());
    }
    Ok(Json(json!(session.logs.iter().rev().map(|l| l.json()).collect::<Vec<_>>())))
}

/// A page of `items`: `page` and `limit` as [`pagination`] checked them.
pub fn page_of<T>(items: impl IntoIterator<Item = T>, page: usize, limit: usize) -> impl Iterator<Item = T> {
    items.into_iter().skip(page.saturating_sub(1).saturating_mul(limit)).take(limit)
}

/// `?page=&limit=` as class-transformer reads them: numbers from strings, validated. A page
/// past `Number.MAX_SAFE_INTEGER` is refused, as the backend cannot read it exactly either.
pub fn pagination(query: &std::collections::HashMap<String, String>) -> ApiResult<(usize, usize)> {
    let mut errors = Vec::new();
    let mut read = |name: &str, default: i64, max: i64| {
        query_int(query, name, 1, max)
            .unwrap_or_else(|e| {
                errors.push(e);
                None
            })
            .unwrap_or(default)
    };
    let page = read("page", 1, MAX_SAFE_INTEGER);
    let limit = read("limit", 20, 100);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let size = |n: i64| usize::try_from(n).unwrap_or(usize::MAX);
    Ok((size(page), size(limit)))
}

async fn trade_logs(
    State(shared): State<Arc<Shared>>,
    AuthUser(user): AuthUser,
    Path(trade_id): Path<String>,
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let (page, limit) = pagination(&query)?;
    let world = shared.world.lock().unwrap();
    let trade = world.trades.get(&trade_id).ok_or_else(|| ApiError::not_found("Trade not found"))?;
    if trade.user_id != user {
        return Err(ApiError::forbidden());
    }
    let total = trade.logs.len();
    let data: Vec<Value> = page_of(&trade.logs, page, limit).map(|l| l.json()).collect();
    Ok(Json(json!({
        "data": data, "page": page, "limit": limit, "total": total, "totalPages": total.div_ceil(limit),
    })))
}

fn owned_open_position(world: &World, user: &str, position_id: &str) -> ApiResult<()> {
    let p = world.positions.get(position_id).ok_or_else(|| ApiError::not_found("Position not found"))?;
    if p.user_id != user {
        return Err(ApiError::forbidden());
    }
    if p.status != "open" {
        return Err(ApiError::bad_request("Position is already closed"));
    }
    Ok(())
}

async fn close_position(
    State(shared): State<Arc<Shared>>,
    AuthUser(user): AuthUser,
    Path(position_id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let now = shared.clock.now_ms();
    let mut world = shared.world.lock().unwrap();
    owned_open_position(&world, &user, &position_id)?;
    let pnl = world.close_position(&position_id, &shared.market, now);
    let body = json!({"success": true, "message": format!("Position {position_id} closed"), "closed": 1, "amount": pnl});
    Ok((StatusCode::CREATED, Json(body)))
}

async fn close_signature(
    State(shared): State<Arc<Shared>>,
    AuthUser(user): AuthUser,
    Path(position_id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let now = shared.clock.now_ms();
    let world = shared.world.lock().unwrap();
    owned_open_position(&world, &user, &position_id)?;
    let p = &world.positions[&position_id];
    let action = json!({
        "type": "order",
        "orders": [{"a": p.asset, "b": !p.long, "p": shared.market.price(p.asset, now).to_string(),
                    "s": p.size.to_string(), "r": true, "t": {"limit": {"tif": "Ioc"}}}],
        "grouping": "na",
    });
    // Signed by the user's agent key, as the backend does for the frontend to submit.
    let payload = format!("{action}{now}");
    let signature = world.users[&user]
        .agent
        .sign_message_sync(payload.as_bytes())
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    let body = json!({"positionId": position_id, "action": action, "nonce": now, "signature": signature.to_string()});
    Ok((StatusCode::CREATED, Json(body)))
}

async fn close_trade(
    State(shared): State<Arc<Shared>>,
    AuthUser(user): AuthUser,
    Path(trade_id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let now = shared.clock.now_ms();
    let mut world = shared.world.lock().unwrap();
    let trade = world.trades.get(&trade_id).ok_or_else(|| ApiError::not_found("Trade not found"))?;
    if trade.user_id != user {
        return Err(ApiError::forbidden());
    }
    if trade.status != "open" {
        return Err(ApiError::bad_request("Trade is already closed"));
    }
    let open: Vec<String> =
        trade.positions.iter().filter(|p| world.positions[*p].status == "open").cloned().collect();
    let pnl: f64 = open.iter().map(|p| world.close_position(p, &shared.market, now)).sum();
    let body = json!({"success": true, "message": format!("Trade {trade_id} closed"), "closed": open.len(), "amount": pnl});
    Ok((StatusCode::CREATED, Json(body)))
}

/// Closes the sessions that reached their profit target or loss threshold, or expired.
async fn trigger_cron(State(shared): State<Arc<Shared>>, AuthUser(_): AuthUser) -> impl IntoResponse {
    let now = shared.clock.now_ms();
    let mut world = shared.world.lock().unwrap();
    let active: Vec<Session> = world.sessions.values().filter(|s| s.status == "active").cloned().collect();
    let mut closed = 0;
    for s in &active {
        let pct = world.session_pnl(&s.id, &shared.market, now) / s.budget * 100.0;
        let expired = s.expires_at.is_some_and(|e| e <= now);
        if pct >= s.profit_target || pct <= -s.loss_threshold || expired {
            let open: Vec<String> = world
                .trades
                .values()
                .filter(|t| t.session_id == s.id)
                .flat_map(|t| t.positions.clone())
                .filter(|p| world.positions[p].status == "open")
                .collect();
            for p in open {
                world.close_position(&p, &shared.market, now);
            }
            closed += 1;
        }
    }
    let message = format!("Processed {} active session(s), closed {closed}", active.len());
    (StatusCode::CREATED, Json(json!({"success": true, "message": message, "closed": closed})))
}
