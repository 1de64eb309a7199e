//! The spec's constraints, checked before a request leaves: a bad argument never costs a call.

use alura_api::{Field, Kind, Location, Operation};
use reqwest::Request;
use serde_json::Value;

/// Checks the query and JSON body of `request` against `op`'s fields; the error lists every
/// problem, phrased as the server's validator would.
pub(crate) fn request(op: &Operation, request: &Request) -> Result<(), String> {
    let mut problems = Vec::new();
    let mut query_fields = op.fields.iter().filter(|f| f.location == Location::Query).peekable();
    // Decoded only for an operation that has query fields: most have none.
    let query: Vec<(String, String)> = match query_fields.peek() {
        Some(_) => request.url().query_pairs().into_owned().collect(),
        None => Vec::new(),
    };
    for field in query_fields {
        if let Some((_, raw)) = query.iter().find(|(k, _)| k == field.name) {
            check(field, &from_query(field.kind, raw), &mut problems);
        }
    }
    if op.has_body {
        let body = request.body().and_then(|b| b.as_bytes()).unwrap_or_default();
        let body: Value =
            if body.is_empty() { Value::Null } else { serde_json::from_slice(body).unwrap_or_default() };
        for field in op.fields.iter().filter(|f| f.location == Location::Body) {
            match body.get(field.name) {
                None | Some(Value::Null) if field.required => {
                    problems.push(format!("{} is required", field.name))
                }
                None | Some(Value::Null) => {}
                Some(value) => check(field, value, &mut problems),
            }
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(problems.join("; ")) }
}

/// A query value as the JSON it stands for, so one check serves both places.
fn from_query(kind: Kind, raw: &str) -> Value {
    match kind {
        Kind::Number | Kind::Integer => {
            raw.parse::<f64>().map(Value::from).unwrap_or_else(|_| Value::from(raw))
        }
        Kind::Boolean => raw.parse::<bool>().map(Value::from).unwrap_or_else(|_| Value::from(raw)),
        _ => Value::from(raw),
    }
}

fn check(field: &Field, value: &Value, problems: &mut Vec<String>) {
    let name = field.name;
    let ok_kind = match field.kind {
        Kind::String => value.is_string(),
        Kind::Number => value.as_f64().is_some_and(f64::is_finite),
        Kind::Integer => value.as_f64().is_some_and(|n| n.fract() == 0.0),
        Kind::Boolean => value.is_boolean(),
        Kind::Array => value.is_array(),
        Kind::Object => value.is_object(),
    };
    if !ok_kind {
        let what = match field.kind {
            Kind::String => "a string",
            Kind::Number => "a number",
            Kind::Integer => "an integer",
            Kind::Boolean => "a boolean",
            Kind::Array => "a list",
            Kind::Object => "an object",
        };
        problems.push(format!("{name} must be {what}"));
        return;
    }
    if !field.values.is_empty() && !value.as_str().is_some_and(|v| field.values.contains(&v)) {
        problems.push(format!("{name} must be one of the following values: {}", field.values.join(", ")));
    }
    let Some(n) = value.as_f64() else { return };
    if let Some(min) = field.minimum {
        if field.exclusive_minimum && n <= min {
            problems.push(format!("{name} must be greater than {}", num(min)));
        } else if n < min {
            problems.push(format!("{name} must not be less than {}", num(min)));
        }
    }
    if let Some(max) = field.maximum {
        if field.exclusive_maximum && n >= max {
            problems.push(format!("{name} must be less than {}", num(max)));
        } else if n > max {
            problems.push(format!("{name} must not be greater than {}", num(max)));
        }
    }
}

/// 10 rather than 10.0.
fn num(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 { format!("{}", n as i64) } else { n.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(op: &str, url: &str, body: Value) -> Result<(), String> {
        let client = reqwest::Client::new();
        let request = client.post(url).json(&body).build().unwrap();
        super::request(alura_api::find(op).unwrap(), &request)
    }

    #[test]
    fn bounds_enums_and_types_from_the_spec() {
        let ok = req(
            "create_trading_session",
            "http://x/",
            serde_json::json!({"budget": 10, "profitTarget": 500, "assetIndex": 0}),
        );
        assert_eq!(ok, Ok(()));
        let bad = req(
            "create_trading_session",
            "http://x/",
            serde_json::json!({"budget": 5, "profitTarget": 600, "assetIndex": 0.5}),
        );
        assert_eq!(
            bad,
            Err("budget must not be less than 10; profitTarget must not be greater than 500; assetIndex must be an integer".into())
        );
        let bad = req(
            "create_advance_trading_session",
            "http://x/",
            serde_json::json!({"amount": 50, "executionStrategy": "Reckless", "strategyDuration": "1D", "assetIndex": 0}),
        );
        assert_eq!(
            bad,
            Err("executionStrategy must be one of the following values: Conservative, Aggressive, Degen"
                .into())
        );
        let bad = req("withdraw", "http://x/", serde_json::json!({"amount": 0}));
        assert_eq!(bad, Err("amount must be greater than 0".into()));
        let bad = req("get_trade_logs", "http://x/?page=0&limit=20", Value::Null);
        assert_eq!(bad, Err("page must not be less than 1".into()));
    }
}
