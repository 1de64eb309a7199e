//! The language a user of the SDK writes in, so that the core names options, arguments and
//! methods as that user does. A leaf: options and errors both use it.

use std::borrow::Cow;

/// The language a user wrote their options in. Values reach the core in its own units
/// (seconds); this decides how an error names an option and shows its value, so that it reads
/// as the user wrote it (`maxRetries`, `timeoutMs: -5`), and the default `User-Agent`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Language {
    /// `max_retries`, `timeout` in seconds; `alura-rust/<version>`.
    #[default]
    Rust,
    /// As Rust; `alura-python/<version>`.
    Python,
    /// `maxRetries`, `timeoutMs` in milliseconds; `alura-node/<version>`.
    Node,
}

/// The options given in seconds, which Node takes in milliseconds under a `Ms` name.
pub(crate) const TIMES: [&str; 5] =
    ["timeout", "connect_timeout", "retry_base_delay", "retry_max_delay", "retry_deadline"];

impl Language {
    /// `option` (as the core spells it) as this language's users spell it.
    pub fn name(self, option: &str) -> Cow<'_, str> {
        match self {
            Language::Rust | Language::Python => Cow::Borrowed(option),
            Language::Node => {
                let mut words = option.split('_');
                let mut out: String = words.next().unwrap_or_default().to_owned();
                for word in words {
                    let mut chars = word.chars();
                    out.extend(chars.next().map(|c| c.to_ascii_uppercase()));
                    out.push_str(chars.as_str());
                }
                if TIMES.contains(&option) {
                    out.push_str("Ms");
                }
                Cow::Owned(out)
            }
        }
    }

    /// An operation's input (a wire name, camelCase for body fields) as this language's users
    /// write it: Rust's `Client::call` and Node take the wire's names, Python snake_case keywords.
    pub fn argument(self, wire: &str) -> Cow<'_, str> {
        match self {
            Language::Python if wire.chars().any(|c| c.is_ascii_uppercase()) => {
                let mut out = String::with_capacity(wire.len() + 4);
                for c in wire.chars() {
                    if c.is_ascii_uppercase() {
                        out.push('_');
                    }
                    out.push(c.to_ascii_lowercase());
                }
                Cow::Owned(out)
            }
            _ => Cow::Borrowed(wire),
        }
    }

    /// Setting `option` to `value` (written in Rust) as this language's users write it:
    /// `verify_challenge(false)`, `verify_challenge=False`, `verifyChallenge: false`.
    pub fn setting(self, option: &str, value: &str) -> String {
        match self {
            Language::Rust => format!("{option}({value})"),
            Language::Python => {
                let value = match value {
                    "true" => "True",
                    "false" => "False",
                    other => other,
                };
                format!("{option}={value}")
            }
            Language::Node => format!("{}: {value}", self.name(option)),
        }
    }

    /// The `User-Agent` of a client that does not set one.
    pub fn user_agent(self) -> String {
        let language = match self {
            Language::Rust => "rust",
            Language::Python => "python",
            Language::Node => "node",
        };
        format!("alura-{language}/{}", env!("CARGO_PKG_VERSION"))
    }
}
