//! Every client setting as data: what a binding's keyword arguments or options object and a
//! config file become. The struct is generated from the option list (`list.rs`) into
//! `src/generated/client_options.rs`; its checks are the builder's (`ClientOptions::into_builder`).

use std::path::PathBuf;

use serde::Deserialize;

/// Where tokens are kept between runs.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum TokenCacheOption {
    /// `true`: the user's cache directory ([`crate::default_token_cache_path`]); `false`: none.
    Default(bool),
    /// This file.
    Path(PathBuf),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ClientOptions;
    use crate::Error;
    use crate::language::tests::SHOUTING;
    use crate::options::{CLIENT_OPTIONS, OptionKind, OptionValue};

    #[test]
    fn debug_never_shows_a_key_a_token_or_a_header_value() {
        let options = ClientOptions {
            private_key: Some("0xsecretkey".into()),
            token: Some("secret-token".into()),
            default_headers: [("X-Api-Key".to_owned(), "secret-header".to_owned())].into(),
            ..Default::default()
        };
        let text = format!("{options:?}");
        assert!(text.contains("X-Api-Key") && text.contains("***"), "{text}");
        for secret in ["secretkey", "secret-token", "secret-header"] {
            assert!(!text.contains(secret), "{text}");
        }
    }

    #[test]
    fn deserialises_with_the_defaults_and_refuses_unknown_fields() {
        let o: ClientOptions =
            serde_json::from_str(r#"{"timeout": 2.5, "token_cache": "/tmp/t.json"}"#).unwrap();
        assert_eq!(o.timeout, Some(2.5));
        assert_eq!(o.token_cache, Some(TokenCacheOption::Path("/tmp/t.json".into())));
        assert!(o.verify_challenge && o.from_env && !o.strict);
        let o: ClientOptions = serde_json::from_str(r#"{"token_cache": true}"#).unwrap();
        assert_eq!(o.token_cache, Some(TokenCacheOption::Default(true)));
        assert!(serde_json::from_str::<ClientOptions>(r#"{"max_retires": 1}"#).is_err());
    }

    #[test]
    fn bad_values_are_refused_in_the_users_words() {
        let shouted = |o: ClientOptions| ClientOptions { language: SHOUTING, from_env: false, ..o };
        let cases = [
            (
                shouted(ClientOptions { max_retries: Some(-1.0), ..Default::default() }),
                "MAX_RETRIES must be a whole number",
            ),
            (
                shouted(ClientOptions { timeout: Some(-120.0), ..Default::default() }),
                "TIMEOUT_MINUTES must be a positive number up to 1440, not -2",
            ),
            (
                shouted(ClientOptions { max_response_bytes: Some(10.0), ..Default::default() }),
                "MAX_RESPONSE_BYTES must be",
            ),
            (
                shouted(ClientOptions { retry_base_delay: Some(-1.0), ..Default::default() }),
                "RETRY_BASE_DELAY_MINUTES must be",
            ),
            (
                ClientOptions { max_retries: Some(2.5), ..Default::default() },
                "max_retries must be a whole number",
            ),
            (
                ClientOptions { retry_deadline: Some(0.0), ..Default::default() },
                "retry_deadline must be a positive",
            ),
        ];
        for (options, words) in cases {
            let err = options.into_builder().unwrap_err();
            assert!(matches!(err, Error::InvalidInput { .. }) && err.to_string().contains(words), "{err}");
        }
    }

    #[test]
    fn every_option_in_the_list_can_be_set_by_name_and_nothing_else() {
        let mut o = ClientOptions::default();
        for option in CLIENT_OPTIONS {
            let value = match option.kind {
                OptionKind::Url => OptionValue::Text("https://api.example".into()),
                OptionKind::Text | OptionKind::Secret => OptionValue::Text("x".into()),
                OptionKind::Seconds | OptionKind::Count => OptionValue::Number(3.0),
                OptionKind::Flag(on) => OptionValue::Flag(!on),
                OptionKind::Texts => OptionValue::Texts(vec!["a.example".into()]),
                OptionKind::Headers => OptionValue::Headers([("X-A".to_owned(), "1".to_owned())].into()),
                OptionKind::TokenCache => OptionValue::TokenCache(TokenCacheOption::Default(true)),
            };
            o.set(option.name, value).unwrap_or_else(|e| panic!("{}: {e}", option.name));
            assert!(
                o.set(option.name, OptionValue::Texts(vec![])).is_err() || option.kind == OptionKind::Texts
            );
        }
        assert_eq!((o.timeout, o.strict, o.from_env), (Some(3.0), true, false));
        let err = o.set("max_retires", OptionValue::Number(1.0)).unwrap_err().to_string();
        assert!(err.contains("max_retires is not an option"), "{err}");
        let secret = o.set("token", OptionValue::Number(1.0)).unwrap_err().to_string();
        assert!(!secret.contains("x\""), "{secret}");
    }
}
