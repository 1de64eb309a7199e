//! What the bindings' error classes need beyond the core's list (`alura::ERROR_KINDS`):
//! `cargo xtask gen` reads this file as written, as it reads the core's. Keep its entries plain
//! literals.

use alura::ErrorKind;

/// Python builtin exceptions a class also extends, so `except TimeoutError` catches it too:
/// (class, builtin).
pub const PYTHON_BASES: &[(&str, &str)] = &[
    ("NetworkError", "ConnectionError"),
    ("TimeoutError", "TimeoutError"),
    ("ValidationError", "ValueError"),
];

/// Classes only Node raises: the core never aborts a call, Node's `AbortSignal` does.
pub const NODE_ONLY_KINDS: &[ErrorKind] = &[ErrorKind {
    name: "AbortError",
    parent: Some("AluraError"),
    code: "ERR_ALURA_ABORTED",
    statuses: None,
    doc: "The caller aborted the call (its `signal`); a POST aborted after sending is an OutcomeUnknownError.",
    fields: &[],
}];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_class_named_here_is_one_of_the_cores_or_new_and_distinct() {
        for (class, _) in PYTHON_BASES {
            assert!(alura::error_kind::find(class).is_some(), "{class} is not in alura::ERROR_KINDS");
        }
        for kind in NODE_ONLY_KINDS {
            assert!(alura::error_kind::find(kind.name).is_none(), "{} is the core's already", kind.name);
            assert!(alura::ERROR_KINDS.iter().all(|k| k.code != kind.code), "{} reuses a code", kind.name);
            assert!(kind.parent.and_then(alura::error_kind::find).is_some(), "{}'s parent", kind.name);
        }
    }
}
