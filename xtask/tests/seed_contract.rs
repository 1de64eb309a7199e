//! Every method + path of the contract (../shared/seed/alura-backend-api.md) is in the spec.

use std::collections::BTreeSet;
use std::fs;

/// `METHOD /path` pairs from the seed's endpoint tables and request blocks, with base paths
/// resolved and `:param` written as `{param}`.
fn seed_endpoints(text: &str) -> BTreeSet<(String, String)> {
    let methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).filter(|c| !c.is_empty()).collect();
        let (method, path) = match cells.as_slice() {
            [m, p, ..] if methods.contains(m) => (*m, *p),
            _ => match line.trim().split_once(' ') {
                Some((m, p)) if methods.contains(&m) && p.starts_with('/') => (m, p),
                _ => continue,
            },
        };
        let path = path
            .split('/')
            .map(|seg| match seg.strip_prefix(':') {
                Some(name) => format!("{{{name}}}"),
                None => seg.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("/");
        out.insert((method.to_lowercase(), path));
    }
    out
}

#[test]
fn every_seed_endpoint_is_in_the_spec() {
    let root = xtask::root();
    let seed = fs::read_to_string(root.join("../shared/seed/alura-backend-api.md"))
        .expect("the contract lives in ../shared/seed beside the checkout");
    let spec: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(root.join("openapi/alura.json")).unwrap()).unwrap();
    let in_spec: BTreeSet<(String, String)> = spec["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| item.as_object().unwrap().keys().map(move |m| (m.clone(), path.clone())))
        .collect();
    let wanted = seed_endpoints(&seed);
    assert_eq!(wanted.len(), 41, "the contract lists 41 operations: {wanted:#?}");
    let missing: Vec<_> = wanted.difference(&in_spec).collect();
    assert!(missing.is_empty(), "in the contract but not in openapi/alura.json: {missing:?}");
    let extra: Vec<_> = in_spec.difference(&wanted).collect();
    assert!(extra.is_empty(), "in openapi/alura.json but not in the contract: {extra:?}");
}

#[test]
fn documented_constraints_are_in_the_spec() {
    let spec: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(xtask::root().join("openapi/alura.json")).unwrap()).unwrap();
    let schemas = &spec["components"]["schemas"];
    let quick = &schemas["CreateTradingSessionDto"];
    assert_eq!(quick["properties"]["budget"]["minimum"], 10);
    assert_eq!(quick["properties"]["profitTarget"]["maximum"], 500);
    assert_eq!(quick["required"], serde_json::json!(["budget", "profitTarget", "assetIndex"]));
    let advance = &schemas["CreateAdvanceTradingSessionDto"]["properties"];
    assert_eq!(
        advance["executionStrategy"]["enum"],
        serde_json::json!(["Conservative", "Aggressive", "Degen"])
    );
    assert_eq!(
        advance["strategyDuration"]["enum"],
        serde_json::json!(["1D", "3D", "7D", "30D", "90D", "365D"])
    );
    assert_eq!(advance["maxWalletBudget"]["type"], "boolean");
    assert_eq!(advance["assetIndex"]["type"], "integer");
    let verify = &schemas["EvmVerifyDto"];
    assert!(verify["properties"]["referralCode"].is_object());
    assert!(!verify["required"].as_array().unwrap().contains(&"referralCode".into()));
    let logs = &spec["paths"]["/trading-sessions/trades/{tradeId}/logs"]["get"]["parameters"];
    let names: Vec<&str> = logs.as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["tradeId", "page", "limit"]);
}
