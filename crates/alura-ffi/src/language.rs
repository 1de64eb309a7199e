//! How Python's and Node's users name what the core names in Rust, so an error says
//! `asset_index=` to one and `assetIndex:` to the other, and `timeoutMs` where Node takes
//! milliseconds.

use std::borrow::Cow;

use alura::{Dialect, Language};

/// Python: keyword arguments in snake_case, times in seconds, `True`/`False`.
pub const PYTHON: Language = Language::new(&Python);

/// Node: camelCase everywhere, times in milliseconds under an `Ms` name.
pub const NODE: Language = Language::new(&Node);

struct Python;

impl Dialect for Python {
    fn name(&self) -> &'static str {
        "python"
    }

    /// Body fields come camelCase off the wire (`profitTarget`); Python takes `profit_target=`.
    fn argument<'a>(&self, wire: &'a str) -> Cow<'a, str> {
        if !wire.chars().any(|c| c.is_ascii_uppercase()) {
            return Cow::Borrowed(wire);
        }
        let mut out = String::with_capacity(wire.len() + 4);
        for c in wire.chars() {
            if c.is_ascii_uppercase() {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        }
        Cow::Owned(out)
    }

    fn setting(&self, option: &str, value: &str) -> String {
        let value = match value {
            "true" => "True",
            "false" => "False",
            other => other,
        };
        format!("{option}={value}")
    }
}

struct Node;

impl Dialect for Node {
    fn name(&self) -> &'static str {
        "node"
    }

    /// camelCase; a time is in milliseconds, and says so: `timeoutMs`.
    fn option<'a>(&self, option: &'a str) -> Cow<'a, str> {
        let mut out = camel(option);
        if alura::options::find(option).is_some_and(|o| o.kind == alura::options::OptionKind::Seconds) {
            out.push_str("Ms");
        }
        Cow::Owned(out)
    }

    fn units_per_second(&self) -> f64 {
        1000.0
    }

    fn method<'a>(&self, operation: &'a str) -> Cow<'a, str> {
        Cow::Owned(camel(operation))
    }

    fn setting(&self, option: &str, value: &str) -> String {
        format!("{}: {value}", NODE.name(option))
    }
}

/// `snake_case` as `camelCase`: the one conversion the bindings use.
pub fn camel(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        match c {
            '_' => upper = true,
            c if upper => {
                out.push(c.to_ascii_uppercase());
                upper = false;
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use alura::{CallOptions, ClientOptions, Error, RequestOptions};

    use super::*;

    #[test]
    fn each_language_names_options_and_shows_values_its_own_way() {
        assert_eq!(NODE.name("max_response_bytes"), "maxResponseBytes");
        assert_eq!(NODE.name("retry_deadline"), "retryDeadlineMs");
        assert_eq!(PYTHON.name("retry_deadline"), "retry_deadline");
        let err = NODE.timeout("timeout", -0.005).unwrap_err().to_string();
        assert!(err.contains("timeoutMs must be a positive number up to 86400000, not -5"), "{err}");
        let err = PYTHON.timeout("timeout", -5.0).unwrap_err().to_string();
        assert!(err.contains("timeout must be a positive number up to 86400, not -5"), "{err}");
        assert_eq!(NODE.timeout("timeout", 1.5).unwrap(), Duration::from_millis(1500));
        assert!(NODE.user_agent().starts_with("alura-node/"));
        assert!(PYTHON.user_agent().starts_with("alura-python/"));
        assert_eq!(PYTHON.setting("verify_challenge", "false"), "verify_challenge=False");
        assert_eq!(NODE.setting("verify_challenge", "false"), "verifyChallenge: false");
        assert_eq!(PYTHON.argument("assetIndex"), "asset_index");
        assert_eq!(NODE.method("create_trading_session"), "createTradingSession");
    }

    #[test]
    fn request_options_are_refused_in_the_users_words() {
        let bad = RequestOptions { max_retries: Some(-1.0), language: NODE, ..Default::default() };
        let err = CallOptions::try_from(bad.clone()).unwrap_err().to_string();
        assert!(err.contains("maxRetries must be a whole number"), "{err}");
        let err = CallOptions::try_from(RequestOptions { language: PYTHON, ..bad }).unwrap_err();
        assert!(err.to_string().contains("max_retries must be a whole number"), "{err}");
    }

    #[test]
    fn bad_client_options_are_refused_in_the_users_words() {
        let node = |o: ClientOptions| ClientOptions { language: NODE, from_env: false, ..o };
        let cases = [
            (
                node(ClientOptions { max_retries: Some(-1.0), ..Default::default() }),
                "maxRetries must be a whole number",
            ),
            (
                node(ClientOptions { timeout: Some(-0.005), ..Default::default() }),
                "timeoutMs must be a positive number up to 86400000, not -5",
            ),
            (
                node(ClientOptions { max_response_bytes: Some(10.0), ..Default::default() }),
                "maxResponseBytes must be",
            ),
            (
                node(ClientOptions { retry_base_delay: Some(-1.0), ..Default::default() }),
                "retryBaseDelayMs must be",
            ),
            (
                node(ClientOptions { user_agent: Some("bot\r\nX-Evil: 1".into()), ..Default::default() }),
                "userAgent has characters a header cannot carry",
            ),
        ];
        for (options, words) in cases {
            let err = options.into_builder().unwrap_err();
            assert!(matches!(err, Error::InvalidInput { .. }) && err.to_string().contains(words), "{err}");
        }
        let python = ClientOptions {
            base_url: Some("http://api.example".into()),
            language: PYTHON,
            from_env: false,
            ..Default::default()
        };
        let err = python.into_builder().unwrap().build().unwrap_err().to_string();
        assert!(err.ends_with("or set allow_insecure_http"), "{err}");
    }

    #[tokio::test]
    async fn a_refused_argument_is_named_as_the_user_wrote_it() {
        let refused = |language: Language| async move {
            let client = ClientOptions { language, from_env: false, ..Default::default() }
                .into_builder()
                .unwrap()
                .base_url("http://127.0.0.1:9")
                .build()
                .unwrap();
            let args = serde_json::json!({"budget": 100, "profitTarget": 40, "maxPositions": "many"});
            let serde_json::Value::Object(args) = args else { unreachable!() };
            client.call("create_trading_session", args).await.unwrap_err().to_string()
        };
        let python = refused(PYTHON).await;
        assert!(
            python.contains("create_trading_session(): max_positions: string \"many\", expected an integer"),
            "{python}"
        );
        let node = refused(NODE).await;
        assert!(
            node.contains("createTradingSession(): maxPositions: string \"many\", expected an integer"),
            "{node}"
        );
    }
}
