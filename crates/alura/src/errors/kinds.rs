//! Every class of error the SDK raises, in every language: the one list each binding's
//! exception classes (and `docs/errors.md`) are generated from by `cargo xtask gen`, which
//! reads this file's [`ERROR_KINDS`] as written. Keep its entries plain literals. What only a
//! binding raises or needs (its language's base classes) is in `alura-ffi`'s `errors.rs`.

/// One error class: its name in every language, where it sits, and what it carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorKind {
    /// The class name, e.g. `BadRequestError`.
    pub name: &'static str,
    /// The class it extends; `None` for the root.
    pub parent: Option<&'static str>,
    /// A stable code for the class (`ERR_ALURA_...`), the same across versions.
    pub code: &'static str,
    /// The HTTP statuses (inclusive) of an [`crate::Error::Api`] this class stands for.
    pub statuses: Option<(u16, u16)>,
    /// What it means: the first line of its docs in every language.
    pub doc: &'static str,
    /// What it carries, beyond what its parent does.
    pub fields: &'static [ErrorField],
}

/// A value an error carries, named in snake_case (a binding may spell it its own way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorField {
    /// snake_case, e.g. `retry_after`.
    pub name: &'static str,
    /// Its type, named by each language.
    pub ty: FieldType,
    /// May hold a secret (a token in a body, a cookie in headers): readable, never printed.
    pub private: bool,
    /// What it holds, as its docs say in every language.
    pub doc: &'static str,
}

/// The type of an [`ErrorField`], which each language names its own way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// An HTTP status, maybe absent.
    Status,
    /// Text, maybe absent.
    Text,
    /// A list of texts, empty when absent.
    Texts,
    /// Seconds, maybe absent.
    Seconds,
    /// Any JSON value, maybe absent.
    Json,
    /// Header names to values, empty when absent.
    Headers,
    /// Yes or no.
    Flag,
}

const CALL: &[ErrorField] = &[
    ErrorField {
        name: "request_id",
        ty: FieldType::Text,
        private: false,
        doc: "The `X-Request-Id` this client sent, the same on every attempt of the call.",
    },
    ErrorField {
        name: "server_request_id",
        ty: FieldType::Text,
        private: false,
        doc: "The server's own request id, when it sent one.",
    },
    ErrorField {
        name: "idempotency_key",
        ty: FieldType::Text,
        private: false,
        doc: "The `Idempotency-Key` of a POST: reuse it to reconcile an unknown outcome.",
    },
    ErrorField {
        name: "headers",
        ty: FieldType::Headers,
        private: true,
        doc: "The answer's headers, when there was an answer.",
    },
    ErrorField {
        name: "raw_body",
        ty: FieldType::Text,
        private: true,
        doc: "The whole body of the answer, when there was one, as text: `messages` and `body` keep a bounded part of it.",
    },
];

const API: &[ErrorField] = &[
    ErrorField { name: "status", ty: FieldType::Status, private: false, doc: "The HTTP status." },
    ErrorField {
        name: "messages",
        ty: FieldType::Texts,
        private: false,
        doc: "The body's `message`, always as a list (NestJS sends one string or one per rule).",
    },
    ErrorField {
        name: "body",
        ty: FieldType::Json,
        private: true,
        doc: "The error body: JSON when it was JSON (up to 64 KiB), else the start of its text (4 KiB); `raw_body` has all of it.",
    },
];

