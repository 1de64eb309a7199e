//! What an error keeps of the server's text: bounded (a server may send 590,000 messages, or
//! megabytes of HTML) and scrubbed of the call's secrets (a server may echo the bearer token or
//! the login's signature), so neither an error's text nor a log line carries them.

use http::{HeaderMap, HeaderValue, StatusCode};
use serde_json::Value;

use crate::errors::{CallInfo, Error, RawBody};

/// NestJS's `message`: a string, or one string per failed validation rule; failing that, any
/// `error` or `detail` a proxy or another framework put there.
/// At most [`MESSAGES_LIMIT`] of them, [`MESSAGE_BYTES`] each and [`MESSAGES_CHARS`] in all,
/// with a last one saying what was cut.
pub(crate) fn messages_of(body: &Value) -> Vec<String> {
    for key in ["message", "error", "detail", "title"] {
        match &body[key] {
            Value::Null => continue,
            Value::Array(items) => return bounded(items),
            other => return bounded(std::slice::from_ref(other)),
        }
    }
    Vec::new()
}

/// The most messages an error keeps of a body: a server may send one per rule, or 590,000.
pub(crate) const MESSAGES_LIMIT: usize = 50;
/// The most bytes an error keeps of one message.
const MESSAGE_BYTES: usize = 1024;
/// The most characters an error keeps of all its messages together.
const MESSAGES_CHARS: usize = 4096;

fn bounded(items: &[Value]) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = 0usize;
    for item in items {
        if out.len() >= MESSAGES_LIMIT || chars >= MESSAGES_CHARS {
            break;
        }
        let text = item.as_str().map_or_else(|| item.to_string(), str::to_owned);
        let kept = cut(&text, MESSAGE_BYTES);
        let kept = if kept.len() < text.len() { format!("{kept}… ({} bytes)", text.len()) } else { text };
        chars = chars.saturating_add(kept.chars().count());
        out.push(kept);
    }
    let cut = items.len().saturating_sub(out.len());
    if cut > 0 {
        out.push(format!("… and {cut} more messages (the error's body holds what is kept of them)"));
    }
    out
}

/// The most an error keeps of a body that is not JSON, or of a large JSON one as text.
const ERROR_TEXT_LIMIT: usize = 4096;
/// The largest JSON body an error keeps as JSON: past it, its first [`ERROR_TEXT_LIMIT`] bytes
/// as text, so an error never holds (or hands a binding to convert) megabytes.
const ERROR_JSON_LIMIT: usize = 64 * 1024;

/// An error body as messages and a value to keep: JSON as it is, anything else as (truncated)
/// text with its HTML title or first line as the message.
pub(crate) fn read_error_body(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
) -> (Vec<String>, Option<Value>) {
    if body.iter().all(u8::is_ascii_whitespace) {
        return (vec![format!("{status} with an empty body")], None);
    }
    if let Ok(json) = serde_json::from_slice::<Value>(body) {
        let messages = messages_of(&json);
        if body.len() <= ERROR_JSON_LIMIT {
            return (messages, Some(json));
        }
        let start = lossy_start(body);
        return (
            messages,
            Some(Value::String(format!("{}… ({} bytes of JSON)", cut(&start, ERROR_TEXT_LIMIT), body.len()))),
        );
    }
    let start = lossy_start(body);
    let text = cut(&start, ERROR_TEXT_LIMIT).to_owned();
    let kind = headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap_or("unknown")
        .to_owned();
    let said = html_title(&text)
        .or_else(|| text.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with('<')))
        .map(|s| cut(s, 200).to_owned())
        .unwrap_or_default();
    let message = if said.is_empty() {
        format!("{status} with a {kind} body, not JSON")
    } else {
        format!("{status} with a {kind} body, not JSON: {said}")
    };
    (vec![message], Some(Value::String(text)))
}

/// The start of a body as text: enough for [`cut`] to see past [`ERROR_TEXT_LIMIT`].
fn lossy_start(body: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(&body[..body.len().min(ERROR_TEXT_LIMIT.saturating_mul(2))])
}

/// Characters a token, a signature or a key is written with (base64, base64url, hex, JWT dots).
fn secret_like(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '+' | '/' | '=' | '~')
}

/// At most `max` bytes of `text`, never ending inside a character, nor inside a run of the
/// characters secrets are written with: a secret the server echoed is kept whole (and then
/// scrubbed) or not at all, never a part too short for the scrubbing to know.
pub(crate) fn cut(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end = end.saturating_sub(1);
    }
    if text[end..].starts_with(secret_like) {
        let run = text[..end].trim_end_matches(secret_like);
        end = run.len();
    }
    &text[..end]
}

