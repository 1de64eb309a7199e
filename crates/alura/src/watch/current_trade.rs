//! `watch_current_trade`: events when a trade opens or closes, when its positions open or close,
//! and when its PnL moves.
//!
//! The open trade is polled (`GET /trading-sessions/current-trade`) and each answer compared with
//! the one before: the API says nothing when things change, so the events are the differences.

use std::collections::{BTreeSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use futures_util::Stream;

use super::clock::MarketClock;
use super::pace::{Pace, millis};
use crate::errors::Result;
use crate::{Client, Decimal, types};

/// What a watch of the current trade yields.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum TradeEvent {
    /// A trade is open: the one open when the watch began, or one opened since.
    Opened(types::Trade),
    /// A position of the open trade opened.
    PositionOpened(types::Position),
    /// A position of the open trade closed (or went from the answer), as last seen, or as the
    /// server now shows it when it says it closed. Closing a trade closes its positions: that
    /// is [`TradeEvent::Closed`] alone.
    PositionClosed(types::Position),
    /// The trade's PnL moved (by at least [`WatchCurrentTrade::pnl_step`] since the last one
    /// said).
    Pnl {
        /// The new PnL, exact.
        pnl: Decimal,
        /// The trade as it is now.
        trade: types::Trade,
    },
    /// The trade is no longer the open one: as last seen.
    Closed(types::Trade),
}

/// A watch of the open trade ([`Client::watch_current_trade`]): call [`WatchCurrentTrade::next`],
/// or turn it into a [`Stream`]. Dropping it stops it; nothing runs in the background.
pub struct WatchCurrentTrade {
    client: Client,
    /// Polls every interval; a failed one backs off.
    pace: Pace,
    pnl_step: Decimal,
    /// The trade of the last poll; `None` when none was open.
    last: Option<types::Trade>,
    /// The PnL last said.
    said_pnl: Option<Decimal>,
    pending: VecDeque<TradeEvent>,
}

/// The shortest wait between polls of the watches that look every so often: `every=0` would
/// hammer the server.
pub(super) const MIN_EVERY: Duration = Duration::from_millis(10);

/// A schedule of polls every `every`, at least [`MIN_EVERY`].
pub(super) fn every(every: Duration) -> Pace {
    let ms = millis(every.max(MIN_EVERY));
    let mut pace = Pace::new(ms);
    pace.every_ms = Some(ms);
    pace
}

impl Client {
    /// Watches the open trade, polled every `every` (2 s by default). See [`WatchCurrentTrade`].
    pub fn watch_current_trade(&self) -> WatchCurrentTrade {
        WatchCurrentTrade {
            client: self.clone(),
            pace: every(Duration::from_secs(2)),
            pnl_step: Decimal::default(),
            last: None,
            said_pnl: None,
            pending: VecDeque::new(),
        }
    }
}

impl WatchCurrentTrade {
    /// How often to look (2 s; at least 10 ms).
    pub fn every(mut self, every: Duration) -> Self {
        let clock = self.pace.clock.clone();
        self.pace = self::every(every);
        self.pace.clock = clock;
        self
    }

    /// Say a PnL only when it has moved by at least this much since the last one said (any move
    /// by default).
    pub fn pnl_step(mut self, step: impl Into<Decimal>) -> Self {
        self.pnl_step = step.into();
        self
    }

    /// The clock the waits between polls are on (the system's by default).
    pub fn clock(mut self, clock: Arc<dyn MarketClock>) -> Self {
        self.pace.clock = clock;
        self
    }

