//! The shape of the house: the bindings mirror each other file for file, and no crate's modules
//! import each other in a circle.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// What each binding has, under the same name or under its language's name for it.
const MIRRORED: [(&str, &str); 14] = [
    ("client.rs", "client.rs"),
    ("options.rs", "options.rs"),
    ("errors.rs", "errors.rs"),
    ("from_python.rs", "from_js.rs"),
    ("to_python", "to_js"),
    ("completion.rs", "completion.rs"),
    ("loop_runtime.rs", "loop_runtime.rs"),
    ("logging.rs", "logging.rs"),
    ("signer.rs", "signer.rs"),
    ("mock.rs", "mock.rs"),
    ("watch.rs", "watch.rs"),
    ("arrow.rs", "arrow.rs"),
    ("cli.rs", "cli.rs"),
    ("early.rs", "early.rs"),
];

/// What only one language has.
const PYTHON_ONLY: [&str; 2] = ["lib.rs", "runtime.rs"];
const NODE_ONLY: [&str; 4] = ["lib.rs", "abort.rs", "callback.rs", "uv.rs"];

fn names(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect()
}

#[test]
fn the_bindings_mirror_each_other_file_for_file() {
    let root = xtask::root();
    let python = names(&root.join("bindings/python/src"));
    let node = names(&root.join("bindings/node/src"));
    for (py, js) in MIRRORED {
        assert!(python.contains(py) && node.contains(js), "{py} (Python) mirrors {js} (Node)");
    }
    let known_py: BTreeSet<&str> = MIRRORED.iter().map(|m| m.0).chain(PYTHON_ONLY).collect();
    let known_js: BTreeSet<&str> = MIRRORED.iter().map(|m| m.1).chain(NODE_ONLY).collect();
    let odd_py: Vec<&String> = python.iter().filter(|n| !known_py.contains(n.as_str())).collect();
    let odd_js: Vec<&String> = node.iter().filter(|n| !known_js.contains(n.as_str())).collect();
    assert!(
        odd_py.is_empty() && odd_js.is_empty(),
        "unmirrored: Python {odd_py:?}, Node {odd_js:?}: give the other binding its counterpart, or list it as one language's own"
    );
}

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The crate-level module a file belongs to: `transport` for `src/transport/retry.rs`. A
/// `generated/` folder is a fence around unrelated files, each a module of its own.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().trim_end_matches(".rs").to_owned())
        .collect();
    if parts[0] == "generated" && parts.len() > 1 { parts[..2].join("::") } else { parts[0].clone() }
}

/// The modules of one crate that a file names through `crate::` (including `use crate::{a, b}`),
/// in its code: tests (a `#[cfg(test)]` module at the end) may reach anywhere.
fn imports(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = text.split("#[cfg(test)]").next().unwrap_or(text);
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        let names: Vec<String> = if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            group[..end].split(',').map(|n| module_path(n.trim())).collect()
        } else {
            vec![module_path(rest)]
        };
        found.extend(names.into_iter().filter(|n| n.starts_with(|c: char| c.is_ascii_lowercase())));
    }
    found
}

/// The module a path after `crate::` names: its first segment, two for `generated::x`.
fn module_path(path: &str) -> String {
    let mut segments =
        path.split("::").map(|s| s.split(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap_or(""));
    let first = segments.next().unwrap_or("").to_owned();
    match (first.as_str(), segments.next()) {
        ("generated", Some(second)) if !second.is_empty() => format!("generated::{second}"),
        _ => first,
    }
}

/// The circles among the crate-level modules under `src`, as lists of module names.
fn circles(src: &Path) -> Vec<Vec<String>> {
    let mut files = Vec::new();
    sources(src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let from = module_of(src, file);
        let text = fs::read_to_string(file).unwrap();
        let to: Vec<String> =
            imports(&text).into_iter().filter(|m| *m != from && m != "lib" && m != "main").collect();
        graph.entry(from).or_default().extend(to);
    }
    let modules: Vec<String> = graph.keys().cloned().collect();
    let reaches = |from: &str, to: &str| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.to_owned()];
        while let Some(m) = stack.pop() {
            for next in graph.get(&m).into_iter().flatten() {
                if next == to {
                    return true;
                }
                if seen.insert(next.clone()) {
                    stack.push(next.clone());
                }
            }
        }
        false
    };
    let mut out: Vec<Vec<String>> = Vec::new();
    for m in &modules {
        if out.iter().any(|c| c.contains(m)) || !reaches(m, m) {
            continue;
        }
        out.push(modules.iter().filter(|o| reaches(m, o) && reaches(o, m)).cloned().collect());
    }
    out
}

#[test]
fn no_crate_imports_its_own_modules_in_a_circle() {
    assert_eq!(imports("use crate::{a, b::c};\nuse crate::d::E;"), ["a", "b", "d"].map(str::to_owned).into());
    let root = xtask::root();
    let crates = [
        "crates/alura-api/src",
        "crates/alura/src",
        "crates/alura-ffi/src",
        "crates/alura-mock/src",
        "bindings/python/src",
        "bindings/node/src",
        "xtask/src",
    ];
    let found: Vec<String> = crates
        .iter()
        .flat_map(|dir| {
            circles(&root.join(dir)).into_iter().map(move |c| format!("{dir}: {}", c.join(" <-> ")))
        })
        .collect();
    assert!(found.is_empty(), "modules that import each other:\n{}", found.join("\n"));
}