/// Every error class, parents before children.
pub const ERROR_KINDS: &[ErrorKind] = &[
    ErrorKind {
        name: "AluraError",
        parent: None,
        code: "ERR_ALURA",
        statuses: None,
        doc: "Base of every error the SDK raises; errors of a call say which call it was.",
        fields: CALL,
    },
    ErrorKind {
        name: "APIError",
        parent: Some("AluraError"),
        code: "ERR_ALURA_API",
        statuses: None,
        doc: "The server answered with an error status (or a redirect, which the SDK never follows).",
        fields: API,
    },
    ErrorKind {
        name: "BadRequestError",
        parent: Some("APIError"),
        code: "ERR_ALURA_BAD_REQUEST",
        statuses: Some((400, 400)),
        doc: "400: the server refused the arguments (see `messages`).",
        fields: &[],
    },
    ErrorKind {
        name: "AuthenticationError",
        parent: Some("APIError"),
        code: "ERR_ALURA_AUTHENTICATION",
        statuses: None,
        doc: "Not logged in, or the login failed: no credentials, a refused key, an expired token.",
        fields: &[],
    },
    ErrorKind {
        name: "PermissionDeniedError",
        parent: Some("APIError"),
        code: "ERR_ALURA_PERMISSION_DENIED",
        statuses: Some((403, 403)),
        doc: "403: the resource belongs to someone else.",
        fields: &[],
    },
    ErrorKind {
        name: "NotFoundError",
        parent: Some("APIError"),
        code: "ERR_ALURA_NOT_FOUND",
        statuses: Some((404, 404)),
        doc: "404: no such resource.",
        fields: &[],
    },
    ErrorKind {
        name: "ConflictError",
        parent: Some("APIError"),
        code: "ERR_ALURA_CONFLICT",
        statuses: Some((409, 409)),
        doc: "409: the resource already exists.",
        fields: &[],
    },
    ErrorKind {
        name: "RateLimitError",
        parent: Some("APIError"),
        code: "ERR_ALURA_RATE_LIMIT",
        statuses: None,
        doc: "429, after retrying as far as the policy allows.",
        fields: &[ErrorField {
            name: "retry_after",
            ty: FieldType::Seconds,
            private: false,
            doc: "Seconds the server asked to wait, if it said.",
        }],
    },
    ErrorKind {
        name: "InternalServerError",
        parent: Some("APIError"),
        code: "ERR_ALURA_INTERNAL_SERVER",
        statuses: Some((500, 599)),
        doc: "5xx from the server, after retrying where that is safe.",
        fields: &[],
    },
    ErrorKind {
        name: "NetworkError",
        parent: Some("AluraError"),
        code: "ERR_ALURA_NETWORK",
        statuses: None,
        doc: "The request could not be sent, or its response could not be read.",
        fields: &[],
    },
    ErrorKind {
        name: "TimeoutError",
        parent: Some("AluraError"),
        code: "ERR_ALURA_TIMEOUT",
        statuses: None,
        doc: "The call ran out of time, across its retries.",
        fields: &[ErrorField {
            name: "elapsed",
            ty: FieldType::Seconds,
            private: false,
            doc: "How long the call ran, in seconds.",
        }],
    },
    ErrorKind {
        name: "OutcomeUnknownError",
        parent: Some("AluraError"),
        code: "ERR_ALURA_OUTCOME_UNKNOWN",
        statuses: None,
        doc: "A POST may or may not have been carried out (timeout, dropped connection, 5xx); it was not sent again, so it ran at most once: check the state before retrying.",
        fields: &[
            ErrorField {
                name: "operation",
                ty: FieldType::Text,
                private: false,
                doc: "The operation id, e.g. `create_trading_session`.",
            },
            ErrorField {
                name: "reason",
                ty: FieldType::Text,
                private: false,
                doc: "Why the outcome is unknown.",
            },
            ErrorField {
                name: "status",
                ty: FieldType::Status,
                private: false,
                doc: "The status, when the server answered 5xx.",
            },
            ErrorField {
                name: "timed_out",
                ty: FieldType::Flag,
                private: false,
                doc: "The call ran out of time after sending, rather than losing its connection or hearing a 5xx.",
            },
        ],
    },
    ErrorKind {
        name: "ValidationError",
        parent: Some("AluraError"),
        code: "ERR_ALURA_VALIDATION",
        statuses: None,
        doc: "The arguments were refused before anything was sent.",
        fields: &[],
    },
    ErrorKind {
        name: "DecodeError",
        parent: Some("AluraError"),
        code: "ERR_ALURA_DECODE",
        statuses: None,
        doc: "The answer is not what the API describes (on a strict client), not JSON where JSON was due, or over the size limit.",
        fields: &[
            ErrorField {
                name: "path",
                ty: FieldType::Text,
                private: false,
                doc: "Where the answer differs from the spec, e.g. `$.data[2].pnl`.",
            },
            ErrorField { name: "body", ty: FieldType::Text, private: true, doc: "The body as it came." },
        ],
    },
    ErrorKind {
        name: "InternalError",
        parent: Some("AluraError"),
        code: "ERR_ALURA_INTERNAL",
        statuses: None,
        doc: "A bug in the SDK (a panic in its Rust core), caught before it could escape; please report it.",
        fields: &[],
    },
];

