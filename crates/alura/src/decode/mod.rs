//! Answers that do not fit the spec: where they differ, and one warning per difference.
//!
//! The spec's response shapes are guesses except where the contract states them, so a real
//! server may differ. `Client::call` keeps the server's answer whatever it is, checks it against
//! the typed schema, and reports each kind of mismatch once through `tracing` (target
//! `alura::drift`), or fails with [`Error::Decode`] when the client is strict.

// Numbers here come from servers: no arithmetic that can overflow or panic.
#![deny(clippy::arithmetic_side_effects)]

pub(crate) mod observe;

use std::cell::RefCell;
use std::collections::HashSet;
use std::future::Future;
use std::sync::Mutex;

use bytes::Bytes;
use serde::de::DeserializeOwned;

/// A successful answer's body as it came off the wire.
#[derive(Clone)]
pub(crate) struct Captured {
    pub(crate) status: u16,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) body: Bytes,
}

tokio::task_local! {
    /// Set around a call that wants the body it decodes: the generated client consumes the
    /// response, so the transport leaves a copy (a reference count, not the bytes) here.
    static CAPTURE: RefCell<Option<Captured>>;
}

/// Runs `call`, returning its output and the last successful answer the transport read.
pub(crate) async fn capturing<F: Future>(call: F) -> (F::Output, Option<Captured>) {
    CAPTURE
        .scope(RefCell::new(None), async move {
            let out = call.await;
            (out, CAPTURE.with(|c| c.borrow_mut().take()))
        })
        .await
}

/// Runs `call`, returning its output and how many numbers its typed decode took from strings
/// (see `alura_api::tolerant`). Decoding is synchronous, so the count's growth across each
/// poll is this call's own, whichever thread polls it.
pub(crate) async fn counting_tolerated<F: Future>(call: F) -> (F::Output, u64) {
    let mut call = std::pin::pin!(call);
    let mut tolerated = 0u64;
    let out = std::future::poll_fn(|cx| {
        let before = alura_api::tolerant::tolerated();
        let poll = call.as_mut().poll(cx);
        tolerated = tolerated.wrapping_add(alura_api::tolerant::tolerated().wrapping_sub(before));
        poll
    })
    .await;
    (out, tolerated)
}

/// Called by the transport with every successful answer; a no-op outside [`capturing`].
pub(crate) fn record(answer: impl FnOnce() -> Captured) {
    let _ = CAPTURE.try_with(|c| *c.borrow_mut() = Some(answer()));
}

/// Where and how a body fails to decode as `T`: `(".data[2].pnl", "invalid type: ...")`. Text
/// after the JSON value is a mismatch too: no language reads such a body as JSON.
pub(crate) fn mismatch<T: DeserializeOwned>(body: &[u8]) -> Option<(String, String)> {
    let mut de = serde_json::Deserializer::from_slice(body);
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(_) => de.end().err().map(|e| ("$".to_owned(), format!("text after the JSON value: {e}"))),
        Err(e) => {
            let path = e.path().to_string();
            let mut message = e.into_inner().to_string();
            // serde_json appends " at line 1 column 42", which says nothing the path does not.
            if let Some(at) = message.rfind(" at line ") {
                message.truncate(at);
            }
            let path = match path.as_str() {
                "." => "$".to_owned(),
                p if p.starts_with('[') => format!("${p}"),
                p => format!("$.{p}"),
            };
            if sensitive(&path) {
                message = "a value the spec does not allow there (not shown: it may be a secret)".into();
            }
            Some((path, message))
        }
    }
}

