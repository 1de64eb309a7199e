//! Typed helpers for what traders do most: open a session, read a trade's whole log.

use std::num::NonZeroU64;

use futures_util::Stream;
use futures_util::stream::{self, TryStreamExt};

use crate::Client;
use crate::Decimal;
use crate::asset::Asset;
use crate::errors::{Error, Result};
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
    /// The perp to trade.
    pub asset: Asset,
    /// USDC, at least 10.
    pub budget: Decimal,
    /// Percent, at most 500.
    pub profit_target: Decimal,
    /// Percent lost at which the session closes.
    pub loss_threshold: Option<Decimal>,
    /// Positions the session may hold at once, at least 1.
    pub max_positions: Option<u64>,
}

impl QuickTrade {
    /// A quick trade with the server's defaults for the optional settings. Amounts are exact:
    /// integers convert as they are, text with `"100.10".parse()?`.
    pub fn new(asset: Asset, budget: impl Into<Decimal>, profit_target: impl Into<Decimal>) -> Self {
        Self {
            asset,
            budget: budget.into(),
            profit_target: profit_target.into(),
            loss_threshold: None,
            max_positions: None,
        }
    }
}

/// An advance trade: an amount traded with a strategy for a duration.
#[derive(Debug, Clone, PartialEq)]
pub struct AdvanceTrade {
    /// The perp to trade.
    pub asset: Asset,
    /// USDC, at least 10.
    pub amount: Decimal,
    /// Conservative, Aggressive or Degen.
    pub strategy: ExecutionStrategy,
    /// 1D to 365D.
    pub duration: StrategyDuration,
    /// Trade the whole wallet balance instead of `amount`.
    pub max_wallet_budget: bool,
}

impl AdvanceTrade {
    /// An advance trade of `amount` (not the whole wallet).
    pub fn new(
        asset: Asset,
        amount: impl Into<Decimal>,
        strategy: ExecutionStrategy,
        duration: StrategyDuration,
    ) -> Self {
        Self { asset, amount: amount.into(), strategy, duration, max_wallet_budget: false }
    }
}

/// Log entries fetched per page while streaming a trade's log.
const LOG_PAGE: NonZeroU64 = NonZeroU64::new(100).unwrap();

impl Client {
    /// The open trade with its positions, or `None` when there is none, however the server
    /// says so: an empty 200 (what a NestJS handler returning `null` sends), a JSON `null`, or
    /// a 404. (`api().get_current_trade()` answers a typed `Trade` or an error.)
    pub async fn current_trade(&self) -> Result<Option<types::Trade>> {
        match self.api().get_current_trade().send().await.map_err(Error::from) {
            Ok(trade) => Ok(Some(trade.into_inner())),
            Err(Error::Decode { body: Some(body), .. })
                if body.text().trim() == "null" || body.text().trim().is_empty() =>
            {
                Ok(None)
            }
            Err(Error::Api { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

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
            max_wallet_budget: Some(trade.max_wallet_budget),
        };
        Ok(self.api().create_advance_trading_session().body(body).send().await?.into_inner())
    }

    /// Every log entry of a trade, oldest first, fetching pages as the stream is read.
    ///
    /// ```no_run
    /// # async fn run(client: alura::Client) -> alura::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let trade = client.api().get_current_trade().send().await?.into_inner();
    /// let trade_id = trade.id.unwrap_or_default();
    /// let entries: Vec<_> = client.trade_logs(&trade_id).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn trade_logs(&self, trade_id: &str) -> impl Stream<Item = Result<types::LogEntry>> + Send + 'static {
        self.paged_trade_logs(trade_id, LOG_PAGE, NonZeroU64::MIN)
    }

    /// A trade's log entries from page `first` on (pages of `page_size`), fetched as read.
    pub(crate) fn paged_trade_logs(
        &self,
        trade_id: &str,
        page_size: NonZeroU64,
        first: NonZeroU64,
    ) -> impl Stream<Item = Result<types::LogEntry>> + Send + 'static {
        let (client, trade_id) = (self.clone(), trade_id.to_owned());
        stream::try_unfold(Some(first), move |page| {
            let (client, trade_id) = (client.clone(), trade_id.clone());
            async move {
                let Some(page) = page else { return Ok::<_, Error>(None) };
                let logs = client
                    .api()
                    .get_trade_logs()
                    .trade_id(trade_id)
                    .page(page)
                    .limit(page_size)
                    .send()
                    .await?
                    .into_inner();
                // `limit` and `total` are best-effort: without them a short page is the last.
                let limit = logs.limit.and_then(|l| u64::try_from(l).ok()).filter(|l| *l > 0);
                let limit = limit.unwrap_or(page_size.get());
                let seen = page.get().saturating_mul(limit);
                let last = logs.data.is_empty()
                    || match logs.total {
                        Some(total) => seen >= u64::try_from(total).unwrap_or(0),
                        None => (logs.data.len() as u64) < limit,
                    };
                Ok(Some((
                    stream::iter(logs.data.into_iter().map(Ok)),
                    (!last).then(|| page.saturating_add(1)),
                )))
            }
        })
        .try_flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_log_stream_reads_every_page_in_order() {
        let mock = alura_mock::MockServer::start(alura_mock::Config::default()).unwrap();
        let client = Client::builder()
            .base_url(mock.url())
            .signer(alloy_signer_local::PrivateKeySigner::random())
            .build()
            .unwrap();
        let trade = QuickTrade { max_positions: Some(3), ..QuickTrade::new(Asset::ETH, 300, 40) };
        client.quick_trade(trade).await.unwrap();
        let trade = client.api().get_current_trade().send().await.unwrap().into_inner();
        let trade_id = trade.id.unwrap();
        client.api().close_trade().trade_id(&trade_id).send().await.unwrap();
        let whole: Vec<_> = client.trade_logs(&trade_id).try_collect().await.unwrap();
        assert_eq!(whole.len(), 4, "opened, three positions closed");
        let paged: Vec<_> = client
            .paged_trade_logs(&trade_id, NonZeroU64::new(1).unwrap(), NonZeroU64::MIN)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(paged, whole);
        assert_eq!(mock.requests(Some("get_trade_logs")).len(), 1 + 4);
    }
}
