//! `follow_trade_logs`: a trade's new log entries, each once, across pages.
//!
//! The log is read page by page, oldest first. The watch keeps how many entries it has passed, so
//! each poll reads from the page that holds the first unseen one; ids it has yielded lately are
//! kept too, so an entry a server shows again (its pages shifted) is not yielded twice.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::clock::{MarketClock, SystemClock};
use crate::Client;
use crate::errors::Result;

/// Entries per page the watch asks for.
const PAGE: u64 = 50;
/// How many yielded ids are remembered, to know an entry shown again.
const REMEMBERED: usize = 1000;
/// The most pages one poll reads: a server whose pages never end cannot hold a poll for ever;
/// the next poll goes on from there.
const PAGES_PER_POLL: u64 = 20;

/// A watch of one trade's log ([`Client::follow_trade_logs`]): call [`FollowTradeLogs::next`].
/// Dropping it stops it; nothing runs in the background.
pub struct FollowTradeLogs {
    client: Client,
    trade_id: String,
    every: Duration,
    clock: Arc<dyn MarketClock>,
    /// Entries passed so far (yielded, or there before the watch began); `None` before the first
    /// poll.
    passed: Option<u64>,
    seen: HashSet<String>,
    order: VecDeque<String>,
    pending: VecDeque<Value>,
    polled: bool,
}

impl Client {
    /// Follows a trade's log: each entry added from now on, once, oldest first, polled every
    /// `every` (2 s by default).
    pub fn follow_trade_logs(&self, trade_id: impl Into<String>) -> FollowTradeLogs {
        FollowTradeLogs {
            client: self.clone(),
            trade_id: trade_id.into(),
            every: Duration::from_secs(2),
            clock: Arc::new(SystemClock),
            passed: None,
            seen: HashSet::new(),
            order: VecDeque::new(),
            pending: VecDeque::new(),
            polled: false,
        }
    }
}

impl FollowTradeLogs {
    /// How often to look for new entries (2 s).
    pub fn every(mut self, every: Duration) -> Self {
        self.every = every;
        self
    }

    /// The clock the waits between polls are on (the system's by default).
    pub fn clock(mut self, clock: Arc<dyn MarketClock>) -> Self {
        self.clock = clock;
        self
    }

    /// The next new entry, as the server sent it. A poll that fails gives its error, and the watch
    /// goes on from where it was.
    pub async fn next(&mut self) -> Result<Value> {
        loop {
            if let Some(entry) = self.pending.pop_front() {
                return Ok(entry);
            }
            if self.polled {
                self.clock.sleep(self.every).await;
            }
            self.polled = true;
            self.poll().await?;
        }
    }

    async fn poll(&mut self) -> Result<()> {
        let start = self.passed.unwrap_or(0);
        let mut page = start / PAGE + 1;
        let first_poll = self.passed.is_none();
        for _ in 0..PAGES_PER_POLL {
            let (entries, total) = self.page(page).await?;
            let offset = page.saturating_sub(1).saturating_mul(PAGE);
            for (i, entry) in entries.iter().enumerate() {
                let index = offset.saturating_add(i as u64);
                if index < start {
                    continue;
                }
                let id = entry.get("id").map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned));
                let known = id.as_ref().is_some_and(|id| self.seen.contains(id));
                if let Some(id) = id {
                    self.remember(id);
                }
                if !first_poll && !known {
                    self.pending.push_back(entry.clone());
                }
            }
            self.passed = Some(self.passed.unwrap_or(0).max(offset.saturating_add(entries.len() as u64)));
            let last_page = total
                .map_or(entries.len() < PAGE as usize, |t| offset.saturating_add(entries.len() as u64) >= t);
            if last_page || entries.is_empty() {
                break;
            }
            page = page.saturating_add(1);
        }
        Ok(())
    }

    fn remember(&mut self, id: String) {
        if self.seen.insert(id.clone()) {
            self.order.push_back(id);
            if self.order.len() > REMEMBERED
                && let Some(old) = self.order.pop_front()
            {
                self.seen.remove(&old);
            }
        }
    }

    /// One page of the log, and the total the server says it has.
    async fn page(&self, page: u64) -> Result<(Vec<Value>, Option<u64>)> {
        let mut args = Map::new();
        args.insert("tradeId".into(), json!(self.trade_id));
        args.insert("page".into(), json!(page));
        args.insert("limit".into(), json!(PAGE));
        let answer = self.client.call("get_trade_logs", args).await?.to_value()?;
        let total = answer.get("total").and_then(|t| t.as_u64().or_else(|| t.as_str()?.parse().ok()));
        let entries = match answer {
            Value::Array(items) => items,
            Value::Object(mut map) => match map.remove("data").or_else(|| map.remove("items")) {
                Some(Value::Array(items)) => items,
                _ => Vec::new(),
            },
            _ => Vec::new(),
        };
        Ok((entries, total))
    }
}