/// Whether every language reads `body` as the same JSON: one value and nothing after it,
/// every number a finite double (`1e400` is infinity to one parser and an error to another),
/// nested at most 128 deep (some parsers have no limit, others a small one). A body that is
/// not is [`Error::Decode`](crate::Error::Decode) in every language.
pub(crate) fn readable(body: &[u8]) -> Result<(), serde_json::Error> {
    struct Readable;
    impl<'de> serde::de::Visitor<'de> for Readable {
        type Value = Readable;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("any JSON value")
        }
        fn visit_bool<E>(self, _: bool) -> Result<Readable, E> {
            Ok(Readable)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Readable, E> {
            Ok(Readable)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Readable, E> {
            Ok(Readable)
        }
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Readable, E> {
            if v.is_finite() { Ok(Readable) } else { Err(E::custom("a number too large for a double")) }
        }
        fn visit_str<E>(self, _: &str) -> Result<Readable, E> {
            Ok(Readable)
        }
        fn visit_unit<E>(self) -> Result<Readable, E> {
            Ok(Readable)
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Readable, A::Error> {
            while seq.next_element::<Readable>()?.is_some() {}
            Ok(Readable)
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Readable, A::Error> {
            while map.next_entry::<serde::de::IgnoredAny, Readable>()?.is_some() {}
            Ok(Readable)
        }
    }
    impl<'de> serde::Deserialize<'de> for Readable {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Readable, D::Error> {
            d.deserialize_any(Readable)
        }
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    serde::Deserialize::deserialize(&mut de).map(|_: Readable| ())?;
    de.end()
}

/// The JSON path of the value at `line`/`column` (1-based, as serde_json reports) in `body`,
/// for decode errors where the target type is not at hand.
pub(crate) fn path_at(body: &[u8], line: usize, column: usize) -> Option<String> {
    let offset = offset_of(body, line, column)?;
    enum Frame {
        Object(Option<String>),
        Array(usize),
    }
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    // Whether the string being read is an object key (the next string after `{` or `,` in an
    // object) rather than a value.
    let mut expect_key = false;
    while i < body.len().min(offset) {
        match body[i] {
            b'{' => {
                stack.push(Frame::Object(None));
                expect_key = true;
            }
            b'[' => {
                stack.push(Frame::Array(0));
                expect_key = false;
            }
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Array(n)) => *n = n.saturating_add(1),
                Some(Frame::Object(_)) => expect_key = true,
                None => {}
            },
            b'"' => {
                let start = i.saturating_add(1);
                i = start;
                while i < body.len() && body[i] != b'"' {
                    i = i.saturating_add(if body[i] == b'\\' { 2 } else { 1 });
                }
                if expect_key && let Some(Frame::Object(key)) = stack.last_mut() {
                    *key = Some(String::from_utf8_lossy(&body[start..i.min(body.len())]).into_owned());
                    expect_key = false;
                }
            }
            _ => {}
        }
        i = i.saturating_add(1);
    }
    let mut path = String::from("$");
    for frame in &stack {
        match frame {
            Frame::Object(Some(key)) => {
                path.push('.');
                path.push_str(key);
            }
            Frame::Object(None) => {}
            Frame::Array(n) => path.push_str(&format!("[{n}]")),
        }
    }
    Some(path)
}

fn offset_of(body: &[u8], line: usize, column: usize) -> Option<usize> {
    if line == 0 {
        return None;
    }
    let mut start = 0;
    for _ in 1..line {
        let newline = body.get(start..)?.iter().position(|b| *b == b'\n')?;
        start = start.saturating_add(newline).saturating_add(1);
    }
    Some(start.saturating_add(column.saturating_sub(1)).min(body.len()))
}

/// The mismatches a client has warned about, so each is logged once.
#[derive(Default)]
pub(crate) struct Drift {
    seen: Mutex<HashSet<(&'static str, String, String)>>,
}

impl Drift {
    /// Logs a warning for this mismatch unless this client already did.
    pub(crate) fn warn(&self, operation: &'static str, path: &str, message: &str, body: &[u8]) {
        let key = (operation, path.to_owned(), message.to_owned());
        let new = self.seen.lock().map(|mut seen| seen.insert(key)).unwrap_or(true);
        if new {
            let got = got_at(body, path);
            tracing::warn!(
                target: "alura::drift",
                operation,
                path,
                "{operation}: the response differs from the spec at {path}: {message}; got {got}; \
                 returning the server's JSON as it came"
            );
        }
    }
}

/// Whether a field (a name, or the last part of a path like `$.a[2].agentPrivateKey`) may hold a
/// secret (a key, a token, a signature): never shown in a log, and hidden by the CLI.
pub fn sensitive(path: &str) -> bool {
    let last = path.rsplit(['.', '[']).next().unwrap_or(path).to_ascii_lowercase();
    ["key", "token", "secret", "signature", "password"].iter().any(|word| last.contains(word))
}

/// What the body holds at `path` (`$.a[2].b`), shortened, for a warning.
fn got_at(body: &[u8], path: &str) -> String {
    if sensitive(path) {
        return "a value not shown (it may be a secret)".into();
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return "a body that is not JSON".into();
    };
    let mut at = &value;
    let rest = path.strip_prefix('$').unwrap_or(path);
    for part in rest.split('.').filter(|p| !p.is_empty()) {
        let (name, indexes) = part.split_once('[').map_or((part, ""), |(n, i)| (n, i));
        if !name.is_empty() {
            at = &at[name];
        }
        for index in indexes.split('[').filter_map(|i| i.trim_end_matches(']').parse::<usize>().ok()) {
            at = &at[index];
        }
    }
    let mut text = at.to_string();
    if text.len() > 80 {
        let cut = (0..=80).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
        text.truncate(cut);
        text.push('…');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct Row {
        pnl: Option<f64>,
    }

    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct Page {
        data: Vec<Row>,
    }

    #[test]
    fn a_mismatch_names_its_path() {
        let body = br#"{"data":[{"pnl":1.5},{"pnl":"2.50"}]}"#;
        let (path, message) = mismatch::<Page>(body).unwrap();
        assert_eq!(path, "$.data[1].pnl");
        assert!(message.contains("invalid type: string \"2.50\""), "{message}");
        assert!(mismatch::<Page>(br#"{"data":[{"pnl":null}],"extra":1}"#).is_none(), "nulls and extras fit");
    }

    #[test]
    fn a_position_names_its_path() {
        let body = b"{\"data\": [\n {\"pnl\": 1},\n {\"pnl\": \"x\"}]}";
        let err = serde_json::from_slice::<Page>(body).err().unwrap();
        assert_eq!(path_at(body, err.line(), err.column()).as_deref(), Some("$.data[1].pnl"));
        assert_eq!(path_at(b"[1,2,{\"a\":[0,", 1, 14).as_deref(), Some("$[2].a[1]"));
    }

    #[test]
    fn the_value_found_is_shown_short() {
        assert_eq!(got_at(br#"{"a":[{"b":"2.50"}]}"#, "$.a[0].b"), "\"2.50\"");
        assert_eq!(got_at(b"<html>", "$"), "a body that is not JSON");
        assert!(got_at(format!("{{\"a\":\"{}\"}}", "x".repeat(200)).as_bytes(), "$.a").ends_with('…'));
        let key = br#"{"agentPrivateKey": {"hex": "0xsecret"}}"#;
        assert!(!got_at(key, "$.agentPrivateKey").contains("0xsecret"));
        #[derive(serde::Deserialize)]
        #[allow(dead_code)]
        struct Key {
            #[serde(rename = "agentPrivateKey")]
            key: Option<String>,
        }
        let (path, message) = mismatch::<Key>(key).unwrap();
        assert_eq!(path, "$.agentPrivateKey");
        assert!(!message.contains("0xsecret") && !message.contains("hex"), "{message}");
    }
}
