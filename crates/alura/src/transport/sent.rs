//! What a call sent: for `Client::settle`, the path arguments and the body's fields by the
//! spec's names, kept on its error; for scrubbing, a login's signature.

use alura_api::Operation;
use reqwest::Request;

/// What a POST asked for: its path arguments (by the spec's template) and its JSON body's fields.
pub(crate) fn arguments(
    request: &Request,
    op: Option<&Operation>,
) -> serde_json::Map<String, serde_json::Value> {
    let mut out = request
        .body()
        .and_then(|b| b.as_bytes())
        .and_then(|b| serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(b).ok())
        .unwrap_or_default();
    if let Some(op) = op {
        // From the end: a base URL may have a path of its own before the operation's.
        let template: Vec<&str> = op.path.trim_start_matches('/').split('/').collect();
        let sent: Vec<&str> = request.url().path_segments().into_iter().flatten().collect();
        let sent = &sent[sent.len().saturating_sub(template.len())..];
        for (template, value) in template.iter().zip(sent) {
            if let Some(name) = template.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
                out.insert(name.to_owned(), serde_json::Value::String(percent_decode(value)));
            }
        }
    }
    out
}

/// The signature a login sends, to scrub from what a server says back.
pub(crate) fn signature(request: &Request) -> Option<String> {
    let body = request.body()?.as_bytes()?;
    let value = serde_json::from_slice::<serde_json::Value>(body).ok()?;
    value.get("signature")?.as_str().map(str::to_owned)
}

/// `%2F` as `/` and so on; anything that is not a valid escape stays as it is.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = |at: usize| bytes.get(at).and_then(|b| (*b as char).to_digit(16));
        match (b, hex(i.saturating_add(1)), hex(i.saturating_add(2))) {
            (b'%', Some(high), Some(low)) => {
                out.push(u8::try_from(high.saturating_mul(16).saturating_add(low)).unwrap_or(b'%'));
                i = i.saturating_add(3);
            }
            _ => {
                out.push(b);
                i = i.saturating_add(1);
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_arguments_are_read_from_the_end_of_the_path_whatever_the_base_url() {
        let op = alura_api::find("close_trade");
        for url in [
            "http://h/trading-sessions/trades/T%2F1/close",
            "http://h/api/v2/trading-sessions/trades/T%2F1/close",
        ] {
            let request = Request::new(reqwest::Method::POST, url.parse().unwrap());
            assert_eq!(arguments(&request, op)["tradeId"], "T/1", "{url}");
        }
        assert_eq!(percent_decode("%zz%4"), "%zz%4", "not an escape: kept as it is");
    }
}
