//! Money as exact decimals. The spec marks amounts, balances, budgets, PnL, prices, sizes and
//! thresholds `format: decimal`, and `cargo xtask gen` types those fields as [`Decimal`]: a thin
//! newtype over `rust_decimal::Decimal` (28 significant digits) whose serde is ours, because
//! the usual ways lose digits. serde_json hands a number with a fraction to a visitor as an
//! `f64`, and `rust_decimal`'s own serde writes a string where the API wants a number.
//!
//! - Reading takes the number's own text (`serde_json::value::RawValue`), never a double; a
//!   string holding a number (`"10000.000000"`, as TypeORM serves Postgres numerics) is taken
//!   too, counted as drift by [`crate::tolerant`] and refused under [`crate::tolerant::strictly`].
//! - Writing puts exactly its digits on the wire as a JSON number, never in exponent notation:
//!   `100.10` goes as `100.10`, `0.00008329` as `0.00008329`.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::str::FromStr;

use serde::de::{self, Deserializer};
use serde::ser::{self, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// An exact decimal: `Deref`s to [`rust_decimal::Decimal`] for its arithmetic and rounding.
///
/// ```
/// use alura_api::Decimal;
/// let budget: Decimal = "100.10".parse().unwrap();
/// assert_eq!((budget * Decimal::from(3)).to_string(), "300.30");
/// assert_eq!(("0.1".parse::<Decimal>().unwrap() + "0.2".parse().unwrap()).to_string(), "0.3");
/// assert_eq!(serde_json::to_string(&budget).unwrap(), "100.10");
/// let balance: Decimal = serde_json::from_str("\"10000.000000\"").unwrap();
/// assert_eq!(balance, Decimal::from(10000));
/// ```
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Decimal(pub rust_decimal::Decimal);

impl Decimal {
    /// The decimal a double stands for, by its shortest text (`0.1` is 0.1, not
    /// 0.1000000000000000055511151231257827); `None` for NaN, infinities and doubles past
    /// 28 digits of range.
    pub fn from_f64(x: f64) -> Option<Self> {
        // Rust writes a double's shortest round-trip digits, and never in exponent notation.
        x.is_finite().then(|| x.to_string().parse().ok()).flatten()
    }

    /// The nearest double, for plotting and statistics; money stays in the decimal.
    pub fn to_f64(self) -> f64 {
        // rust_decimal's conversion to f64 goes through its exact digits, so it is the nearest.
        self.0.to_string().parse().unwrap_or(f64::NAN)
    }
}

impl Deref for Decimal {
    type Target = rust_decimal::Decimal;
    fn deref(&self) -> &rust_decimal::Decimal {
        &self.0
    }
}

impl DerefMut for Decimal {
    fn deref_mut(&mut self) -> &mut rust_decimal::Decimal {
        &mut self.0
    }
}

impl From<rust_decimal::Decimal> for Decimal {
    fn from(d: rust_decimal::Decimal) -> Self {
        Decimal(d)
    }
}

impl From<Decimal> for rust_decimal::Decimal {
    fn from(d: Decimal) -> Self {
        d.0
    }
}

macro_rules! from_integers {
    ($($t:ty),*) => {$(
        impl From<$t> for Decimal {
            fn from(n: $t) -> Self {
                Decimal(rust_decimal::Decimal::from(n))
            }
        }
    )*};
}
from_integers!(i8, i16, i32, i64, u8, u16, u32, u64, isize, usize);

// Arithmetic as rust_decimal's (exact; it panics only past 28 digits of range, as integers do
// on overflow): `balance - spent` without unwrapping.
macro_rules! arithmetic {
    ($($trait:ident $method:ident $assign:ident $assign_method:ident),*) => {$(
        impl std::ops::$trait for Decimal {
            type Output = Decimal;
            fn $method(self, other: Decimal) -> Decimal {
                Decimal(std::ops::$trait::$method(self.0, other.0))
            }
        }
        impl std::ops::$assign for Decimal {
            fn $assign_method(&mut self, other: Decimal) {
                std::ops::$assign::$assign_method(&mut self.0, other.0)
            }
        }
    )*};
}
arithmetic!(Add add AddAssign add_assign, Sub sub SubAssign sub_assign, Mul mul MulAssign mul_assign, Div div DivAssign div_assign, Rem rem RemAssign rem_assign);

impl std::ops::Neg for Decimal {
    type Output = Decimal;
    fn neg(self) -> Decimal {
        Decimal(-self.0)
    }
}

impl std::iter::Sum for Decimal {
    fn sum<I: Iterator<Item = Decimal>>(iter: I) -> Decimal {
        Decimal(iter.map(|d| d.0).sum())
    }
}

/// Why text is not a decimal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseDecimalError(String);

impl fmt::Display for ParseDecimalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParseDecimalError {}

impl FromStr for Decimal {
    type Err = ParseDecimalError;

    /// `"100.10"`, `"-0.5"`, `"1e-7"`, `"8.329E-05"`; digits past the 28th are rounded.
    fn from_str(text: &str) -> Result<Self, ParseDecimalError> {
        let t = text.trim();
        let wrong = || ParseDecimalError(format!("{text:?} is not a decimal number"));
        // Only what JSON calls a number: no "NaN", "inf", hex or a leading "+".
        let plain = t.strip_prefix('-').unwrap_or(t);
        if !plain.starts_with(|c: char| c.is_ascii_digit())
            || !t.chars().all(|c| "0123456789.-+eE".contains(c))
        {
            return Err(wrong());
        }
        let parsed = if t.contains(['e', 'E']) {
            rust_decimal::Decimal::from_scientific(t)
        } else {
            rust_decimal::Decimal::from_str(t)
        };
        parsed
            .map(Decimal)
            .map_err(|e| ParseDecimalError(format!("{text:?} is not a decimal that fits 28 digits: {e}")))
    }
}

impl TryFrom<&str> for Decimal {
    type Error = ParseDecimalError;
    fn try_from(text: &str) -> Result<Self, ParseDecimalError> {
        text.parse()
    }
}

impl TryFrom<String> for Decimal {
    type Error = ParseDecimalError;
    fn try_from(text: String) -> Result<Self, ParseDecimalError> {
        text.parse()
    }
}

impl TryFrom<f64> for Decimal {
    type Error = ParseDecimalError;
    /// By the double's shortest text: see [`Decimal::from_f64`].
    fn try_from(x: f64) -> Result<Self, ParseDecimalError> {
        Decimal::from_f64(x)
            .ok_or_else(|| ParseDecimalError(format!("{x} is not a decimal that fits 28 digits")))
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl Serialize for Decimal {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // rust_decimal writes plain digits with the value's own scale: "100.10", "0.00008329".
        let raw = RawValue::from_string(self.0.to_string()).map_err(ser::Error::custom)?;
        raw.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(d)?;
        let text = raw.get();
        if text.starts_with('"') {
            let s: String = serde_json::from_str(text).map_err(de::Error::custom)?;
            if crate::tolerant::is_strict() {
                return Err(de::Error::invalid_type(de::Unexpected::Str(&s), &"a decimal number"));
            }
            let d = s
                .parse()
                .map_err(|_| de::Error::invalid_value(de::Unexpected::Str(&s), &"a decimal number"))?;
            crate::tolerant::count_tolerated();
            return Ok(d);
        }
        text.parse().map_err(|e: ParseDecimalError| {
            de::Error::invalid_value(de::Unexpected::Other(&e.to_string()), &"a decimal number")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Decimal;

    fn read(json: &str) -> Result<Decimal, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn numbers_are_read_from_their_own_digits_and_written_with_them() {
        for text in
            ["100.10", "0.00008329", "66406.3078942512", "0.001505881040085004", "-5", "10000.000000", "0.1"]
        {
            let d = read(text).unwrap();
            assert_eq!(d.to_string(), text);
            assert_eq!(serde_json::to_string(&d).unwrap(), text, "written as a number with its digits");
        }
        // Exponent notation is read, and never written.
        assert_eq!(read("8.329e-05").unwrap().to_string(), "0.00008329");
        assert_eq!(read("1E+3").unwrap(), Decimal::from(1000));
        // 28 significant digits survive.
        let long = "1234567890.123456789012345678";
        assert_eq!(read(long).unwrap().to_string(), long);
        // Through a serde_json::Value too (how the bindings' arguments arrive).
        let from_value: Decimal = serde_json::from_value(serde_json::json!(100.1)).unwrap();
        assert_eq!(from_value.to_string(), "100.1");
    }

    #[test]
    fn strings_are_tolerated_counted_and_refused_when_strict() {
        let before = crate::tolerant::tolerated();
        assert_eq!(read("\"10000.000000\"").unwrap(), Decimal::from(10000));
        assert_eq!(crate::tolerant::tolerated() - before, 1);
        let err = crate::tolerant::strictly(|| read("\"1.5\"")).unwrap_err().to_string();
        assert!(err.contains("expected a decimal number"), "{err}");
        for bad in ["\"abc\"", "\"NaN\"", "\"inf\"", "\"0x10\"", "\"+1\"", "true", "[1]", "1e400", "\"\""] {
            assert!(read(bad).is_err(), "{bad}");
        }
    }

    proptest::proptest! {
        /// Any decimal of up to 28 significant digits survives a trip to JSON and back, with its
        /// digits and its scale, as a number and as a string.
        #[test]
        fn any_decimal_survives_a_trip_through_json(mantissa in -(10i128.pow(28) - 1)..10i128.pow(28), scale in 0u32..=28) {
            let d = Decimal(rust_decimal::Decimal::from_i128_with_scale(mantissa, scale));
            let number = serde_json::to_string(&d).unwrap();
            proptest::prop_assert!(!number.contains(['e', 'E', '"']), "{}", number);
            let back: Decimal = serde_json::from_str(&number).unwrap();
            proptest::prop_assert_eq!(back, d);
            proptest::prop_assert_eq!(back.to_string(), d.to_string(), "the scale too");
            let from_string: Decimal = serde_json::from_str(&format!("\"{number}\"")).unwrap();
            proptest::prop_assert_eq!(from_string.to_string(), d.to_string());
            // Python's Decimal and Node's strings and bigints reach the core as a Value's string
            // (a Value's number is a double, which carries only what a float or a JS number had).
            let in_a_value: Decimal = serde_json::from_value(serde_json::Value::String(number.clone())).unwrap();
            proptest::prop_assert_eq!(in_a_value.to_string(), d.to_string(), "as the bindings' arguments come");
        }
    }

    #[test]
    fn doubles_go_through_their_shortest_text() {
        assert_eq!(Decimal::from_f64(0.1).unwrap().to_string(), "0.1");
        assert_eq!(Decimal::from_f64(0.015).unwrap().to_string(), "0.015");
        assert_eq!(Decimal::from_f64(8.329e-05).unwrap().to_string(), "0.00008329");
        assert!(Decimal::from_f64(f64::NAN).is_none() && Decimal::from_f64(1e300).is_none());
        assert_eq!(Decimal::from(10000).to_f64(), 10000.0);
    }
}
