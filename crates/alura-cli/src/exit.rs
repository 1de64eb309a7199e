//! Exit codes by error class: each class of `alura::ERROR_KINDS` has one, listed in `--help`,
//! so a script can tell a refused order from a network fault without reading the text.

/// An error class, what the code means, and the code. A class not listed takes its parent's.
pub const CODES: &[(&str, u8, &str)] = &[
    ("AluraError", 1, "any other failure"),
    ("ValidationError", 3, "bad input: an argument, a key, a value refused before sending"),
    ("APIError", 4, "the server answered with an error status"),
    ("BadRequestError", 4, "the server refused the arguments (400)"),
    ("AuthenticationError", 5, "not logged in, or the login failed"),
    ("PermissionDeniedError", 5, "not allowed (403)"),
    ("NotFoundError", 6, "no such thing (404)"),
    ("ConflictError", 4, "conflicts with the server's state (409)"),
    ("RateLimitError", 7, "rate limited (429), and the wait would pass the deadline"),
    ("InternalServerError", 8, "the server failed (5xx)"),
    ("NetworkError", 9, "the server could not be reached"),
    ("TimeoutError", 9, "no answer in time"),
    ("OutcomeUnknownError", 10, "an order may or may not have been acted on: check before resending"),
    ("DecodeError", 11, "the answer could not be read"),
    ("InternalError", 12, "a bug in the SDK"),
];

/// Usage errors (a missing argument, an unknown command), as clap reports them.
pub const USAGE: u8 = 2;
/// An order not confirmed.
pub const DECLINED: u8 = 13;
/// The terminal, a file or a port failed (a port taken by another program).
pub const IO: u8 = 14;
/// Ctrl-C at a prompt (128 + SIGINT, as a shell reports it).
pub const INTERRUPTED: u8 = 130;
/// A bug in the CLI itself (a panic), as `InternalError`.
pub const BUG: u8 = 12;

/// Error classes a later try cannot mend (a bad symbol, a refused login): they end a watch.
const NOT_MENDED_BY_WAITING: [&str; 5] =
    ["ValidationError", "BadRequestError", "AuthenticationError", "PermissionDeniedError", "NotFoundError"];

/// Whether `error`, or the class it belongs to, is one a later try cannot mend.
pub fn not_mended_by_waiting(error: &alura::Error) -> bool {
    lineage(error).any(|kind| NOT_MENDED_BY_WAITING.contains(&kind))
}

/// An error's class, then the classes it belongs to, up to `AluraError`.
fn lineage(error: &alura::Error) -> impl Iterator<Item = &'static str> {
    std::iter::successors(Some(error.kind()), |name| {
        alura::ERROR_KINDS.iter().find(|k| k.name == *name).and_then(|k| k.parent)
    })
}

/// The exit code of an error.
pub fn code(error: &alura::Error) -> u8 {
    lineage(error)
        .find_map(|kind| CODES.iter().find(|(k, _, _)| *k == kind).map(|(_, code, _)| *code))
        .unwrap_or(1)
}

/// The list for `--help`.
pub fn help() -> String {
    let mut text = String::from("Exit codes:\n  0   done\n");
    text.push_str(&format!("  {USAGE}   usage: a missing or unknown argument\n"));
    for (kind, code, meaning) in CODES {
        text.push_str(&format!("  {code:<3} {kind}: {meaning}\n"));
    }
    text.push_str(&format!("  {DECLINED}  an order not confirmed\n"));
    text.push_str(&format!("  {IO}  the terminal, a file or a port failed\n"));
    text.push_str(&format!("  {INTERRUPTED} Ctrl-C at a prompt\n"));
    text
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_error_class_has_an_exit_code() {
        for kind in alura::ERROR_KINDS {
            assert!(super::CODES.iter().any(|(k, _, _)| *k == kind.name), "{} has no exit code", kind.name);
        }
    }
}
