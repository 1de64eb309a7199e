//! Live data without a websocket: streams that poll at the right moments, repair their gaps from
//! the history, never yield a thing twice, and say when the data has gone quiet. Time comes from
//! a [`MarketClock`], so tests drive it (and a simulator's clock with it) instead of waiting.

mod candles;
mod clock;
mod current_trade;
mod pace;
mod signals;
mod trade_logs;

pub use candles::{CandleEvent, WatchCandles};
pub use clock::{MarketClock, SystemClock};
pub use current_trade::{TradeEvent, WatchCurrentTrade};
pub use signals::{SignalEvent, WatchSignals};
pub use trade_logs::FollowTradeLogs;

/// [`interval_ms`], or an error that says what an interval looks like.
pub(crate) fn checked_interval(interval: &str) -> crate::errors::Result<i64> {
    interval_ms(interval).ok_or_else(|| {
        crate::errors::Error::invalid(format!("interval {interval:?} is not one like 1m, 5m, 1h, 4h or 1d"))
    })
}

/// The length of an interval as the API names them (`1m`, `5m`, `1h`, `4h`, `1d`, `1w`), in ms.
pub(crate) fn interval_ms(interval: &str) -> Option<i64> {
    let split = interval.find(|c: char| !c.is_ascii_digit())?;
    let (count, unit) = interval.split_at(split);
    let count: i64 = count.parse().ok().filter(|n| *n > 0)?;
    let unit = match unit {
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        "w" => 604_800_000,
        _ => return None,
    };
    count.checked_mul(unit)
}

#[cfg(test)]
mod tests {
    #[test]
    fn intervals_are_read_as_the_api_names_them() {
        let ms = super::interval_ms;
        assert_eq!(
            (ms("1m"), ms("15m"), ms("4h"), ms("1d")),
            (Some(60_000), Some(900_000), Some(14_400_000), Some(86_400_000))
        );
        for bad in ["", "m", "0m", "1y", "1", "99999999999999999999m"] {
            assert_eq!(ms(bad), None, "{bad}");
        }
    }
}
