//! The npm packages: the main one, and one addon package per platform that it lists in
//! `optionalDependencies`.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, ensure};
use serde_json::{Map, Value, json};

use super::version::{npm_json, read_json, workspace_version};
use super::{PLATFORMS, Platform, copy_dir, fresh_dir, output, size};

/// The npm package holding the addon for `p`, derived from the main package's manifest.
pub(super) fn addon_manifest(main: &Value, p: &Platform) -> Value {
    let name = main["name"].as_str().unwrap_or("alura");
    let binary = main["napi"]["binaryName"].as_str().unwrap_or(name);
    let file = format!("{binary}.{}.node", p.node);
    let mut m = Map::new();
    m.insert("name".into(), json!(format!("{name}-{}", p.node)));
    m.insert("version".into(), main["version"].clone());
    m.insert(
        "description".into(),
        json!(format!(
            "The {} native addon of {name}, the Alura Trading SDK for Node (installed by {name})",
            p.label
        )),
    );
    for key in ["license", "author", "homepage", "repository", "bugs"] {
        if let Some(v) = main.get(key) {
            m.insert(key.into(), v.clone());
        }
    }
    m.insert("os".into(), json!([p.os]));
    m.insert("cpu".into(), json!([p.cpu]));
    if let Some(libc) = p.libc {
        m.insert("libc".into(), json!([libc]));
    }
    m.insert("main".into(), json!(file));
    m.insert("files".into(), json!([file, "LICENSE-MIT", "LICENSE-APACHE"]));
    if let Some(v) = main.get("engines") {
        m.insert("engines".into(), v.clone());
    }
    Value::Object(m)
}

pub(super) fn addon_readme(main: &Value, p: &Platform) -> String {
    let name = main["name"].as_str().unwrap_or("alura");
    format!(
        "# `{name}-{node}`\n\nThe {label} native addon (`{triple}`) of [`{name}`](https://www.npmjs.com/package/{name}), \
         the Alura Trading SDK for Node.\n\nDo not install it yourself: `npm install {name}` picks the addon for your \
         platform as an optional dependency.\n",
        node = p.node,
        label = p.label,
        triple = p.triple,
    )
}

/// `npm pack` of the package in `dir` into `out`; the tarball's path.
fn npm_pack(dir: &Path, out: &Path) -> Result<PathBuf> {
    let dest = out.to_str().context("a UTF-8 path")?;
    let name = output("npm", &["pack", "--silent", "--pack-destination", dest], dir)?;
    let name = name.lines().last().context("npm pack named no tarball")?.trim();
    Ok(out.join(name))
}

/// Lays out and packs the npm packages into `out`: the main package (JavaScript, the loader and
/// types from `native`, `optionalDependencies` on every platform's addon package) and one package
/// per addon given. Returns the tarballs, the main package's first.
pub fn pack_npm(
    root: &Path,
    out: &Path,
    native: &Path,
    addons: &[(&Platform, PathBuf)],
) -> Result<Vec<PathBuf>> {
    let node = root.join("bindings/node");
    let stage = out.join("stage");
    fresh_dir(&stage)?;
    let mut main = read_json(&node.join("package.json"))?;
    let name = main["name"].as_str().context("package.json has a name")?.to_owned();
    let version = workspace_version(root)?;
    ensure!(main["version"] == json!(version), "bindings/node/package.json: run `cargo xtask version`");

    let dir = stage.join(&name);
    copy_dir(&node.join("lib"), &dir.join("lib"))?;
    copy_dir(&node.join("bin"), &dir.join("bin"))?;
    fs::create_dir_all(dir.join("native"))?;
    fs::copy(node.join("npm/native-index.js"), dir.join("native/index.js"))?;
    for file in ["napi.cjs", "index.d.ts"] {
        fs::copy(native.join(file), dir.join("native").join(file))
            .with_context(|| format!("{}: build the addon first", native.join(file).display()))?;
    }
    fs::copy(node.join("README.md"), dir.join("README.md"))?;
    for file in ["LICENSE-MIT", "LICENSE-APACHE"] {
        fs::copy(root.join(file), dir.join(file))?;
    }
    let m = main.as_object_mut().context("package.json is an object")?;
    // Scripts and dev tools are for building in the repository, not for users.
    m.remove("scripts");
    m.remove("devDependencies");
    let optional: Map<String, Value> =
        PLATFORMS.iter().map(|p| (format!("{name}-{}", p.node), json!(version))).collect();
    m.insert("optionalDependencies".into(), Value::Object(optional));
    fs::write(dir.join("package.json"), npm_json(&main))?;
    let mut tarballs = vec![npm_pack(&dir, out)?];

    let manifest = read_json(&node.join("package.json"))?;
    for (p, addon) in addons {
        let pkg = addon_manifest(&manifest, p);
        let dir = stage.join(pkg["name"].as_str().context("a name")?);
        fs::create_dir_all(&dir)?;
        let file = pkg["main"].as_str().context("a main file")?;
        fs::copy(addon, dir.join(file)).with_context(|| format!("copying {}", addon.display()))?;
        fs::write(dir.join("package.json"), npm_json(&pkg))?;
        fs::write(dir.join("README.md"), addon_readme(&manifest, p))?;
        for file in ["LICENSE-MIT", "LICENSE-APACHE"] {
            fs::copy(root.join(file), dir.join(file))?;
        }
        tarballs.push(npm_pack(&dir, out)?);
    }
    Ok(tarballs)
}

/// `cargo xtask pack-npm`: the npm tarballs from addons built elsewhere (the release workflow's
/// runners): every `alura.<platform>.node` found under `addons`, napi's loader and types from
/// `native`, tarballs into `out`.
pub fn pack_npm_from(root: &Path, native: &Path, addons: &Path, out: &Path) -> Result<()> {
    let mut found = Vec::new();
    let mut dirs = vec![addons.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
            let path = entry?.path();
            if path.is_dir() {
                dirs.push(path);
            } else if let Some(p) =
                PLATFORMS.iter().find(|p| path.ends_with(format!("alura.{}.node", p.node)))
            {
                ensure!(
                    !found.iter().any(|(q, _): &(&Platform, PathBuf)| q.node == p.node),
                    "two addons for {}",
                    p.node
                );
                found.push((p, path));
            }
        }
    }
    found.sort_by_key(|(p, _)| PLATFORMS.iter().position(|q| q.node == p.node));
    ensure!(!found.is_empty(), "no alura.<platform>.node under {}", addons.display());
    fs::create_dir_all(out)?;
    for tarball in pack_npm(root, out, native, &found)? {
        println!("{:>8}  {}", size(&tarball), tarball.display());
    }
    Ok(())
}
