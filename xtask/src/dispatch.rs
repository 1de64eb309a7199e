//! `crates/alura/src/dispatch.rs`: one `Client::call(operation_id, args)` over every typed builder.
//!
//! The bindings call operations by id with JSON arguments; this maps each id to its progenitor
//! builder, so types, required fields and enums are checked by the generated Rust types. The
//! setters' argument types are read from the generated client itself, so they always agree.

use std::collections::BTreeMap;

use anyhow::{Context, Result, bail};
use quote::ToTokens;
use serde_json::Value;

use crate::rust_client::HEADER;

/// progenitor's names: `get_trade_logs` -> `GetTradeLogs`, `tradeId` -> `trade_id`.
pub fn pascal(snake: &str) -> String {
    snake.split('_').filter(|w| !w.is_empty()).map(|w| w[..1].to_uppercase() + &w[1..]).collect()
}

pub fn snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c == '-' || c == ' ' {
            out.push('_');
        } else {
            out.push(c);
        }
    }
    out
}

/// Setter name -> the type its `V: TryInto<T>` bound names, for each operation builder.
fn setter_types(client: &syn::File) -> Result<BTreeMap<String, BTreeMap<String, String>>> {
    let builder = client
        .items
        .iter()
        .find_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "builder" => m.content.as_ref().map(|(_, items)| items),
            _ => None,
        })
        .context("the generated client has no `builder` module")?;
    let mut out = BTreeMap::new();
    for item in builder {
        let syn::Item::Impl(imp) = item else { continue };
        let syn::Type::Path(self_ty) = &*imp.self_ty else { continue };
        let name = self_ty.path.segments.last().context("a type path has a segment")?.ident.to_string();
        let setters: &mut BTreeMap<String, String> = out.entry(name).or_default();
        for f in &imp.items {
            let syn::ImplItem::Fn(method) = f else { continue };
            let Some(clause) = &method.sig.generics.where_clause else { continue };
            for predicate in &clause.predicates {
                let syn::WherePredicate::Type(pt) = predicate else { continue };
                for bound in &pt.bounds {
                    let syn::TypeParamBound::Trait(tb) = bound else { continue };
                    let Some(last) = tb.path.segments.last() else { continue };
                    if last.ident != "TryInto" {
                        continue;
                    }
                    if let syn::PathArguments::AngleBracketed(args) = &last.arguments
                        && let Some(syn::GenericArgument::Type(t)) = args.args.first()
                    {
                        setters.insert(method.sig.ident.to_string(), t.to_token_stream().to_string());
                    }
                }
            }
        }
    }
    Ok(out)
}

/// The dispatch source for every operation of `spec`.
pub fn generate(spec: &Value, client: &syn::File) -> Result<String> {
    let setters = setter_types(client)?;
    let mut arms = String::new();
    for item in spec["paths"].as_object().context("validated: paths")?.values() {
        for op in item.as_object().context("a path item is an object")?.values() {
            let Some(id) = op["operationId"].as_str() else { continue };
            let builder = pascal(id);
            let types = setters.get(&builder).with_context(|| format!("no builder {builder} for {id}"))?;
            let mut steps = String::new();
            let mut names = Vec::new();
            for p in op["parameters"].as_array().into_iter().flatten() {
                let wire = p["name"].as_str().unwrap_or_default();
                let setter = snake(wire);
                let ty = types
                    .get(&setter)
                    .with_context(|| format!("{builder} has no setter {setter} ({wire})"))?;
                names.push(wire.to_owned());
                if p["required"] == true {
                    steps.push_str(&format!("b = b.{setter}(arg::<{ty}>(&args, {wire:?})?);\n"));
                } else {
                    steps.push_str(&format!(
                        "if let Some(v) = opt_arg::<{ty}>(&args, {wire:?})? {{ b = b.{setter}(v); }}\n"
                    ));
                }
            }
            let schema = &op["requestBody"]["content"]["application/json"]["schema"];
            if schema.is_object() {
                let ty = types.get("body").with_context(|| format!("{builder} has no body setter"))?;
                let resolved = match schema["$ref"].as_str().and_then(|r| r.strip_prefix('#')) {
                    Some(pointer) => spec.pointer(pointer).unwrap_or(&Value::Null),
                    None => schema,
                };
                let fields: Vec<String> = resolved["properties"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, _)| k.clone())
                    .collect();
                for f in &fields {
                    if names.contains(f) {
                        bail!(
                            "{id}: body field {f} has the name of a parameter; call arguments would be ambiguous"
                        );
                    }
                }
                steps.push_str(&format!("b = b.body(body::<{ty}>(&args, &{fields:?})?);\n"));
                names.extend(fields);
            }
            arms.push_str(&format!(
                "{id:?} => {{\ncheck_names({id:?}, &args, &{names:?})?;\nlet mut b = self.api().{id}();\n{steps}self.reply({id:?}, b.send()).await\n}}\n"
            ));
        }
    }
    let text = format!(
        r#"//! Every operation by id, with JSON arguments: the one entry point of the bindings.

use serde_json::{{Map, Value}};

use crate::call::{{Reply, arg, body, check_names, opt_arg}};
use crate::{{Client, Error, Result, types}};

impl Client {{
    /// Calls the operation `operation_id` with `args`, an object of its path, query and body
    /// fields by their names in the spec (`tradeId`, `profitTarget`, ...), and returns the
    /// server's answer as it came ([`Reply::to_value`] gives JSON). Arguments are checked
    /// against the generated types before sending; the answer is checked against its typed
    /// schema, and a mismatch is a warning (an error when the client is strict).
    #[allow(unused_mut, clippy::let_and_return)]
    pub async fn call(&self, operation_id: &str, args: Map<String, Value>) -> Result<Reply> {{
        match operation_id {{
{arms}
            other => Err(Error::invalid(format!("unknown operation {{other:?}}"))),
        }}
    }}
}}
"#
    );
    let file: syn::File = syn::parse_str(&text).context("the dispatch does not parse")?;
    Ok(format!("{HEADER}{}", prettyplease::unparse(&file)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_as_progenitor_makes_them() {
        assert_eq!(pascal("get_trade_logs"), "GetTradeLogs");
        assert_eq!(snake("tradeId"), "trade_id");
        assert_eq!(snake("startTime"), "start_time");
        assert_eq!(snake("symbol"), "symbol");
    }
}
