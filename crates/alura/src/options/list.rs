//! Every client option, once, as data: `cargo xtask gen` reads [`CLIENT_OPTIONS`] as written and
//! renders from it the core's [`crate::ClientOptions`] (`src/generated/client_options.rs`),
//! each binding's keyword arguments or options type, their checks, and `docs/options.md`.
//! The bindings convert a user's options into the core's by walking this list. Keep its entries
//! plain literals.
//!
//! Adding an option: one entry here, what it does in `ClientOptions::into_builder`
//! (`src/client.rs`), then `cargo xtask gen`.

/// One client option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientOption {
    /// snake_case, as Rust writes it (a binding names it in its own way, see
    /// [`crate::Dialect`]).
    pub name: &'static str,
    /// What it holds.
    pub kind: OptionKind,
    /// What a client that leaves it out gets, as the docs say it (in seconds for a time).
    pub default: &'static str,
    /// What it does: the first line of its docs in every language.
    pub doc: &'static str,
    /// Whether the bindings take it: some are for Rust programs and config files only.
    pub in_bindings: bool,
}

/// What an option holds, which decides its type in every language and how it is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionKind {
    /// A URL, shown without any user or password in it.
    Url,
    /// Text.
    Text,
    /// Text that is a secret: readable, never shown.
    Secret,
    /// A time, in seconds (milliseconds where a language says so).
    Seconds,
    /// A whole number.
    Count,
    /// On or off, and what it is when left out.
    Flag(bool),
    /// A list of texts.
    Texts,
    /// Header names to values (values shown as `***`: a key may ride in one).
    Headers,
    /// `true` for the user's cache directory, `false` for none, or a file's path.
    TokenCache,
}

/// One option's value as a binding hands it over, of the option's [`OptionKind`]
/// ([`crate::ClientOptions::set`]).
#[derive(Clone, PartialEq)]
pub enum OptionValue {
    /// For [`OptionKind::Url`], [`OptionKind::Text`] and [`OptionKind::Secret`].
    Text(String),
    /// For [`OptionKind::Seconds`] and [`OptionKind::Count`]: any double, checked by the core.
    Number(f64),
    /// For [`OptionKind::Flag`].
    Flag(bool),
    /// For [`OptionKind::Texts`].
    Texts(Vec<String>),
    /// For [`OptionKind::Headers`].
    Headers(std::collections::BTreeMap<String, String>),
    /// For [`OptionKind::TokenCache`].
    TokenCache(crate::options::TokenCacheOption),
}

/// Only the variant: a text may be a key or a token.
impl std::fmt::Debug for OptionValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            OptionValue::Text(_) => "Text(..)",
            OptionValue::Number(_) => "Number(..)",
            OptionValue::Flag(_) => "Flag(..)",
            OptionValue::Texts(_) => "Texts(..)",
            OptionValue::Headers(_) => "Headers(..)",
            OptionValue::TokenCache(_) => "TokenCache(..)",
        })
    }
}

/// Every client option, in the order the docs list them.
pub const CLIENT_OPTIONS: &[ClientOption] = &[
    ClientOption {
        name: "base_url",
        kind: OptionKind::Url,
        default: "the testnet, or ALURA_BASE_URL",
        doc: "The API's base URL.",
        in_bindings: true,
    },
    ClientOption {
        name: "private_key",
        kind: OptionKind::Secret,
        default: "ALURA_PRIVATE_KEY",
        doc: "A wallet key to log in with: 64 hex digits, with or without 0x.",
        in_bindings: true,
    },
    ClientOption {
        name: "token",
        kind: OptionKind::Secret,
        default: "ALURA_TOKEN",
        doc: "A bearer token to use as it is.",
        in_bindings: true,
    },
    ClientOption {
        name: "timeout",
        kind: OptionKind::Seconds,
        default: "30",
        doc: "The time one attempt may take.",
        in_bindings: true,
    },
    ClientOption {
        name: "max_retries",
        kind: OptionKind::Count,
        default: "2",
        doc: "Attempts after the first.",
        in_bindings: true,
    },
    ClientOption {
        name: "connect_timeout",
        kind: OptionKind::Seconds,
        default: "10",
        doc: "The time a connection may take to establish.",
        in_bindings: true,
    },
    ClientOption {
        name: "retry_base_delay",
        kind: OptionKind::Seconds,
        default: "0.5",
        doc: "The backoff before retry n is random, up to this times 2^n.",
        in_bindings: true,
    },
    ClientOption {
        name: "retry_max_delay",
        kind: OptionKind::Seconds,
        default: "8",
        doc: "The longest backoff between two attempts.",
        in_bindings: true,
    },
    ClientOption {
        name: "retry_deadline",
        kind: OptionKind::Seconds,
        default: "120",
        doc: "The time one call may take, all attempts and waits included.",
        in_bindings: true,
    },
    ClientOption {
        name: "referral_code",
        kind: OptionKind::Text,
        default: "none",
        doc: "The referral code sent with a first login.",
        in_bindings: true,
    },
    ClientOption {
        name: "user_agent",
        kind: OptionKind::Text,
        default: "alura-<language>/<version>",
        doc: "The User-Agent header.",
        in_bindings: true,
    },
    ClientOption {
        name: "default_headers",
        kind: OptionKind::Headers,
        default: "none",
        doc: "Headers sent with every call (not Authorization, Host or X-Request-Id, which the SDK sets).",
        in_bindings: true,
    },
    ClientOption {
        name: "allow_insecure_http",
        kind: OptionKind::Flag(false),
        default: "false",
        doc: "Allows plain http:// to hosts other than loopback.",
        in_bindings: true,
    },
    ClientOption {
        name: "strict",
        kind: OptionKind::Flag(false),
        default: "false",
        doc: "An answer that does not fit the spec fails the call (a DecodeError) instead of being logged once as a warning.",
        in_bindings: true,
    },
    ClientOption {
        name: "max_rate",
        kind: OptionKind::Text,
        default: "none",
        doc: "A ceiling of your own under the server's rate limit: at most this many requests per window from this process to this API, written `10/s`, `100/5s` or `1000/10m`. Calls wait their turn.",
        in_bindings: true,
    },
    ClientOption {
        name: "max_response_bytes",
        kind: OptionKind::Count,
        default: "67108864 (64 MiB)",
        doc: "The largest response body read, in bytes.",
        in_bindings: true,
    },
    ClientOption {
        name: "verify_challenge",
        kind: OptionKind::Flag(true),
        default: "true",
        doc: "Refuse a login challenge that is not about this login: it must name our address and its nonce, and a Sign-In with Ethereum message must be for this API's site (its registrable domain by the Public Suffix List; IPs and localhost exactly).",
        in_bindings: true,
    },
    ClientOption {
        name: "trusted_domains",
        kind: OptionKind::Texts,
        default: "none",
        doc: "Further hosts (host or host:port) a sign-in message may name.",
        in_bindings: true,
    },
    ClientOption {
        name: "token_cache",
        kind: OptionKind::TokenCache,
        default: "none",
        doc: "Keeps tokens between runs: true for the user's cache directory, or a file's path.",
        in_bindings: true,
    },
    ClientOption {
        name: "from_env",
        kind: OptionKind::Flag(true),
        default: "true",
        doc: "Fills the base URL, key and token left out from ALURA_BASE_URL, ALURA_PRIVATE_KEY and ALURA_TOKEN.",
        in_bindings: false,
    },
];

/// The option called `name`, if there is one.
pub fn find(name: &str) -> Option<&'static ClientOption> {
    CLIENT_OPTIONS.iter().find(|o| o.name == name)
}
