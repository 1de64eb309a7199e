//! `watch_current_trade`: events when a trade opens or closes, when its positions open or close,
//! and when its PnL moves.
//!
//! The open trade is polled (`GET /trading-sessions/current-trade`) and each answer compared with
//! the one before: the API says nothing when things change, so the events are the differences.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use futures_util::Stream;

use super::clock::{MarketClock, SystemClock};
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
    every: Duration,
    pnl_step: Decimal,
    clock: Arc<dyn MarketClock>,
    /// The trade of the last poll; `None` when none was open.
    last: Option<types::Trade>,
    /// The PnL last said.
    said_pnl: Option<Decimal>,
    pending: VecDeque<TradeEvent>,
    polled: bool,
}

impl Client {
    /// Watches the open trade, polled every `every` (2 s by default). See [`WatchCurrentTrade`].
    pub fn watch_current_trade(&self) -> WatchCurrentTrade {
        WatchCurrentTrade {
            client: self.clone(),
            every: Duration::from_secs(2),
            pnl_step: Decimal::default(),
            clock: Arc::new(SystemClock),
            last: None,
            said_pnl: None,
            pending: VecDeque::new(),
            polled: false,
        }
    }
}

impl WatchCurrentTrade {
    /// How often to look (2 s).
    pub fn every(mut self, every: Duration) -> Self {
        self.every = every;
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
        self.clock = clock;
        self
    }

    /// The next event. A poll that fails gives its error, and the watch goes on.
    pub async fn next(&mut self) -> Result<TradeEvent> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Ok(event);
            }
            if self.polled {
                self.clock.sleep(self.every).await;
            }
            self.polled = true;
            let now = self.client.current_trade().await?;
            self.compare(now);
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
        let same = matches!((&before, &now), (Some(b), Some(n)) if b.id == n.id);
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
            if let Some(pnl) = now.pnl
                && self.said_pnl.is_none_or(|said| (*pnl - *said).abs() >= *self.pnl_step && pnl != said)
            {
                self.said_pnl = Some(pnl);
                self.pending.push_back(TradeEvent::Pnl { pnl, trade: now.clone() });
            }
        }
        self.last = now;
    }
}

/// The position in `trade` that is `position`: the one with its id, or, when the server sends
/// none, the one on the same asset and side at the same entry price.
fn find<'t>(trade: &'t types::Trade, position: &types::Position) -> Option<&'t types::Position> {
    let same = |p: &&types::Position| match &position.id {
        Some(id) => p.id.as_ref() == Some(id),
        None => {
            p.id.is_none()
                && (p.asset_index, &p.symbol, &p.side, p.entry_price)
                    == (position.asset_index, &position.symbol, &position.side, position.entry_price)
        }
    };
    trade.positions.iter().find(same)
}

impl WatchCurrentTrade {
    /// Positions that opened or closed between two answers about the same trade.
    fn positions(&mut self, before: &types::Trade, now: &types::Trade) {
        let open =
            |p: &types::Position| p.status.as_deref().is_none_or(|s| !s.eq_ignore_ascii_case("closed"));
        for was in before.positions.iter().filter(|p| open(p)) {
            match find(now, was) {
                Some(is) if !open(is) => self.pending.push_back(TradeEvent::PositionClosed(is.clone())),
                None => self.pending.push_back(TradeEvent::PositionClosed(was.clone())),
                Some(_) => {}
            }
        }
        for is in now.positions.iter().filter(|p| open(p)) {
            if find(before, is).is_none_or(|was| !open(was)) {
                self.pending.push_back(TradeEvent::PositionOpened(is.clone()));
            }
        }
    }
}
