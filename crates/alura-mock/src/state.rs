//! The simulator's in-memory world: users, sessions, trades, positions, deposits, referrals.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use alloy_primitives::Address;
use alloy_signer_local::PrivateKeySigner;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use crate::market::{ASSETS, Market};

/// The last instant a JavaScript `Date` can hold, in ms since the epoch.
pub const MAX_DATE_MS: i64 = 8_640_000_000_000_000;

/// Every user starts with this much simulated USDC.
pub const STARTING_BALANCE: f64 = 10_000.0;

/// Wall-clock time in ms, shifted by an offset tests can advance (token and nonce expiry).
#[derive(Debug, Default)]
pub struct Clock {
    offset_ms: AtomicI64,
}

impl Clock {
    /// Kept within the range of a JavaScript `Date` (±8.64e15 ms), whatever a test advanced it
    /// by, so the arithmetic on times further on cannot overflow.
    pub fn now_ms(&self) -> i64 {
        let wall = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0);
        wall.saturating_add(self.offset_ms.load(Ordering::Relaxed)).clamp(-MAX_DATE_MS, MAX_DATE_MS)
    }

    pub fn advance(&self, ms: i64) {
        let _ =
            self.offset_ms.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |o| Some(o.saturating_add(ms)));
    }
}

pub fn iso(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil-from-days (Howard Hinnant), to print ISO 8601 without a date crate.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        ms.rem_euclid(1000)
    )
}

#[derive(Debug, Clone)]
pub struct Log {
    pub id: String,
    pub level: &'static str,
    pub message: String,
    pub at: i64,
    pub data: Value,
}

impl Log {
    pub fn json(&self) -> Value {
        json!({"id": self.id, "level": self.level, "message": self.message, "createdAt": iso(self.at), "data": self.data})
    }
}

pub struct User {
    pub id: String,
    pub address: Address,
    pub created_at: i64,
    pub referral_code: Option<String>,
    pub referred_by: Option<String>,
    pub balance: f64,
    pub total_deposited: f64,
    pub realized_pnl: f64,
    pub unclaimed_rewards: f64,
    pub total_rewards: f64,
    pub synced_fills: usize,
    pub agent: PrivateKeySigner,
}

#[derive(Debug, Clone)]
pub struct Session {
    pub id: String,
    pub user_id: String,
    pub kind: &'static str,
    pub status: &'static str,
    pub asset: usize,
    pub budget: f64,
    pub profit_target: f64,
    pub loss_threshold: f64,
    pub max_positions: i64,
    pub execution_strategy: Option<String>,
    pub strategy_duration: Option<String>,
    pub max_wallet_budget: Option<bool>,
    pub expires_at: Option<i64>,
    pub created_at: i64,
    pub closed_at: Option<i64>,
    pub logs: Vec<Log>,
}

#[derive(Debug, Clone)]
pub struct Trade {
    pub id: String,
    pub session_id: String,
    pub user_id: String,
    pub status: &'static str,
    pub asset: usize,
    pub positions: Vec<String>,
    pub opened_at: i64,
    pub closed_at: Option<i64>,
    pub logs: Vec<Log>,
}

#[derive(Debug, Clone)]
pub struct Position {
    pub id: String,
    pub trade_id: String,
    pub user_id: String,
    pub asset: usize,
    pub long: bool,
    pub size: f64,
    pub entry_price: f64,
    pub exit_price: Option<f64>,
    pub status: &'static str,
}

impl Position {
    pub fn pnl(&self, market: &Market, now: i64) -> f64 {
        let price = self.exit_price.unwrap_or_else(|| market.price(self.asset, now));
        let sign = if self.long { 1.0 } else { -1.0 };
        (price - self.entry_price) * self.size * sign
    }

    pub fn json(&self, market: &Market, now: i64) -> Value {
        let mark = self.exit_price.unwrap_or_else(|| market.price(self.asset, now));
        json!({
            "id": self.id, "tradeId": self.trade_id, "assetIndex": self.asset, "symbol": ASSETS[self.asset].0,
            "side": if self.long { "long" } else { "short" }, "size": self.size, "entryPrice": self.entry_price,
            "markPrice": mark, "unrealizedPnl": if self.status == "open" { self.pnl(market, now) } else { 0.0 },
            "status": self.status,
        })
    }
}

