//! Lists the code keeps as Rust literals (the error kinds, the client options), read as source so
//! a generator does not depend on the crate it helps build.

use std::path::Path;

use anyhow::{Context, Result, bail};
use syn::{Expr, Item, Lit};

/// The `const` items of `source` (relative to `root`).
pub fn consts(root: &Path, source: &str) -> Result<Vec<syn::ItemConst>> {
    let text = std::fs::read_to_string(root.join(source)).with_context(|| format!("reading {source}"))?;
    let file = syn::parse_file(&text).with_context(|| format!("{source} does not parse"))?;
    Ok(file.items.into_iter().filter_map(|i| if let Item::Const(c) = i { Some(c) } else { None }).collect())
}

/// The value of the const `name` among `consts`.
pub fn find(consts: &[syn::ItemConst], name: &str) -> Option<Expr> {
    consts.iter().find(|c| c.ident == name).map(|c| (*c.expr).clone())
}

pub fn elements(expr: &Expr) -> Result<Vec<&Expr>> {
    match expr {
        Expr::Reference(r) => elements(&r.expr),
        Expr::Array(a) => Ok(a.elems.iter().collect()),
        _ => bail!("expected a list literal"),
    }
}

pub fn member<'a>(expr: &'a Expr, name: &str) -> Option<&'a Expr> {
    let Expr::Struct(s) = expr else { return None };
    s.fields.iter().find(|f| matches!(&f.member, syn::Member::Named(i) if i == name)).map(|f| &f.expr)
}

pub fn string(expr: &Expr) -> Result<String> {
    match expr {
        Expr::Lit(l) if matches!(l.lit, Lit::Str(_)) => {
            let Lit::Str(s) = &l.lit else { unreachable!() };
            Ok(s.value())
        }
        _ => bail!("expected a string literal"),
    }
}

pub fn int(expr: &Expr) -> Result<u16> {
    match expr {
        Expr::Lit(l) => match &l.lit {
            Lit::Int(i) => Ok(i.base10_parse()?),
            _ => bail!("expected a number"),
        },
        _ => bail!("expected a number"),
    }
}

pub fn boolean(expr: &Expr) -> Result<bool> {
    match expr {
        Expr::Lit(l) => match &l.lit {
            Lit::Bool(b) => Ok(b.value),
            _ => bail!("expected true or false"),
        },
        _ => bail!("expected true or false"),
    }
}

pub fn path_tail(expr: &Expr) -> Result<String> {
    match expr {
        Expr::Path(p) => Ok(p.path.segments.last().context("a path")?.ident.to_string()),
        _ => bail!("expected a FieldType"),
    }
}

pub fn option<T>(expr: &Expr, inner: impl Fn(&Expr) -> Result<T>) -> Result<Option<T>> {
    match expr {
        Expr::Path(p) if p.path.is_ident("None") => Ok(None),
        Expr::Call(c)
            if matches!(&*c.func, Expr::Path(p) if p.path.is_ident("Some")) && c.args.len() == 1 =>
        {
            Ok(Some(inner(&c.args[0])?))
        }
        _ => bail!("expected None or Some(...)"),
    }
}
