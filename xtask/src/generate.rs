//! `cargo xtask gen [--check]`: every generated file, written or compared.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::{dispatch, node, python, rust_client, spec};

/// The inputs, relative to the workspace root.
pub const RAW: &str = "openapi/alura.raw.json";
pub const OVERLAY: &str = "openapi/alura.overlay.yaml";

/// One generated file: where it goes, relative to the root, and what it holds.
pub struct Output {
    pub path: &'static str,
    pub text: String,
}

/// Generates every output from the inputs under `root`, in memory.
pub fn outputs(root: &Path) -> Result<(Vec<Output>, Vec<String>)> {
    let raw = read(root, RAW)?;
    let overlay = read(root, OVERLAY)?;
    let (normalised, notes) = spec::build(&raw, &overlay)?;
    let parsed = spec::validate(&normalised)?;
    let client = rust_client::client_file(&parsed)?;
    let outputs = vec![
        Output { path: "openapi/alura.json", text: spec::to_text(&normalised) },
        Output {
            path: "crates/alura-api/src/generated.rs",
            text: format!("{}{}", rust_client::HEADER, prettyplease::unparse(&client)),
        },
        Output { path: "crates/alura-api/src/operations.rs", text: rust_client::operations(&normalised)? },
        Output { path: "crates/alura/src/dispatch.rs", text: dispatch::generate(&normalised, &client)? },
    ];
    let (python_methods, python_types) = python::generate(&normalised)?;
    let (node_methods, node_types) = node::generate(&normalised)?;
    let outputs = outputs
        .into_iter()
        .chain([
            Output { path: "bindings/python/python/alura/_generated.py", text: python_methods },
            Output { path: "bindings/python/python/alura/types.py", text: python_types },
            Output { path: "bindings/node/lib/generated.js", text: node_methods },
            Output { path: "bindings/node/lib/generated.d.ts", text: node_types },
        ])
        .collect();
    Ok((outputs, notes))
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
pub fn run(root: &Path, check: bool, verbose: bool) -> Result<()> {
    let (outputs, notes) = outputs(root)?;
    if verbose {
        notes.iter().for_each(|n| eprintln!("normalise: {n}"));
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
