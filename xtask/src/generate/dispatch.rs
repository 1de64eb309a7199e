//! `crates/alura/src/generated/dispatch.rs`: one `Client::call(operation_id, args)` over every typed builder.
//!
//! The bindings call operations by id with JSON arguments; this maps each id to its progenitor
//! builder, so types, required fields and enums are checked by the generated Rust types. The
//! setters' argument types are read from the generated client itself, so they always agree.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use quote::ToTokens;

use crate::generate::model::{Location, Model, pascal, snake};
use crate::generate::rust_client::HEADER;

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

/// The dispatch source for every operation of the model.
pub fn generate(model: &Model, client: &syn::File) -> Result<String> {
    let setters = setter_types(client)?;
    let mut arms = String::new();
    for op in &model.operations {
        let id = &op.id;
        let builder = pascal(id);
        let types = setters.get(&builder).with_context(|| format!("no builder {builder} for {id}"))?;
        let mut steps = String::new();
        let mut body = Vec::new();
        for p in &op.params {
            let wire = &p.wire;
            if p.location == Location::Body {
                body.push(wire.clone());
                continue;
            }
            let setter = snake(wire);
            let ty =
                types.get(&setter).with_context(|| format!("{builder} has no setter {setter} ({wire})"))?;
            if p.required {
                steps.push_str(&format!("b = b.{setter}(arg::<{ty}>(&args, {wire:?})?);\n"));
            } else {
                steps.push_str(&format!(
                    "if let Some(v) = opt_arg::<{ty}>(&args, {wire:?})? {{ b = b.{setter}(v); }}\n"
                ));
            }
        }
        if op.body.is_some() {
            let ty = types.get("body").with_context(|| format!("{builder} has no body setter"))?;
            steps.push_str(&format!("b = b.body(body::<{ty}>(&args, &{body:?})?);\n"));
        }
        let names: Vec<&str> = op.params.iter().map(|p| p.wire.as_str()).collect();
        arms.push_str(&format!(
            "{id:?} => {{\ncheck_names({id:?}, &args, &{names:?})?;\nlet mut b = self.api().{id}();\n{steps}self.reply({id:?}, Box::pin(b.send())).await\n}}\n"
        ));
    }
    let text = format!(
        r#"//! Every operation by id, with JSON arguments: the one entry point of the bindings.

use serde_json::{{Map, Value}};

use crate::call::{{Reply, arg, body, check_names, opt_arg}};
use crate::{{Client, Error, Result, types}};

impl Client {{
    /// [`Client::call`]'s work, by operation: arguments checked against the generated types,
    /// the answer against its typed schema.
    #[allow(unused_mut, clippy::let_and_return)]
    ///
    /// Each operation's request future is boxed, so this future stays small (it is moved
    /// whenever a binding spawns it) instead of as large as the largest of them.
    pub(crate) async fn dispatch(&self, operation_id: &str, args: Map<String, Value>) -> Result<Reply> {{
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
