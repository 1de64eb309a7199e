//! Numbers as real backends send them. A NestJS backend on TypeORM serves Postgres `numeric` and
//! `bigint` columns as strings (`"balance": "10000.000000"`), and Hyperliquid sends prices as
//! strings, where our spec says `number`. `cargo xtask gen` points every number field of the
//! generated types at [`number`] or [`option`], which take a JSON number or a string holding
//! one.
//!
//! Tolerance is the default because the spec's response shapes are guesses. Two things keep it
//! honest: each number taken from a string is counted on the decoding thread ([`tolerated`]),
//! so the `alura` crate can warn about it as drift, and [`strictly`] turns it back into an
//! error, for strict clients and our own tests.

use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, Visitor};

thread_local! {
    static STRICT: Cell<bool> = const { Cell::new(false) };
    static TOLERATED: Cell<u64> = const { Cell::new(0) };
}

/// Runs `f` (a decode) with numbers in strings refused, as the spec says.
pub fn strictly<R>(f: impl FnOnce() -> R) -> R {
    /// Puts the flag back even when `f` panics.
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            STRICT.with(|s| s.set(self.0));
        }
    }
    let _restore = Restore(STRICT.with(|s| s.replace(true)));
    f()
}

/// How many numbers this thread has taken from strings so far. Decoding is synchronous, so the
/// difference across one poll of a future is what that poll decoded.
pub fn tolerated() -> u64 {
    TOLERATED.with(Cell::get)
}

/// Whether this thread is inside [`strictly`].
pub(crate) fn is_strict() -> bool {
    STRICT.with(Cell::get)
}

/// Counts one number taken from a string (see [`tolerated`]).
pub(crate) fn count_tolerated() {
    TOLERATED.with(|t| t.set(t.get().wrapping_add(1)));
}

/// A number type of the generated code.
pub trait Number: Sized + std::str::FromStr {
    const EXPECTED: &'static str;
    /// Not NaN nor infinite: Rust parses "NaN", "inf" and "1e400", which JSON cannot carry.
    fn is_finite(&self) -> bool;
    fn from_i64(n: i64) -> Option<Self>;
    fn from_u64(n: u64) -> Option<Self>;
    fn from_f64(n: f64) -> Option<Self>;
}

impl Number for f64 {
    const EXPECTED: &'static str = "a number";
    fn is_finite(&self) -> bool {
        f64::is_finite(*self)
    }
    fn from_i64(n: i64) -> Option<Self> {
        Some(n as f64)
    }
    fn from_u64(n: u64) -> Option<Self> {
        Some(n as f64)
    }
    fn from_f64(n: f64) -> Option<Self> {
        Some(n)
    }
}

impl Number for i64 {
    const EXPECTED: &'static str = "an integer";
    fn is_finite(&self) -> bool {
        true
    }
    fn from_i64(n: i64) -> Option<Self> {
        Some(n)
    }
    fn from_u64(n: u64) -> Option<Self> {
        i64::try_from(n).ok()
    }
    fn from_f64(n: f64) -> Option<Self> {
        // Whole and inside i64 only: `as` would saturate or truncate without a word.
        (n.fract() == 0.0 && n.abs() < 9.2e18).then_some(n as i64)
    }
}

/// A required number field: a JSON number, or (unless [`strictly`]) a string holding one.
pub fn number<'de, D: Deserializer<'de>, T: Number>(d: D) -> Result<T, D::Error> {
    d.deserialize_any(NumberVisitor(PhantomData))
}

/// An optional number field: as [`number`], and `null` is `None`.
pub fn option<'de, D: Deserializer<'de>, T: Number>(d: D) -> Result<Option<T>, D::Error> {
    d.deserialize_option(OptionVisitor(PhantomData))
}

struct NumberVisitor<T>(PhantomData<T>);

impl<T: Number> Visitor<'_> for NumberVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTED)
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<T, E> {
        T::from_i64(n).ok_or_else(|| E::invalid_value(de::Unexpected::Signed(n), &self))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<T, E> {
        T::from_u64(n).ok_or_else(|| E::invalid_value(de::Unexpected::Unsigned(n), &self))
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<T, E> {
        T::from_f64(n).ok_or_else(|| E::invalid_value(de::Unexpected::Float(n), &self))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<T, E> {
        if is_strict() {
            return Err(E::invalid_type(de::Unexpected::Str(s), &self));
        }
        let n = s
            .trim()
            .parse::<T>()
            .ok()
            .filter(Number::is_finite)
            .ok_or_else(|| E::invalid_value(de::Unexpected::Str(s), &self))?;
        count_tolerated();
        Ok(n)
    }
}

struct OptionVisitor<T>(PhantomData<T>);

impl<'de, T: Number> Visitor<'de> for OptionVisitor<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} or null", T::EXPECTED)
    }

    fn visit_none<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
        number(d).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize, Debug, PartialEq)]
    struct Row {
        #[serde(deserialize_with = "super::number")]
        price: f64,
        #[serde(default, deserialize_with = "super::option")]
        time: Option<i64>,
    }

    fn row(text: &str) -> Result<Row, serde_json::Error> {
        serde_json::from_str(text)
    }

    #[test]
    fn numbers_come_as_numbers_or_strings_and_strictly_only_as_numbers() {
        assert_eq!(row(r#"{"price": 1.5, "time": 7}"#).unwrap(), Row { price: 1.5, time: Some(7) });
        let before = super::tolerated();
        assert_eq!(
            row(r#"{"price": "10000.000000", "time": "7"}"#).unwrap(),
            Row { price: 10000.0, time: Some(7) }
        );
        assert_eq!(super::tolerated() - before, 2);
        assert_eq!(row(r#"{"price": 2}"#).unwrap(), Row { price: 2.0, time: None });
        assert_eq!(row(r#"{"price": 2, "time": null}"#).unwrap(), Row { price: 2.0, time: None });
        let err = super::strictly(|| row(r#"{"price": "1.5"}"#)).unwrap_err().to_string();
        assert!(err.contains("invalid type: string \"1.5\", expected a number"), "{err}");
        assert!(row(r#"{"price": "1.5"}"#).is_ok(), "strictness ends with `strictly`");
        for bad in [
            r#"{"price": "abc"}"#,
            r#"{"price": 1, "time": 1.5}"#,
            r#"{"price": 1, "time": 1e300}"#,
            r#"{"price": "NaN"}"#,
            r#"{"price": "inf"}"#,
            r#"{"price": "-Infinity"}"#,
            r#"{"price": "1e400"}"#,
        ] {
            assert!(row(bad).is_err(), "{bad}");
        }
    }
}
