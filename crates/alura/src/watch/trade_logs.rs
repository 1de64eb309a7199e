//! `follow_trade_logs`: a trade's new log entries, each once, across pages.
//!
//! The log is read page by page, oldest first, as [`Client::trade_logs`] reads it. The watch keeps
//! how many entries it has passed, so each poll reads from the page that holds the first unseen
//! one; ids it has yielded lately are kept too, so an entry a server shows again (its pages
//! shifted) is not yielded twice. Until one poll has read to the log's end, everything read is
//! what was there before: a long log, or a first look cut short, yields nothing old.

use std::collections::{HashSet, VecDeque};
use std::num::NonZeroU64;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt};

use super::clock::MarketClock;
use super::current_trade::every;
use super::pace::Pace;
use crate::errors::Result;
use crate::{Client, types};

/// Entries per page the watch asks for.
const PAGE: NonZeroU64 = NonZeroU64::new(50).expect("not zero");
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
    pace: Pace,
    /// Entries passed so far (yielded, or there before the watch began).
    passed: u64,
    /// Whether a poll has read to the log's end: until then, entries are not new.
    caught_up: bool,
    seen: HashSet<String>,
    order: VecDeque<String>,
    pending: VecDeque<types::LogEntry>,
}

impl Client {
    /// Follows a trade's log: each entry added after the first look, once, oldest first,
    /// polled every `every` (2 s by default).
    pub fn follow_trade_logs(&self, trade_id: impl Into<String>) -> FollowTradeLogs {
        FollowTradeLogs {
            client: self.clone(),
            trade_id: trade_id.into(),
            pace: every(Duration::from_secs(2)),
            passed: 0,
            caught_up: false,
            seen: HashSet::new(),
            order: VecDeque::new(),
            pending: VecDeque::new(),
        }
    }
}

impl FollowTradeLogs {
    /// How often to look for new entries (2 s; at least 10 ms).
    pub fn every(mut self, every: Duration) -> Self {
        let clock = self.pace.clock.clone();
        self.pace = self::every(every);
        self.pace.clock = clock;
        self
    }

    /// The clock the waits between polls are on (the system's by default).
    pub fn clock(mut self, clock: Arc<dyn MarketClock>) -> Self {
        self.pace.clock = clock;
        self
    }

    /// The next new entry. A poll that fails gives its error, and the watch goes on from where
    /// it was (after a wait that grows while polls fail).
    pub async fn next(&mut self) -> Result<types::LogEntry> {
        loop {
            if let Some(entry) = self.pending.pop_front() {
                return Ok(entry);
            }
            self.pace.wait().await;
            match self.poll().await {
                Ok(()) => self.pace.after(self.pace.now_ms(), self.pace.interval_ms),
                Err(e) => {
                    self.pace.failed();
                    return Err(e);
                }
            }
        }
    }

    async fn poll(&mut self) -> Result<()> {
        let start = self.passed;
        let first = start / PAGE.get() + 1;
        let mut index = (first - 1).saturating_mul(PAGE.get());
        // The same paged read as `Client::trade_logs`, from the page of the first unseen entry.
        let most = PAGES_PER_POLL.saturating_mul(PAGE.get());
        let entries = self
            .client
            .paged_trade_logs(&self.trade_id, PAGE, NonZeroU64::new(first).unwrap_or(NonZeroU64::MIN))
            .take(usize::try_from(most).unwrap_or(usize::MAX));
        futures_util::pin_mut!(entries);
        let mut read = 0u64;
        while let Some(entry) = entries.try_next().await? {
            read = read.saturating_add(1);
            if index >= start {
                let known = entry.id.as_ref().is_some_and(|id| self.seen.contains(id));
                if let Some(id) = &entry.id {
                    self.remember(id.clone());
                }
                if self.caught_up && !known {
                    self.pending.push_back(entry);
                }
            }
            index = index.saturating_add(1);
            self.passed = self.passed.max(index);
        }
        // Read to the end (not cut at this poll's most): what comes after is new.
        if read < most {
            self.caught_up = true;
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
}
