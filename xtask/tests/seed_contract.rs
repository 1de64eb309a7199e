//! Every method + path of the backend's API contract is in the spec, and nothing else is.
//!
//! The contract's operation list is kept as data in `openapi/contract.tsv` (method, path as the
//! contract writes it, section, description), so the check needs nothing outside the repository.

use std::collections::BTreeSet;
use std::fs;

/// `METHOD /path` pairs of `openapi/contract.tsv`, lower-case methods and `:param` written as
/// `{param}`, as the spec writes them. Lines starting with `#` and the header are skipped.
fn contract_endpoints(tsv: &str) -> Vec<(String, String)> {
    let methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];
    let mut out = Vec::new();
    for (n, line) in tsv.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() || line.starts_with("method\t") {
            continue;
        }
        let mut cells = line.split('\t');
        let (Some(method), Some(path)) = (cells.next(), cells.next()) else {
            panic!("openapi/contract.tsv line {}: expected method<TAB>path, got {line:?}", n + 1);
        };
        assert!(methods.contains(&method), "openapi/contract.tsv line {}: unknown method {method:?}", n + 1);
        assert!(
            path.starts_with('/'),
            "openapi/contract.tsv line {}: path {path:?} must start with /",
            n + 1
        );
        let path = path
            .split('/')
            .map(|seg| match seg.strip_prefix(':') {
                Some(name) => format!("{{{name}}}"),
                None => seg.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("/");
        out.push((method.to_lowercase(), path));
    }
    out
}

#[test]
fn every_contract_endpoint_is_in_the_spec() {
    let root = xtask::root();
    let tsv = fs::read_to_string(root.join("openapi/contract.tsv")).expect("openapi/contract.tsv");
    let spec: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(root.join("openapi/alura.json")).unwrap()).unwrap();
    let in_spec: BTreeSet<(String, String)> = spec["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| item.as_object().unwrap().keys().map(move |m| (m.clone(), path.clone())))
        .collect();
    let listed = contract_endpoints(&tsv);
    let wanted: BTreeSet<_> = listed.iter().cloned().collect();
    assert_eq!(wanted.len(), listed.len(), "openapi/contract.tsv lists an operation twice");
    assert!(!wanted.is_empty(), "openapi/contract.tsv lists no operation");
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
