//! `cargo xtask gen [--check]`: every generated file, written or compared.
//!
//! The spec is normalised once, read into one [`Model`], and every output renders from it.
//! Each crate and package keeps its generated files in a `generated/` folder (marked
//! `linguist-generated` in `.gitattributes`), each starting with a header naming this command.

pub mod dispatch;
pub mod errors;
pub mod format;
pub mod literal;
pub mod mock_answers;
pub mod model;
pub mod node;
pub mod options;
pub mod python;
pub mod reference;
pub mod rust_client;

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::spec;
use model::Model;
use reference::Language;

/// The inputs, relative to the workspace root.
pub const RAW: &str = "openapi/alura.raw.json";
pub const OVERLAY: &str = "openapi/alura.overlay.yaml";
/// Every input: the spec and overlay, and the lists the code keeps as Rust literals.
pub const INPUTS: [&str; 5] = [RAW, OVERLAY, errors::SOURCE, errors::BINDING_SOURCE, options::SOURCE];

/// One generated file: where it goes, relative to the root, and what it holds.
pub struct Output {
    pub path: &'static str,
    pub text: String,
}

/// Generates every output from the inputs under `root` ([`INPUTS`]), in memory.
pub fn outputs(root: &Path) -> Result<(Vec<Output>, Vec<String>)> {
    outputs_with(root, false)
}

/// As [`outputs`]; with `allow_stale`, overlay actions that no longer apply upstream are left
/// out (each is a note starting `stale overlay`) instead of stopping generation.
pub fn outputs_with(root: &Path, allow_stale: bool) -> Result<(Vec<Output>, Vec<String>)> {
    let raw = read(root, RAW)?;
    let overlay = read(root, OVERLAY)?;
    let (normalised, notes) = spec::build(&raw, &overlay, allow_stale)?;
    let parsed = spec::validate(&normalised)?;
    let model = Model::build(&normalised)?;
    let client = rust_client::client_file(&parsed)?;
    let [py_operations, py_types, py_assets] = python::generate(&model)?;
    let [js_operations, ts_operations, js_assets, ts_assets] = node::generate(&model)?;
    let kinds = errors::kinds(root)?;
    let [js_errors, ts_errors, mjs_errors] = errors::node(&kinds)?;
    let client_options = options::options(root)?;
    let [js_options, ts_options] = options::node(&client_options)?;
    let outputs = vec![
        ("openapi/alura.json", spec::to_text(&normalised)),
        (
            "crates/alura-api/src/generated/client.rs",
            format!("{}{}", rust_client::HEADER, prettyplease::unparse(&client)),
        ),
        ("crates/alura-api/src/generated/operations.rs", rust_client::operations(&model)?),
        ("crates/alura/src/generated/dispatch.rs", dispatch::generate(&model, &client)?),
        ("crates/alura/src/generated/asset.rs", rust_client::asset_enum(&model)?),
        ("crates/alura/src/generated/client_options.rs", options::rust(&client_options)?),
        ("crates/alura-mock/src/generated/examples.rs", mock_answers::examples(&model)?),
        ("crates/alura-mock/src/generated/assets.rs", mock_answers::assets(&model)?),
        ("bindings/python/python/alura/_generated/__init__.py", python_package()),
        ("bindings/python/python/alura/_generated/operations.py", py_operations),
        ("bindings/python/python/alura/_generated/types.py", py_types),
        ("bindings/python/python/alura/_generated/assets.py", py_assets),
        ("bindings/python/python/alura/_generated/errors.py", errors::python(&kinds)?),
        ("bindings/python/python/alura/_generated/options.py", options::python(&client_options)?),
        ("bindings/node/lib/generated/operations.js", js_operations),
        ("bindings/node/lib/generated/operations.d.ts", ts_operations),
        ("bindings/node/lib/generated/assets.js", js_assets),
        ("bindings/node/lib/generated/assets.d.ts", ts_assets),
        ("bindings/node/lib/generated/errors.js", js_errors),
        ("bindings/node/lib/generated/errors.d.ts", ts_errors),
        ("bindings/node/lib/generated/errors.mjs", mjs_errors),
        ("bindings/node/lib/generated/options.js", js_options),
        ("bindings/node/lib/generated/options.d.ts", ts_options),
        ("docs/errors.md", errors::markdown(&kinds)?),
        ("docs/options.md", options::markdown(&client_options)?),
        ("docs/api/python.md", reference::markdown(&model, Language::Python)?),
        ("docs/api/node.md", reference::markdown(&model, Language::Node)?),
        ("docs/api/rust.md", reference::markdown(&model, Language::Rust)?),
    ];
    let outputs = outputs
        .into_iter()
        .map(|(path, text)| Ok(Output { path, text: format::format(path, text)? }))
        .collect::<Result<_>>()?;
    Ok((outputs, notes))
}

fn python_package() -> String {
    format!(
        "{}\"\"\"What `cargo xtask gen` writes from the spec; `alura` re-exports it.\"\"\"\n",
        python::HEADER
    )
}

/// Writes the outputs that changed; returns the paths written.
pub fn write(root: &Path, outputs: &[Output]) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for out in outputs {
        let path = root.join(out.path);
        if fs::read_to_string(&path).ok().as_deref() != Some(out.text.as_str()) {
            if let Some(dir) = path.parent() {
                fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            }
            fs::write(&path, &out.text).with_context(|| format!("writing {}", path.display()))?;
            written.push(path);
        }
    }
    Ok(written)
}

/// The outputs whose committed file differs from what generation gives.
pub fn stale(root: &Path, outputs: &[Output]) -> Vec<&'static str> {
    outputs
        .iter()
        .filter(|out| fs::read_to_string(root.join(out.path)).ok().as_deref() != Some(out.text.as_str()))
        .map(|out| out.path)
        .collect()
}

/// Runs `gen` or `gen --check` under `root`.
pub fn run(root: &Path, check: bool, verbose: bool, allow_stale: bool) -> Result<()> {
    let (outputs, notes) = outputs_with(root, allow_stale)?;
    let (skipped, notes): (Vec<_>, Vec<_>) = notes.iter().partition(|n| n.starts_with("stale overlay"));
    if verbose {
        notes.iter().for_each(|n| eprintln!("normalise: {n}"));
    }
    if !skipped.is_empty() {
        skipped.iter().for_each(|n| eprintln!("warning: {n}"));
        let help = crate::spec::overlay::STALE_HELP;
        eprintln!("warning: generated without {} stale overlay action(s): {help}", skipped.len());
    }
    if check {
        let stale = stale(root, &outputs);
        if !stale.is_empty() {
            bail!("generated files are stale, run `cargo xtask gen`: {}", stale.join(", "));
        }
        println!("gen --check: {} generated files are current", outputs.len());
    } else {
        for path in write(root, &outputs)? {
            println!("wrote {}", path.strip_prefix(root).unwrap_or(&path).display());
        }
    }
    Ok(())
}

fn read(root: &Path, rel: &str) -> Result<String> {
    fs::read_to_string(root.join(rel)).with_context(|| format!("reading {rel}"))
}