#[derive(Debug, Clone)]
pub struct Deposit {
    pub id: String,
    pub user_id: String,
    pub tx_hash: String,
    pub amount: f64,
    pub at: i64,
}

impl Deposit {
    pub fn json(&self) -> Value {
        json!({"id": self.id, "txHash": self.tx_hash, "amount": self.amount, "status": "verified", "createdAt": iso(self.at)})
    }
}

/// Everything the simulator remembers. One lock guards it; every handler holds it briefly.
pub struct World {
    pub users: HashMap<String, User>,
    pub by_address: HashMap<Address, String>,
    pub sessions: BTreeMap<String, Session>,
    pub trades: BTreeMap<String, Trade>,
    pub positions: BTreeMap<String, Position>,
    pub deposits: Vec<Deposit>,
    pub codes: HashMap<String, String>,
    pub rng: StdRng,
    seq: u64,
}

impl World {
    pub fn new(seed: u64) -> Self {
        Self {
            users: HashMap::new(),
            by_address: HashMap::new(),
            sessions: BTreeMap::new(),
            trades: BTreeMap::new(),
            positions: BTreeMap::new(),
            deposits: Vec::new(),
            codes: HashMap::new(),
            rng: StdRng::seed_from_u64(seed),
            seq: 0,
        }
    }

    /// A UUID-shaped id whose leading counter keeps maps in creation order.
    pub fn next_id(&mut self) -> String {
        self.seq += 1;
        let (r, s): (u64, u64) = (self.rng.random(), self.rng.random());
        format!(
            "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
            self.seq,
            r & 0xffff,
            (r >> 16) & 0xfff,
            (r >> 28) & 0xfff,
            s >> 16
        )
    }

    pub fn log(&mut self, level: &'static str, message: impl Into<String>, at: i64, data: Value) -> Log {
        Log { id: self.next_id(), level, message: message.into(), at, data }
    }

    /// The user of `address`, created on first sign-in.
    pub fn user_for(&mut self, address: Address, now: i64, referral_code: Option<&str>) -> String {
        if let Some(id) = self.by_address.get(&address) {
            return id.clone();
        }
        let id = self.next_id();
        let referred_by = referral_code.and_then(|c| self.codes.get(&c.to_uppercase()).cloned());
        let agent =
            PrivateKeySigner::from_bytes(&self.rng.random::<[u8; 32]>().into()).expect("32 random bytes");
        self.users.insert(
            id.clone(),
            User {
                id: id.clone(),
                address,
                created_at: now,
                referral_code: None,
                referred_by,
                balance: STARTING_BALANCE,
                total_deposited: 0.0,
                realized_pnl: 0.0,
                unclaimed_rewards: 0.0,
                total_rewards: 0.0,
                synced_fills: 0,
                agent,
            },
        );
        self.by_address.insert(address, id.clone());
        id
    }

    pub fn user_pnl(&self, user_id: &str, market: &Market, now: i64) -> f64 {
        let unrealized: f64 = self
            .positions
            .values()
            .filter(|p| p.user_id == user_id && p.status == "open")
            .map(|p| p.pnl(market, now))
            .sum();
        self.users.get(user_id).map_or(0.0, |u| u.realized_pnl) + unrealized
    }

    pub fn profile_json(&self, user_id: &str, market: &Market, now: i64) -> Value {
        let u = &self.users[user_id];
        json!({
            "id": u.id, "address": u.address.to_checksum(None), "referralCode": u.referral_code,
            "referredBy": u.referred_by, "balance": u.balance, "totalDeposited": u.total_deposited,
            "pnl": self.user_pnl(user_id, market, now), "createdAt": iso(u.created_at),
        })
    }

    pub fn session_pnl(&self, session_id: &str, market: &Market, now: i64) -> f64 {
        self.trades
            .values()
            .filter(|t| t.session_id == session_id)
            .flat_map(|t| &t.positions)
            .map(|p| self.positions[p].pnl(market, now))
            .sum()
    }