/// The class of an API error with `status`: the most specific kind whose statuses hold it.
pub(crate) fn for_status(status: u16) -> &'static str {
    ERROR_KINDS
        .iter()
        .find(|k| k.statuses.is_some_and(|(low, high)| (low..=high).contains(&status)))
        .map_or("APIError", |k| k.name)
}

/// The kind called `name`, if there is one.
pub fn find(name: &str) -> Option<&'static ErrorKind> {
    ERROR_KINDS.iter().find(|k| k.name == name)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::errors::{CallInfo, Error};

    /// Every field a kind may carry: its own and its ancestors'.
    fn declared(name: &str) -> Vec<&'static str> {
        let mut names = Vec::new();
        let mut kind = find(name);
        while let Some(k) = kind {
            names.extend(k.fields.iter().map(|f| f.name));
            kind = k.parent.and_then(find);
        }
        names
    }

    #[test]
    fn every_error_names_a_listed_kind_and_only_fields_it_declares() {
        let call = || Box::new(CallInfo { request_id: Some("req_1".into()), ..CallInfo::default() });
        let errors = [
            Error::Api { status: 404, messages: vec!["x".into()], body: None, call: call() },
            Error::Api { status: 418, messages: vec![], body: None, call: call() },
            Error::Api { status: 503, messages: vec![], body: None, call: call() },
            Error::RateLimited { retry_after: Some(Duration::from_secs(2)), messages: vec![], call: call() },
            Error::Auth { message: "no".into(), status: Some(401), call: call() },
            Error::Network { message: "down".into(), source: None, call: call() },
            Error::Timeout { elapsed: Duration::from_secs(1), call: call() },
            Error::OutcomeUnknown {
                operation: "o".into(),
                reason: "r".into(),
                status: None,
                timed_out: false,
                call: call(),
            },
            Error::InvalidInput { message: "bad".into() },
            Error::Decode { message: "m".into(), path: None, body: None, call: call() },
            Error::Internal { message: "bug".into() },
        ];
        for error in &errors {
            let kind = find(error.kind()).unwrap_or_else(|| panic!("{} is not in ERROR_KINDS", error.kind()));
            for (name, _) in error.fields() {
                assert!(
                    declared(kind.name).contains(&name),
                    "{} carries {name}, which it does not declare",
                    kind.name
                );
            }
        }
        assert_eq!(errors[0].kind(), "NotFoundError");
        assert_eq!(errors[1].kind(), "APIError");
        assert_eq!(errors[2].kind(), "InternalServerError");
    }

    #[test]
    fn the_list_is_a_tree_with_unique_names_and_codes() {
        for (i, k) in ERROR_KINDS.iter().enumerate() {
            assert!(
                ERROR_KINDS[..i].iter().all(|o| o.name != k.name && o.code != k.code),
                "{} twice",
                k.name
            );
            if let Some(parent) = k.parent {
                assert!(ERROR_KINDS[..i].iter().any(|o| o.name == parent), "{}'s parent comes later", k.name);
            }
        }
        assert_eq!(ERROR_KINDS.iter().filter(|k| k.parent.is_none()).count(), 1, "one root");
    }
}
