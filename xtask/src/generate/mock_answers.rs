//! The simulator's generated half, under `crates/alura-mock/src/generated/`: a schema-valid
//! answer for every operation (served until a hand-written handler takes over, so a new
//! operation works at once) and the assets its market trades.

use anyhow::{Context, Result};

use crate::generate::model::Model;
use crate::generate::rust_client::HEADER;

/// `examples.rs`: the success status and answer of every operation.
pub fn examples(model: &Model) -> Result<String> {
    let mut ops: Vec<_> = model.operations.iter().collect();
    ops.sort_by(|a, b| a.id.cmp(&b.id));
    let arms: String = ops
        .iter()
        .map(|op| {
            let body = if op.example.is_null() { String::new() } else { op.example.to_string() };
            format!("{:?} => Some(({}, {body:?})),\n", op.id, op.success)
        })
        .collect();
    let text = format!(
        r#"//! A schema-valid answer for every operation, built from its response schema.

/// The success status and JSON body (empty when the answer has none) of `operation_id`.
pub fn example(operation_id: &str) -> Option<(u16, &'static str)> {{
    match operation_id {{
{arms}        _ => None,
    }}
}}
"#
    );
    let file: syn::File = syn::parse_str(&text).context("the examples do not parse")?;
    Ok(format!("{HEADER}{}", prettyplease::unparse(&file)))
}

/// `assets.rs`: each asset's symbol and reference price, by index.
pub fn assets(model: &Model) -> Result<String> {
    let rows: String =
        model.assets.iter().map(|a| format!("({:?}, {:?}),\n", a.symbol, a.reference_price)).collect();
    let text = format!(
        r#"//! The perps the simulator trades, from the spec's `x-assets`.

/// `(symbol, reference price in USD)`, by Hyperliquid asset index.
pub const ASSETS: &[(&str, f64)] = &[
{rows}];
"#
    );
    let file: syn::File = syn::parse_str(&text).context("the asset table does not parse")?;
    Ok(format!("{HEADER}{}", prettyplease::unparse(&file)))
}
