//! Errors in the caller's words. The JSON call path checks arguments with serde and the spec's
//! constraints, whose messages speak Rust (`expected i64`, `a nonzero u64`) and the wire
//! (`assetIndex`). A binding's user may have written `asset_index=`, and knows integers, not
//! `i64`: this rewrites a refused argument's message in the caller's [`Language`], and names
//! the operation as the user called it.

use std::borrow::Cow;

use crate::errors::Error;
use crate::language::Language;

/// `error` as the caller of `operation` in `language` would put it; only refused input
/// ([`Error::InvalidInput`]) is rewritten.
pub(crate) fn in_users_words(error: Error, operation: &str, language: Language) -> Error {
    let Error::InvalidInput { message } = error else {
        return error.with_call(|call| {
            if let Some(op) = &mut call.operation {
                *op = method_name(op, language).into_owned();
            }
        });
    };
    let method = method_name(operation, language);
    let mut message = plain_types(&message);
    for field in alura_api::find(operation).into_iter().flat_map(|op| op.fields) {
        if let Cow::Owned(name) = language.argument(field.name) {
            message = replace_word(&message, field.name, &name);
        }
    }
    let named = format!("{method}()");
    let message = if message.starts_with(&named) { message } else { format!("{named}: {message}") };
    Error::InvalidInput { message }
}

/// An operation's method, as the language calls it.
pub(crate) fn method_name(operation: &str, language: Language) -> Cow<'_, str> {
    language.method(operation)
}

/// `word` replaced where it stands alone (not inside `profitTargets` or `"x_assetIndex"`).
fn replace_word(text: &str, word: &str, with: &str) -> String {
    let is_part = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(word) {
        let (before, after) = (&rest[..at], &rest[at..][word.len()..]);
        let alone = !before.ends_with(is_part) && !after.starts_with(is_part);
        out.push_str(before);
        out.push_str(if alone { with } else { word });
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Rust's and serde's names for types, as a user of any language knows them.
const TYPES: [(&str, &str); 12] = [
    ("invalid value: integer `0`, expected a nonzero u64", "must be at least 1, not 0"),
    ("a nonzero u64", "an integer of at least 1"),
    ("u64", "a whole number of 0 or more"),
    ("u32", "a whole number of 0 or more"),
    ("usize", "a whole number of 0 or more"),
    ("i64", "an integer"),
    ("i32", "an integer"),
    ("f64", "a number"),
    ("f32", "a number"),
    ("a boolean", "true or false"),
    ("invalid type: ", ""),
    ("invalid value: ", ""),
];

/// `invalid type: string "BTC", expected i64` → `string "BTC", expected an integer`.
fn plain_types(message: &str) -> String {
    let mut out = message.to_owned();
    for (rust, plain) in TYPES {
        if rust.contains(' ') {
            out = out.replace(rust, plain);
        } else {
            out = replace_word(&out, rust, plain);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::language::tests::SHOUTING;

    fn worded(operation: &str, message: &str, language: Language) -> String {
        in_users_words(Error::invalid(message.to_owned()), operation, language).to_string()
    }

    #[test]
    fn arguments_types_and_the_operation_are_named_as_the_user_wrote_them() {
        let shouted = worded(
            "create_trading_session",
            "assetIndex: invalid type: string \"BTC\", expected i64",
            SHOUTING,
        );
        assert_eq!(
            shouted,
            "invalid input: CREATE_TRADING_SESSION(): ASSETINDEX: string \"BTC\", expected an integer"
        );
        let zero = worded(
            "get_candles",
            "limit: invalid value: integer `0`, expected a nonzero u64",
            Language::RUST,
        );
        assert_eq!(zero, "invalid input: get_candles(): limit: must be at least 1, not 0");
    }

    #[test]
    fn only_whole_words_change() {
        assert_eq!(
            replace_word("profitTarget, profitTargets, x_profitTarget", "profitTarget", "profit_target"),
            "profit_target, profitTargets, x_profitTarget"
        );
        assert_eq!(plain_types("u64s and u64"), "u64s and a whole number of 0 or more");
    }
}