fn html_title(text: &str) -> Option<&str> {
    let lower = text.to_ascii_lowercase();
    let start = lower.find("<title>")?.checked_add("<title>".len())?;
    let end = start.checked_add(lower.get(start..)?.find("</title>")?)?;
    Some(text[start..end].trim()).filter(|t| !t.is_empty())
}

/// What replaces a secret in server text.
const HIDDEN: &str = "***";

impl Error {
    /// This error with each of `secrets` (the call's bearer token, a login's signature), and
    /// any `Bearer` credential, replaced by `***` wherever it holds server text.
    pub(crate) fn scrubbed(self, secrets: &[String]) -> Self {
        let secrets: Vec<&str> = secrets.iter().map(String::as_str).filter(|s| s.len() >= 8).collect();
        let text = |s: String| scrub(s, &secrets);
        let texts = |v: Vec<String>| v.into_iter().map(|s| scrub(s, &secrets)).collect();
        let call = |c: Box<CallInfo>| scrub_call(c, &secrets);
        match self {
            Error::Api { status, messages, body, call: c } => Error::Api {
                status,
                messages: texts(messages),
                body: body.map(|b| scrub_json(b, &secrets)),
                call: call(c),
            },
            Error::RateLimited { retry_after, messages, call: c } => {
                Error::RateLimited { retry_after, messages: texts(messages), call: call(c) }
            }
            Error::Auth { message, status, call: c } => {
                Error::Auth { message: text(message), status, call: call(c) }
            }
            Error::Network { message, source, call: c } => {
                Error::Network { message: text(message), source, call: call(c) }
            }
            Error::Timeout { elapsed, call: c } => Error::Timeout { elapsed, call: call(c) },
            Error::OutcomeUnknown { operation, reason, status, timed_out, call: c } => {
                Error::OutcomeUnknown { operation, reason: text(reason), status, timed_out, call: call(c) }
            }
            Error::Decode { message, path, body, call: c } => Error::Decode {
                message: text(message),
                path,
                body: body.map(|RawBody(bytes)| RawBody(scrub_bytes(bytes, &secrets))),
                call: call(c),
            },
            other @ (Error::InvalidInput { .. } | Error::Internal { .. }) => other,
        }
    }
}

/// `text` with every secret, and whatever follows `Bearer `, as `***`.
fn scrub(text: String, secrets: &[&str]) -> String {
    let mut out = text;
    for secret in secrets {
        if out.contains(secret) {
            out = out.replace(secret, HIDDEN);
        }
    }
    let lower = out.to_ascii_lowercase();
    if !lower.contains("bearer ") {
        return out;
    }
    // A credential after `Bearer ` runs to the next space, quote or end. One pass over the text:
    // ASCII lower-casing keeps every byte where it was, so `lower`'s offsets are `out`'s.
    let mut scrubbed = String::with_capacity(out.len());
    let mut at = 0;
    while let Some(found) = lower.get(at..).and_then(|l| l.find("bearer ")) {
        let start = at.saturating_add(found).saturating_add("bearer ".len());
        scrubbed.push_str(&out[at..start]);
        let after = &out[start..];
        let end = after
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ',' | '}'))
            .unwrap_or(after.len());
        scrubbed.push_str(if end > 0 && &after[..end] != HIDDEN { HIDDEN } else { &after[..end] });
        at = start.saturating_add(end);
    }
    scrubbed.push_str(&out[at..]);
    scrubbed
}

fn scrub_json(value: Value, secrets: &[&str]) -> Value {
    match value {
        Value::String(s) => Value::String(scrub(s, secrets)),
        Value::Array(items) => Value::Array(items.into_iter().map(|v| scrub_json(v, secrets)).collect()),
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(k, v)| (k, scrub_json(v, secrets))).collect())
        }
        other => other,
    }
}

fn scrub_bytes(bytes: bytes::Bytes, secrets: &[&str]) -> bytes::Bytes {
    let holds = |needle: &[u8]| {
        !needle.is_empty() && bytes.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle))
    };
    if !secrets.iter().any(|s| holds(s.as_bytes())) && !holds(b"bearer ") {
        return bytes;
    }
    bytes::Bytes::from(scrub(String::from_utf8_lossy(&bytes).into_owned(), secrets))
}