    pub fn session_json(&self, s: &Session, market: &Market, now: i64) -> Value {
        json!({
            "id": s.id, "userId": s.user_id, "type": s.kind, "status": s.status, "assetIndex": s.asset,
            "symbol": ASSETS[s.asset].0, "budget": s.budget, "profitTarget": s.profit_target,
            "lossThreshold": s.loss_threshold, "maxPositions": s.max_positions,
            "executionStrategy": s.execution_strategy, "strategyDuration": s.strategy_duration,
            "maxWalletBudget": s.max_wallet_budget, "pnl": self.session_pnl(&s.id, market, now),
            "createdAt": iso(s.created_at), "closedAt": s.closed_at.map(iso),
        })
    }

    pub fn trade_json(&self, t: &Trade, market: &Market, now: i64) -> Value {
        let positions: Vec<Value> = t.positions.iter().map(|p| self.positions[p].json(market, now)).collect();
        let pnl: f64 = t.positions.iter().map(|p| self.positions[p].pnl(market, now)).sum();
        json!({
            "id": t.id, "sessionId": t.session_id, "status": t.status, "assetIndex": t.asset,
            "positions": positions, "pnl": pnl, "openedAt": iso(t.opened_at), "closedAt": t.closed_at.map(iso),
        })
    }

    /// Opens a session with one trade of `positions` positions at the current mark price.
    pub fn open_session(
        &mut self,
        mut session: Session,
        positions: usize,
        market: &Market,
        now: i64,
    ) -> String {
        let price = market.price(session.asset, now);
        let trade_id = self.next_id();
        let mut ids = Vec::new();
        for i in 0..positions {
            let id = self.next_id();
            let long = i % 2 == 0 || self.rng.random_bool(0.5);
            let size = session.budget / positions as f64 / price;
            self.positions.insert(
                id.clone(),
                Position {
                    id: id.clone(),
                    trade_id: trade_id.clone(),
                    user_id: session.user_id.clone(),
                    asset: session.asset,
                    long,
                    size,
                    entry_price: price,
                    exit_price: None,
                    status: "open",
                },
            );
            ids.push(id);
        }
        let symbol = ASSETS[session.asset].0;
        let opened = self.log(
            "info",
            format!("Trade opened on {symbol} with {positions} position(s)"),
            now,
            json!({"price": price}),
        );
        self.trades.insert(
            trade_id.clone(),
            Trade {
                id: trade_id.clone(),
                session_id: session.id.clone(),
                user_id: session.user_id.clone(),
                status: "open",
                asset: session.asset,
                positions: ids,
                opened_at: now,
                closed_at: None,
                logs: vec![opened],
            },
        );
        let created = self.log(
            "info",
            format!("Session created ({})", session.kind),
            now,
            json!({"budget": session.budget}),
        );
        let trade_log = self.log("info", "Trade opened", now, json!({"tradeId": trade_id}));
        session.logs.extend([created, trade_log]);
        let id = session.id.clone();
        self.sessions.insert(id.clone(), session);
        id
    }

    /// Closes one position at the mark price; closes its trade and session when it was the last.
    pub fn close_position(&mut self, position_id: &str, market: &Market, now: i64) -> f64 {
        let (pnl, trade_id, user_id) = {
            let p = self.positions.get_mut(position_id).expect("caller checked");
            p.exit_price = Some(market.price(p.asset, now));
            p.status = "closed";
            (p.pnl(market, now), p.trade_id.clone(), p.user_id.clone())
        };
        if let Some(u) = self.users.get_mut(&user_id) {
            u.realized_pnl += pnl;
            u.balance += pnl;
        }
        let log = self.log("info", format!("Position {position_id} closed"), now, json!({"pnl": pnl}));
        let trade = self.trades.get_mut(&trade_id).expect("a position belongs to a trade");
        trade.logs.push(log);
        let all_closed = trade.positions.iter().all(|p| self.positions[p].status == "closed");
        if all_closed && trade.status == "open" {
            trade.status = "closed";
            trade.closed_at = Some(now);
            let session_id = trade.session_id.clone();
            let log =
                self.log("info", "Trade closed: every position is closed", now, json!({"tradeId": trade_id}));
            if let Some(s) = self.sessions.get_mut(&session_id) {
                s.status = "closed";
                s.closed_at = Some(now);
                s.logs.push(log);
            }
        }
        pnl
    }

    pub fn open_positions_of(&self, user_id: &str) -> Vec<String> {
        self.positions
            .values()
            .filter(|p| p.user_id == user_id && p.status == "open")
            .map(|p| p.id.clone())
            .collect()
    }
}
