//! Where the CLI's settings come from, first found first: flags, the environment
//! (`ALURA_BASE_URL`, `ALURA_PRIVATE_KEY`), then a profile of `~/.config/alura/config.toml`:
//!
//! ```toml
//! default = "local"
//!
//! [profiles.local]
//! base_url = "http://127.0.0.1:8080"
//!
//! [profiles.testnet]
//! base_url = "https://testnet-api.alura.fun"
//! ```
//!
//! Keys are never read from the file: a file is easily shared, an environment is not.

use std::path::PathBuf;

use toml::Table;

/// The settings a command runs with.
pub struct Settings {
    pub base_url: Option<String>,
    pub private_key: Option<String>,
}

/// The config file: `$XDG_CONFIG_HOME/alura/config.toml`, or `~/.config/alura/config.toml`.
pub fn path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("alura/config.toml"))
}

/// The settings, first found first: `base_url` (the flag); the profile named by `--profile`;
/// `ALURA_BASE_URL`; the file's `default` profile. A profile asked for by name beats the
/// environment, so `--profile local` never sends to where a forgotten export points.
pub fn settings(base_url: Option<String>, profile: Option<&str>) -> Result<Settings, String> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let base_url = match (base_url, profile) {
        (Some(url), _) => Some(url),
        (None, Some(name)) => {
            Some(profile_base_url(Some(name))?.ok_or_else(|| format!("no profile {name}"))?)
        }
        (None, None) => match env("ALURA_BASE_URL") {
            Some(url) => Some(url),
            None => profile_base_url(None)?,
        },
    };
    Ok(Settings { base_url, private_key: env("ALURA_PRIVATE_KEY") })
}

/// The `base_url` of the profile `name` (or of the file's `default`); `None` when there is no
/// file, or no default, and none was named.
fn profile_base_url(name: Option<&str>) -> Result<Option<String>, String> {
    let Some(path) = path() else { return Ok(None) };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(_) if name.is_none() => return Ok(None),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let at = |what: String| format!("{}: {what}", path.display());
    let table: Table = text.parse().map_err(|e| at(format!("{e}")))?;
    if let Some(key) = table.keys().find(|k| !["default", "profiles"].contains(&k.as_str())) {
        return Err(at(format!("unknown key {key} (default and [profiles.NAME] are known)")));
    }
    let name = match name {
        Some(name) => name.to_owned(),
        None => match table.get("default") {
            None => return Ok(None),
            Some(d) => d.as_str().ok_or_else(|| at("default must be a profile's name".into()))?.to_owned(),
        },
    };
    let profile = table
        .get("profiles")
        .and_then(|p| p.get(&name))
        .and_then(|p| p.as_table())
        .ok_or_else(|| at(format!("no profile [profiles.{name}]")))?;
    if let Some(key) = profile.keys().find(|k| k.as_str() != "base_url") {
        return Err(at(format!(
            "[profiles.{name}]: unknown key {key} (only base_url; keys come from ALURA_PRIVATE_KEY)"
        )));
    }
    let url = profile.get("base_url").and_then(|u| u.as_str());
    url.map(|u| Some(u.to_owned())).ok_or_else(|| at(format!("[profiles.{name}] has no base_url")))
}