fn scrub_call(mut call: Box<CallInfo>, secrets: &[&str]) -> Box<CallInfo> {
    call.raw_body = call.raw_body.map(|RawBody(bytes)| RawBody(scrub_bytes(bytes, secrets)));
    if let Some(headers) = call.headers.as_mut() {
        for value in headers.values_mut() {
            let Ok(text) = value.to_str() else { continue };
            let clean = scrub(text.to_owned(), secrets);
            if clean != text {
                *value = HeaderValue::from_str(&clean).unwrap_or(HeaderValue::from_static(HIDDEN));
            }
        }
    }
    call
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_error_keeps_a_bounded_part_of_many_messages() {
        let many: Vec<String> = (0..590_000).map(|i| format!("rule {i} failed")).collect();
        let body =
            bytes::Bytes::from(serde_json::to_vec(&json!({"statusCode": 400, "message": many})).unwrap());
        let error = Error::from_answer(StatusCode::BAD_REQUEST, &HeaderMap::new(), &body);
        let text = error.to_string();
        assert!(text.len() < 8 * 1024, "{} bytes", text.len());
        assert!(text.contains("rule 0 failed") && text.contains("and 589950 more messages"), "{text}");
        let Error::Api { body: Some(Value::String(kept)), messages, .. } = &error else {
            panic!("{error:?}")
        };
        assert!(kept.len() < 8 * 1024 && kept.ends_with(&format!("({} bytes of JSON)", body.len())));
        assert_eq!(messages.len(), MESSAGES_LIMIT + 1);
        let raw = error.call_info().and_then(|c| c.raw_body.as_ref()).expect("the whole body is kept");
        assert_eq!(raw.0, body, "whole, and the same bytes (not a copy)");
        assert!(!format!("{error:?}").contains("rule 589999 failed"), "Debug shows only its length");
        let long = Error::from_answer(
            StatusCode::BAD_REQUEST,
            &HeaderMap::new(),
            &json!({"message": "x".repeat(100_000)}).to_string().into(),
        );
        assert!(long.to_string().len() < 2048, "one long message is cut too");
    }

    #[test]
    fn the_calls_secrets_never_reach_an_errors_text() {
        let token = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.sig".to_owned();
        let echoed =
            format!(r#"{{"message":"bad token {token}","headers":{{"authorization":"Bearer {token}"}}}}"#);
        let mut headers = HeaderMap::new();
        headers.insert("www-authenticate", HeaderValue::from_str(&format!("Bearer {token}")).unwrap());
        let error = Error::from_answer(StatusCode::UNAUTHORIZED, &headers, &echoed.clone().into())
            .scrubbed(std::slice::from_ref(&token));
        let shown = format!("{error} {error:?} {:?}", error.call_info());
        assert!(!shown.contains("c2VjcmV0"), "{shown}");
        assert!(error.to_string().contains("bad token ***"), "{error}");
        let api = Error::from_answer(StatusCode::BAD_REQUEST, &HeaderMap::new(), &echoed.clone().into())
            .scrubbed(std::slice::from_ref(&token));
        let Error::Api { body: Some(body), .. } = &api else { panic!() };
        assert_eq!(body["headers"]["authorization"], "Bearer ***");
        let raw = api.call_info().and_then(|c| c.raw_body.as_ref()).unwrap().text().into_owned();
        assert!(!raw.contains("c2VjcmV0") && raw.contains("bad token ***"), "{raw}");
        assert_eq!(
            scrub("Authorization: bearer abc.def, next".into(), &[]),
            "Authorization: bearer ***, next"
        );
    }

    /// A secret the server echoed where the error's text is cut (a message at 1 KiB, a body at
    /// 4 KiB) is dropped whole, not kept in part where scrubbing cannot find it.
    #[test]
    fn a_secret_at_the_cut_is_never_kept_in_part() {
        let token = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0c2VjcmV0.signaturesignature".to_owned();
        for (status, make) in [
            (
                StatusCode::BAD_REQUEST,
                (|pad: String, t: &str| json!({"message": format!("{pad}{t} rest")}).to_string())
                    as fn(String, &str) -> String,
            ),
            (StatusCode::BAD_GATEWAY, |pad, t| format!("<html><body>{pad}{t} rest</body></html>")),
        ] {
            // Every place the token could straddle either cut.
            for pad in (900..1100).chain(4000..4120) {
                let body = make("a ".repeat(pad / 2) + if pad % 2 == 1 { "a" } else { "" }, &token);
                let error = Error::from_answer(status, &HeaderMap::new(), &body.into())
                    .scrubbed(std::slice::from_ref(&token));
                let shown = match &error {
                    Error::Api { messages, body, .. } => format!("{messages:?} {body:?}"),
                    other => other.to_string(),
                };
                assert!(!shown.contains("eyJhbGci"), "pad {pad}: {shown}");
            }
        }
        assert_eq!(cut("abc def", 5), "abc ", "back to before the run the cut falls in");
        assert_eq!(cut("abc é", 5), "abc ", "never inside a character");
    }
}
