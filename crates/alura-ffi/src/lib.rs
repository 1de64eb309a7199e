//! What the Python and Node bindings share, so that `alura` stays what a Rust user needs:
//!
//! - [`language`]: how Python and Node name options, arguments and methods, which the core's
//!   errors use ([`alura::Dialect`]);
//! - [`event_loop`]: a current-thread runtime that a language's own event loop runs;
//! - [`errors`]: what the error classes need beyond the core's list (Python's builtin bases, the
//!   classes only Node raises), read by `cargo xtask gen` as the core's list is;
//! - [`watch`]: watch streams' events as one JSON shape, and the simulator's clock for tests.
//!
//! The JSON call the bindings make (`alura::Client::call`) stays in the core: it holds nothing
//! of any language, and a Rust program calling operations by name (the CLI) uses it too.

pub mod errors;
pub mod event_loop;
pub mod language;
pub mod watch;

pub use language::{NODE, PYTHON};

#[cfg(test)]
mod tests {
    use std::path::Path;

    const WORDS: [&str; 8] = ["python", "node", "napi", "pyo3", "javascript", "js", "asyncio", "libuv"];

    fn speaks_of_a_binding(line: &str) -> bool {
        line.split(|c: char| !c.is_ascii_alphanumeric())
            .any(|word| WORDS.contains(&word.to_lowercase().as_str()))
    }

    fn visit(path: &Path, found: &mut Vec<String>) {
        if path.is_dir() {
            for entry in std::fs::read_dir(path).unwrap() {
                visit(&entry.unwrap().path(), found);
            }
        } else if let Ok(text) = std::fs::read_to_string(path) {
            let lines = text.lines().enumerate().filter(|(_, line)| speaks_of_a_binding(line));
            found.extend(lines.map(|(n, line)| format!("{}:{}: {line}", path.display(), n + 1)));
        }
    }

    /// `alura` is the Rust user's crate: no word of another language in its code, tests, docs
    /// or manifest.
    #[test]
    fn the_core_knows_no_binding_language() {
        assert!(
            speaks_of_a_binding("the Node binding's") && !speaks_of_a_binding("openapi, -nodes, nodelay")
        );
        let mut found = Vec::new();
        visit(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../alura"), &mut found);
        assert!(found.is_empty(), "crates/alura speaks of a binding:\n{}", found.join("\n"));
    }
}
