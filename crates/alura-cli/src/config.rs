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

/// The settings from `base_url` (a flag), the environment and the profile `profile` (or the
/// file's `default`).
pub fn settings(base_url: Option<String>, profile: Option<&str>) -> Result<Settings, String> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let from_file = match (base_url.is_some() || env("ALURA_BASE_URL").is_some(), profile) {
        (true, None) => None,
        _ => profile_base_url(profile)?,
    };
    Ok(Settings {
        base_url: base_url.or_else(|| env("ALURA_BASE_URL")).or(from_file),
        private_key: env("ALURA_PRIVATE_KEY"),
    })
}

fn profile_base_url(profile: Option<&str>) -> Result<Option<String>, String> {
    let Some(path) = path() else { return Ok(None) };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(_) if profile.is_none() => return Ok(None),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let table: Table = text.parse().map_err(|e| format!("{}: {e}", path.display()))?;
    let name = match profile {
        Some(name) => Some(name.to_owned()),
        None => table.get("default").and_then(|d| d.as_str()).map(str::to_owned),
    };
    let Some(name) = name else { return Ok(None) };
    let found = table.get("profiles").and_then(|p| p.get(&name));
    let Some(found) = found else {
        return Err(format!("{}: no profile [profiles.{name}]", path.display()));
    };
    Ok(found.get("base_url").and_then(|u| u.as_str()).map(str::to_owned))
}
