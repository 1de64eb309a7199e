//! The perps Alura trades, by Hyperliquid asset index.

use std::fmt;
use std::str::FromStr;

use serde_json::{Map, Value};

use crate::errors::Error;

// The enum is generated from the spec's `x-assets` (src/generated/asset.rs); this module adds
// parsing and conversions.

/// ```
/// use alura::Asset;
/// assert_eq!(Asset::ETH.index(), 1);
/// assert_eq!("sol".parse::<Asset>().unwrap(), Asset::SOL);
/// assert_eq!(Asset::try_from(4).unwrap().symbol(), "DOGE");
/// assert!("PEPE".parse::<Asset>().is_err());
/// ```
pub use crate::generated::asset::Asset;

impl Asset {
    /// The `assetIndex` the API takes.
    pub fn index(self) -> u32 {
        self as u32
    }
}

fn symbols() -> String {
    Asset::ALL.map(Asset::symbol).join(", ")
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
        Asset::ALL
            .into_iter()
            .find(|a| a.symbol().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| Error::invalid(format!("unknown asset {s:?}: expected one of {}", symbols())))
    }
}

impl TryFrom<i64> for Asset {
    type Error = Error;

    /// From an `assetIndex`.
    fn try_from(index: i64) -> Result<Self, Error> {
        usize::try_from(index).ok().and_then(|i| Asset::ALL.get(i).copied()).ok_or_else(|| {
            Error::invalid(format!("unknown asset index {index}: expected 0 to {}", Asset::ALL.len() - 1))
        })
    }
}

impl From<Asset> for i64 {
    fn from(a: Asset) -> i64 {
        a as i64
    }
}

/// Wherever an operation means an asset ([`alura_api::ASSET_ARGUMENTS`]), the JSON call takes
/// any of its forms: `assetIndex` a
/// symbol (`"BTC"` is 0), `symbol` an index (1 is `"ETH"`; the bindings pass an `Asset` as its
/// index). Other values pass through to the usual checks: a symbol the SDK does not list may
/// still be one the server has.
pub(crate) fn any_form(mut args: Map<String, Value>) -> Result<Map<String, Value>, Error> {
    let [index, symbol] = alura_api::ASSET_ARGUMENTS;
    if let Some(v) = args.get_mut(index)
        && let Value::String(s) = v
    {
        let asset: Asset = s.parse().map_err(|_| {
            Error::invalid(format!(
                "assetIndex: unknown asset {s:?}: expected an index or one of {}",
                symbols()
            ))
        })?;
        *v = Value::from(asset.index());
    }
    if let Some(v) = args.get_mut(symbol)
        && let Some(n) = v.as_i64()
    {
        *v = Value::from(symbol_of(n)?);
    }
    Ok(args)
}

/// The symbol of an asset index, for an argument that takes a symbol (`symbol: 1` is `"ETH"`):
/// what [`crate::Client::call`] does, for the bindings' own calls that take a symbol
/// (candle columns).
pub fn symbol_of(index: i64) -> Result<&'static str, Error> {
    Asset::try_from(index).map(Asset::symbol).map_err(|_| {
        Error::invalid(format!("symbol: no asset has index {index}: expected a symbol ({})", symbols()))
    })
}
