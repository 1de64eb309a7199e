//! The README's Rust examples, run as doctests exactly as they read (`alura::Readme`, compiled
//! only under `--cfg alura_readme`) against the simulator, with the environment a user would
//! set. The Python and Node examples are run by their own suites (`tests/test_docs.py`,
//! `test/docs.test.js`), which start a simulator in-process.

use std::path::Path;

use anyhow::Result;

use crate::checks::fuzz::Simulator;
use crate::process;

pub fn rust(root: &Path, target: &[(&str, &str)]) -> Result<()> {
    let simulator = Simulator::build_and_start(root)?;
    // A fresh wallet's key, as `0x` and 64 hex digits.
    let key = alloy_signer_local::PrivateKeySigner::random().to_bytes().to_string();
    let cache = root.join("target/readme-cache");
    let cache = cache.to_str().unwrap_or("target/readme-cache");
    let envs = [
        target[0],
        ("RUSTDOCFLAGS", "--cfg alura_readme"),
        ("ALURA_BASE_URL", simulator.url.as_str()),
        ("ALURA_PRIVATE_KEY", key.as_str()),
        // The examples' token cache goes here, not into the user's home.
        ("XDG_CACHE_HOME", cache),
    ];
    println!("the README's Rust examples, against the simulator at {}", simulator.url);
    process::cargo_with(root, &["test", "--quiet", "-p", "alura", "--doc", "Readme"], &envs)
}
