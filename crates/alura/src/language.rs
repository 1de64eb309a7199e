//! How the caller writes options, arguments and methods, so that the core's errors read as the
//! caller wrote them. The core speaks Rust; a binding hands its own [`Dialect`] over with the
//! options (`alura-ffi` has one per binding). A leaf: options and errors both use it.

use std::borrow::Cow;
use std::fmt;

/// How a caller's language names what the core names in Rust. Every method defaults to
/// Rust's way, so a dialect states only where it differs.
pub trait Dialect: Send + Sync {
    /// The language's short name, for the default `User-Agent` (`alura-<name>/<version>`).
    fn name(&self) -> &'static str;

    /// `option` (snake_case, as the core spells it) as the caller writes it. A time
    /// (`OptionKind::Seconds` in `alura::options::CLIENT_OPTIONS`) the caller gives in its own
    /// units ([`Dialect::units_per_second`]), and may name so.
    fn option<'a>(&self, option: &'a str) -> Cow<'a, str> {
        Cow::Borrowed(option)
    }

    /// How many of the caller's time units make a second.
    fn units_per_second(&self) -> f64 {
        1.0
    }

    /// An operation's input (its wire name, camelCase for body fields) as the caller writes it.
    fn argument<'a>(&self, wire: &'a str) -> Cow<'a, str> {
        Cow::Borrowed(wire)
    }

    /// An operation (snake_case) as the caller calls it.
    fn method<'a>(&self, operation: &'a str) -> Cow<'a, str> {
        Cow::Borrowed(operation)
    }

    /// Setting `option` to `value` (both written as Rust writes them): `verify_challenge(false)`.
    fn setting(&self, option: &str, value: &str) -> String {
        format!("{option}({value})")
    }
}

struct Rust;

impl Dialect for Rust {
    fn name(&self) -> &'static str {
        "rust"
    }
}

/// The language a user wrote their options in ([`Language::RUST`] unless a binding says
/// otherwise). Values reach the core in its own units (seconds); this decides how an error
/// names an option and shows its value, so that it reads as the user wrote it, and the
/// default `User-Agent`.
#[derive(Clone, Copy)]
pub struct Language(&'static dyn Dialect);

impl Language {
    /// Rust's names: `max_retries`, `timeout` in seconds, `alura-rust/<version>`.
    pub const RUST: Language = Language(&Rust);

    /// The language `dialect` describes.
    pub const fn new(dialect: &'static dyn Dialect) -> Self {
        Self(dialect)
    }

    /// `option` (as the core spells it) as this language's users spell it.
    pub fn name(self, option: &str) -> Cow<'_, str> {
        self.0.option(option)
    }

    /// How many of this language's time units make a second.
    pub fn per_second(self) -> f64 {
        self.0.units_per_second()
    }

    /// An operation's input (a wire name) as this language's users write it.
    pub fn argument(self, wire: &str) -> Cow<'_, str> {
        self.0.argument(wire)
    }

    /// An operation as this language's users call it.
    pub fn method(self, operation: &str) -> Cow<'_, str> {
        self.0.method(operation)
    }

    /// Setting `option` to `value` (written in Rust) as this language's users write it.
    pub fn setting(self, option: &str, value: &str) -> String {
        self.0.setting(option, value)
    }

    /// The `User-Agent` of a client that does not set one.
    pub fn user_agent(self) -> String {
        format!("alura-{}/{}", self.0.name(), env!("CARGO_PKG_VERSION"))
    }
}

impl Default for Language {
    fn default() -> Self {
        Self::RUST
    }
}

impl PartialEq for Language {
    fn eq(&self, other: &Self) -> bool {
        self.0.name() == other.0.name()
    }
}

impl Eq for Language {}

impl fmt::Debug for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.name())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A caller who writes everything in capitals and times in minutes: the core must use
    /// its words, whatever they are.
    pub(crate) struct Shouting;

    impl Dialect for Shouting {
        fn name(&self) -> &'static str {
            "shouting"
        }
        fn option<'a>(&self, option: &'a str) -> Cow<'a, str> {
            let upper = option.to_uppercase();
            let time =
                crate::options::find(option).is_some_and(|o| o.kind == crate::options::OptionKind::Seconds);
            Cow::Owned(if time { format!("{upper}_MINUTES") } else { upper })
        }
        fn units_per_second(&self) -> f64 {
            1.0 / 60.0
        }
        fn argument<'a>(&self, wire: &'a str) -> Cow<'a, str> {
            Cow::Owned(wire.to_uppercase())
        }
        fn method<'a>(&self, operation: &'a str) -> Cow<'a, str> {
            Cow::Owned(operation.to_uppercase())
        }
        fn setting(&self, option: &str, value: &str) -> String {
            format!("{} = {}", self.option(option), value.to_uppercase())
        }
    }

    pub(crate) const SHOUTING: Language = Language::new(&Shouting);

    #[test]
    fn rust_is_the_default_and_a_dialect_names_everything() {
        assert_eq!(Language::default().name("retry_deadline"), "retry_deadline");
        assert_eq!(Language::default().setting("strict", "true"), "strict(true)");
        assert!(Language::default().user_agent().starts_with("alura-rust/"));
        assert_eq!(SHOUTING.name("retry_deadline"), "RETRY_DEADLINE_MINUTES");
        assert_eq!(SHOUTING.name("max_retries"), "MAX_RETRIES");
        assert_eq!(SHOUTING.method("get_candles"), "GET_CANDLES");
        assert!(SHOUTING.user_agent().starts_with("alura-shouting/"));
        assert_ne!(SHOUTING, Language::RUST);
    }
}