    /// The next event. A poll that fails gives its error, and the watch goes on (after a wait
    /// that grows while polls fail). Dropping the future between polls loses nothing, and does
    /// not put the next poll off.
    pub async fn next(&mut self) -> Result<TradeEvent> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Ok(event);
            }
            self.pace.wait().await;
            match self.client.current_trade().await {
                Ok(now) => {
                    self.pace.after(self.pace.now_ms(), self.pace.interval_ms);
                    self.compare(now);
                }
                Err(e) => {
                    self.pace.failed();
                    return Err(e);
                }
            }
        }
    }

    /// The events, as a stream that never ends by itself.
    pub fn into_stream(self) -> impl Stream<Item = Result<TradeEvent>> {
        futures_util::stream::unfold(self, |mut watch| async move {
            let event = watch.next().await;
            Some((event, watch))
        })
    }

    fn compare(&mut self, now: Option<types::Trade>) {
        let before = self.last.take();
        let same = matches!((&before, &now), (Some(b), Some(n)) if same_trade(b, n));
        if !same {
            if let Some(before) = before.clone() {
                self.pending.push_back(TradeEvent::Closed(before));
            }
            if let Some(now) = &now {
                self.said_pnl = now.pnl;
                self.pending.push_back(TradeEvent::Opened(now.clone()));
            }
        } else if let (Some(before), Some(now)) = (&before, &now) {
            self.positions(before, now);
            // A difference too large for a decimal is a move, not a panic.
            let moved = |said: Decimal, pnl: Decimal| {
                pnl != said && pnl.checked_sub(*said).is_none_or(|d| d.abs() >= *self.pnl_step)
            };
            if let Some(pnl) = now.pnl
                && self.said_pnl.is_none_or(|said| moved(said, pnl))
            {
                self.said_pnl = Some(pnl);
                self.pending.push_back(TradeEvent::Pnl { pnl, trade: now.clone() });
            }
        }
        self.last = now;
    }
}

/// Whether two answers are about the same trade: the same id, or, when the server sends none,
/// the same session and opening time.
fn same_trade(a: &types::Trade, b: &types::Trade) -> bool {
    match (&a.id, &b.id) {
        (Some(x), Some(y)) => x == y,
        _ => (&a.session_id, &a.opened_at) == (&b.session_id, &b.opened_at),
    }
}

fn by_id<'t>(trade: &'t types::Trade, id: &String) -> Option<&'t types::Position> {
    trade.positions.iter().find(|p| p.id.as_ref() == Some(id))
}

fn is_open(p: &types::Position) -> bool {
    p.status.as_deref().is_none_or(|s| !s.eq_ignore_ascii_case("closed"))
}

impl WatchCurrentTrade {
    /// Positions that opened or closed between two answers about the same trade: those with
    /// ids by id; those without, by how many are open on each asset and side.
    fn positions(&mut self, before: &types::Trade, now: &types::Trade) {
        for was in before.positions.iter().filter(|p| is_open(p)) {
            let Some(id) = &was.id else { continue };
            match by_id(now, id) {
                Some(is) if !is_open(is) => self.pending.push_back(TradeEvent::PositionClosed(is.clone())),
                None => self.pending.push_back(TradeEvent::PositionClosed(was.clone())),
                Some(_) => {}
            }
        }
        for is in now.positions.iter().filter(|p| is_open(p)) {
            let Some(id) = &is.id else { continue };
            if by_id(before, id).is_none_or(|was| !is_open(was)) {
                self.pending.push_back(TradeEvent::PositionOpened(is.clone()));
            }
        }
        let key = |p: &types::Position| (p.asset_index, p.symbol.clone(), p.side.clone());
        let unnamed = |t: &types::Trade| -> Vec<types::Position> {
            t.positions.iter().filter(|p| p.id.is_none() && is_open(p)).cloned().collect()
        };
        let (was, is) = (unnamed(before), unnamed(now));
        let keys: BTreeSet<_> = was.iter().chain(&is).map(key).collect();
        for k in keys {
            let was: Vec<_> = was.iter().filter(|p| key(p) == k).collect();
            let is: Vec<_> = is.iter().filter(|p| key(p) == k).collect();
            for p in was.iter().skip(is.len()) {
                self.pending.push_back(TradeEvent::PositionClosed((*p).clone()));
            }
            for p in is.iter().skip(was.len()) {
                self.pending.push_back(TradeEvent::PositionOpened((*p).clone()));
            }
        }
    }
}
