//! Deterministic market data: the same seed gives the same candles, in every run and language.
//!
//! Prices are a smooth function of time (a few slow waves plus hashed noise), so candles of
//! every interval agree with each other and any range can be computed without history.

use std::f64::consts::TAU;

use serde::Serialize;

/// The perps the simulator trades, by Hyperliquid asset index, with a reference price.
pub use crate::generated::assets::ASSETS;

/// Candle intervals and their length in ms.
pub const INTERVALS: [(&str, i64); 6] = [
    ("1m", 60_000),
    ("5m", 300_000),
    ("15m", 900_000),
    ("1h", 3_600_000),
    ("4h", 14_400_000),
    ("1d", 86_400_000),
];

pub fn interval_names() -> Vec<&'static str> {
    INTERVALS.iter().map(|(name, _)| *name).collect()
}

pub fn interval_ms(name: &str) -> Option<i64> {
    INTERVALS.iter().find(|(n, _)| *n == name).map(|(_, ms)| *ms)
}

pub fn asset_by_symbol(symbol: &str) -> Option<usize> {
    ASSETS.iter().position(|(s, _)| s.eq_ignore_ascii_case(symbol))
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Candle {
    pub symbol: &'static str,
    pub interval: &'static str,
    pub open_time: i64,
    pub close_time: i64,
    pub open: f64,
    pub high: f64,
    pub low: f64,
    pub close: f64,
    pub volume: f64,
}

#[derive(Debug, Clone, Copy)]
pub struct Market {
    seed: u64,
}

/// splitmix64: a tiny, well-mixed hash, so noise depends only on its inputs.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn round6(x: f64) -> f64 {
    let scale = 10f64.powi(6 - x.abs().log10().ceil().max(0.0) as i32);
    (x * scale).round() / scale
}

impl Market {
    pub fn new(seed: u64) -> Self {
        Self { seed }
    }

    /// Noise in [-1, 1] for one asset at one step.
    fn noise(&self, asset: usize, step: i64, salt: u64) -> f64 {
        let h = mix(self.seed ^ mix(asset as u64 ^ (salt << 8)) ^ mix(step as u64));
        (h >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    }

    /// The mark price of `asset` at `t_ms`.
    pub fn price(&self, asset: usize, t_ms: i64) -> f64 {
        let (_, base) = ASSETS[asset];
        let t = t_ms as f64;
        let phase = (mix(self.seed ^ asset as u64) % 1000) as f64 / 1000.0 * TAU;
        let day = 86_400_000.0;
        let wave = 0.08 * (TAU * t / (30.0 * day) + phase).sin()
            + 0.03 * (TAU * t / (2.3 * day) + 2.0 * phase).sin()
            + 0.01 * (TAU * t / (0.29 * day) + 3.0 * phase).sin();
        let jitter = 0.002 * self.noise(asset, t_ms.div_euclid(60_000), 1);
        base * (1.0 + wave + jitter)
    }

    pub fn candle(&self, asset: usize, interval: (&'static str, i64), open_time: i64) -> Candle {
        let (name, ms) = interval;
        let open = self.price(asset, open_time);
        let close = self.price(asset, open_time.saturating_add(ms));
        let step = open_time.div_euclid(ms);
        let wick = 0.001 * (ms as f64 / 60_000.0).sqrt().min(20.0);
        Candle {
            symbol: ASSETS[asset].0,
            interval: name,
            open_time,
            close_time: open_time.saturating_add(ms - 1),
            open: round6(open),
            high: round6(open.max(close) * (1.0 + wick * self.noise(asset, step, 2).abs())),
            low: round6(open.min(close) * (1.0 - wick * self.noise(asset, step, 3).abs())),
            close: round6(close),
            volume: round6(1_000.0 * (ms as f64 / 60_000.0) * (1.5 + self.noise(asset, step, 4))),
        }
    }

    /// Up to `limit` candles, oldest first: from `start` when given, else the last ones up to
    /// the candle that contains `end`.
    pub fn candles(
        &self,
        asset: usize,
        interval: &str,
        start: Option<i64>,
        end: i64,
        limit: usize,
    ) -> Vec<Candle> {
        let Some(&(name, ms)) = INTERVALS.iter().find(|(n, _)| *n == interval) else { return Vec::new() };
        // Saturating and checked: `start`, `end` and `limit` come from the query string.
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let last = end.div_euclid(ms) * ms;
        let first = match start {
            Some(s) => (s.div_euclid(ms) * ms).saturating_add(if s.rem_euclid(ms) == 0 { 0 } else { ms }),
            None => last.saturating_sub(limit.saturating_sub(1).saturating_mul(ms)),
        };
        (0..limit)
            .map_while(|i| i.checked_mul(ms).and_then(|offset| first.checked_add(offset)))
            .take_while(|t| *t <= last)
            .map(|t| self.candle(asset, (name, ms), t))
            .collect()
    }
}

/// A trading signal from a fast/slow moving average crossover and RSI(14) over closes.
pub fn signal(candles: &[Candle]) -> (&'static str, f64, f64, f64, f64) {
    let closes: Vec<f64> = candles.iter().map(|c| c.close).collect();
    let sma =
        |n: usize| closes[closes.len().saturating_sub(n)..].iter().sum::<f64>() / n.min(closes.len()) as f64;
    let (fast, slow) = (sma(7), sma(25));
    let (mut gain, mut loss) = (0.0, 0.0);
    for w in closes[closes.len().saturating_sub(15)..].windows(2) {
        let d = w[1] - w[0];
        if d > 0.0 { gain += d } else { loss -= d }
    }
    let rsi = if loss == 0.0 { 100.0 } else { 100.0 - 100.0 / (1.0 + gain / loss) };
    let spread = (fast - slow) / slow;
    let signal = if spread > 0.001 {
        "BUY"
    } else if spread < -0.001 {
        "SELL"
    } else {
        "HOLD"
    };
    (signal, round6((spread.abs() * 20.0).min(1.0)), round6(fast), round6(slow), round6(rsi))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candles_are_deterministic_contiguous_and_well_formed() {
        let m = Market::new(7);
        let a = m.candles(0, "1h", None, 1_700_000_000_000, 500);
        assert_eq!(a.len(), 500);
        assert_eq!(a.iter().map(|c| c.open_time).collect::<Vec<_>>(), {
            let first = a[0].open_time;
            (0..500).map(|i| first + i * 3_600_000).collect::<Vec<_>>()
        });
        for c in &a {
            assert!(c.low <= c.open.min(c.close) && c.high >= c.open.max(c.close), "{c:?}");
            assert!(c.volume > 0.0);
        }
        let b = Market::new(7).candles(0, "1h", None, 1_700_000_000_000, 500);
        assert_eq!(
            a.iter().map(|c| c.close).collect::<Vec<_>>(),
            b.iter().map(|c| c.close).collect::<Vec<_>>()
        );
        let other = Market::new(8).candles(0, "1h", None, 1_700_000_000_000, 5);
        assert_ne!(a[495].close, other[0].close, "the seed matters");
    }

    #[test]
    fn a_hundred_thousand_minutes_from_a_start_time() {
        let start = 26_666_667 * 60_000; // a minute boundary
        let c = Market::new(1).candles(2, "1m", Some(start), start + 200_000 * 60_000, 100_000);
        assert_eq!(c.len(), 100_000);
        assert_eq!(c[0].open_time, start);
    }
}
