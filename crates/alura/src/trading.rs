//! Typed helpers for what traders do most: open a session, read a trade's whole log.

use std::num::NonZeroU64;

use futures::Stream;
use futures::stream::{self, TryStreamExt};

use crate::Client;
use crate::asset::Asset;
use crate::error::{Error, Result};
use crate::types::{
    self, CreateAdvanceTradingSessionDtoExecutionStrategy, CreateAdvanceTradingSessionDtoStrategyDuration,
};

/// How an advance session trades.
pub type ExecutionStrategy = CreateAdvanceTradingSessionDtoExecutionStrategy;
/// How long an advance session runs.
pub type StrategyDuration = CreateAdvanceTradingSessionDtoStrategyDuration;

/// A quick trade: a budget and a profit target on one asset.
#[derive(Debug, Clone, PartialEq)]
pub struct QuickTrade {
    pub asset: Asset,
    /// USDC, at least 10.
    pub budget: f64,
    /// Percent, at most 500.
    pub profit_target: f64,
    /// Percent lost at which the session closes.
    pub loss_threshold: Option<f64>,
    /// Positions the session may hold at once, at least 1.
    pub max_positions: Option<u64>,
}

impl QuickTrade {
    pub fn new(asset: Asset, budget: f64, profit_target: f64) -> Self {
        Self { asset, budget, profit_target, loss_threshold: None, max_positions: None }
    }
}

/// An advance trade: an amount traded with a strategy for a duration.
#[derive(Debug, Clone, PartialEq)]
pub struct AdvanceTrade {
    pub asset: Asset,
    /// USDC, at least 10.
    pub amount: f64,
    pub strategy: ExecutionStrategy,
    pub duration: StrategyDuration,
    /// Trade the whole wallet balance instead of `amount`.
    pub max_wallet_budget: bool,
}

impl AdvanceTrade {
    pub fn new(asset: Asset, amount: f64, strategy: ExecutionStrategy, duration: StrategyDuration) -> Self {
        Self { asset, amount, strategy, duration, max_wallet_budget: false }
    }
}

/// Log entries fetched per page while streaming a trade's log.
const LOG_PAGE: NonZeroU64 = NonZeroU64::new(100).unwrap();

impl Client {
    /// Opens a quick-trade session (`POST /trading-sessions`).
    pub async fn quick_trade(&self, trade: QuickTrade) -> Result<types::TradingSession> {
        let max_positions = match trade.max_positions {
            None => None,
            Some(n) => {
                Some(NonZeroU64::new(n).ok_or_else(|| Error::invalid("max_positions must be at least 1"))?)
            }
        };
        let body = types::CreateTradingSessionDto {
            asset_index: trade.asset.into(),
            budget: trade.budget,
            profit_target: trade.profit_target,
            loss_threshold: trade.loss_threshold,
            max_positions,
        };
        Ok(self.api().create_trading_session().body(body).send().await?.into_inner())
    }

    /// Opens an advance-trade session (`POST /trading-sessions/advance`).
    pub async fn advance_trade(&self, trade: AdvanceTrade) -> Result<types::TradingSession> {
        let body = types::CreateAdvanceTradingSessionDto {
            asset_index: trade.asset.into(),
            amount: trade.amount,
            execution_strategy: trade.strategy,
            strategy_duration: trade.duration,
            max_wallet_budget: trade.max_wallet_budget,
        };
        Ok(self.api().create_advance_trading_session().body(body).send().await?.into_inner())
    }

    /// Every log entry of a trade, oldest first, fetching pages as the stream is read.
    ///
    /// ```no_run
    /// # async fn run(client: alura::Client) -> alura::Result<()> {
    /// use futures::TryStreamExt;
    /// let trade = client.api().get_current_trade().send().await?.into_inner();
    /// let entries: Vec<_> = client.trade_logs(&trade.id).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn trade_logs(&self, trade_id: &str) -> impl Stream<Item = Result<types::LogEntry>> + Send + 'static {
        let (client, trade_id) = (self.clone(), trade_id.to_owned());
        stream::try_unfold(Some(NonZeroU64::MIN), move |page| {
            let (client, trade_id) = (client.clone(), trade_id.clone());
            async move {
                let Some(page) = page else { return Ok::<_, Error>(None) };
                let logs = client
                    .api()
                    .get_trade_logs()
                    .trade_id(trade_id)
                    .page(page)
                    .limit(LOG_PAGE)
                    .send()
                    .await?
                    .into_inner();
                let seen = page.get().saturating_mul(logs.limit.max(1) as u64);
                let last = logs.data.is_empty() || seen >= logs.total.max(0) as u64;
                Ok(Some((
                    stream::iter(logs.data.into_iter().map(Ok)),
                    (!last).then(|| page.saturating_add(1)),
                )))
            }
        })
        .try_flatten()
    }
}
