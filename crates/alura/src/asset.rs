//! The perps Alura trades, by Hyperliquid asset index.

use std::fmt;
use std::str::FromStr;

use crate::error::Error;

/// A Hyperliquid perp, as `assetIndex` numbers it.
///
/// ```
/// use alura::Asset;
/// assert_eq!(Asset::ETH.index(), 1);
/// assert_eq!("sol".parse::<Asset>().unwrap(), Asset::SOL);
/// assert_eq!(Asset::try_from(4).unwrap().symbol(), "DOGE");
/// assert!("PEPE".parse::<Asset>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(clippy::upper_case_acronyms)]
pub enum Asset {
    /// Bitcoin, asset index 0.
    BTC = 0,
    /// Ether, asset index 1.
    ETH = 1,
    /// Solana, asset index 2.
    SOL = 2,
    /// XRP, asset index 3.
    XRP = 3,
    /// Dogecoin, asset index 4.
    DOGE = 4,
    /// Avalanche, asset index 5.
    AVAX = 5,
}

impl Asset {
    /// Every asset, by index.
    pub const ALL: [Asset; 6] = [Asset::BTC, Asset::ETH, Asset::SOL, Asset::XRP, Asset::DOGE, Asset::AVAX];

    /// The `assetIndex` the API takes.
    pub fn index(self) -> u32 {
        self as u32
    }

    /// The ticker, e.g. `"BTC"`, as market-data routes take it.
    pub fn symbol(self) -> &'static str {
        ["BTC", "ETH", "SOL", "XRP", "DOGE", "AVAX"][self as usize]
    }
}

impl fmt::Display for Asset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

impl FromStr for Asset {
    type Err = Error;

    /// From a symbol, in any case.
    fn from_str(s: &str) -> Result<Self, Error> {
        Asset::ALL.into_iter().find(|a| a.symbol().eq_ignore_ascii_case(s.trim())).ok_or_else(|| {
            Error::invalid(format!("unknown asset {s:?}: expected one of BTC, ETH, SOL, XRP, DOGE, AVAX"))
        })
    }
}

impl TryFrom<i64> for Asset {
    type Error = Error;

    /// From an `assetIndex`.
    fn try_from(index: i64) -> Result<Self, Error> {
        usize::try_from(index)
            .ok()
            .and_then(|i| Asset::ALL.get(i).copied())
            .ok_or_else(|| Error::invalid(format!("unknown asset index {index}: expected 0 to 5")))
    }
}

impl From<Asset> for i64 {
    fn from(a: Asset) -> i64 {
        a as i64
    }
}
