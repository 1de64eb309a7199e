//! An opt-in token cache on disk, so a restarted notebook kernel or a redeployed service reuses
//! its token instead of logging in again. One JSON file, private to the user (0600), holding a
//! token per base URL and address, replaced atomically; a file that is corrupt or readable by
//! others is ignored with a warning, never trusted.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use alloy_primitives::Address;
use serde::{Deserialize, Serialize};

use crate::auth::token::{Secret, TokenInfo};

/// Where the cache lives and whose entries this client reads.
#[derive(Clone, Debug)]
pub(crate) struct TokenCache {
    path: PathBuf,
    base_url: String,
}

#[derive(Serialize, Deserialize, Default)]
struct File {
    version: u32,
    tokens: BTreeMap<String, Entry>,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    token: String,
    /// Seconds since the epoch.
    #[serde(rename = "expiresAt")]
    expires_at: Option<u64>,
}

/// The default cache file: `alura/tokens.json` under the user's cache directory.
pub fn default_path() -> Option<PathBuf> {
    let home = || std::env::var_os("HOME").filter(|h| !h.is_empty()).map(PathBuf::from);
    let dir = if cfg!(target_os = "windows") {
        std::env::var_os("LOCALAPPDATA").map(PathBuf::from)
    } else if cfg!(target_os = "macos") {
        home().map(|h| h.join("Library/Caches"))
    } else {
        std::env::var_os("XDG_CACHE_HOME")
            .filter(|d| Path::new(d).is_absolute())
            .map(PathBuf::from)
            .or_else(|| home().map(|h| h.join(".cache")))
    };
    dir.map(|d| d.join("alura").join("tokens.json"))
}

impl TokenCache {
    pub(crate) fn new(path: PathBuf, base_url: &str) -> Self {
        Self { path, base_url: base_url.to_owned() }
    }

    fn key(&self, address: Address) -> String {
        format!("{} {}", self.base_url, address.to_checksum(None))
    }

    /// The saved token for `address`, if there is a trustworthy one.
    pub(crate) fn load(&self, address: Address) -> Option<(Secret, Option<SystemTime>)> {
        let file = self.read()?;
        let entry = file.tokens.get(&self.key(address))?;
        let at = entry.expires_at.and_then(|s| UNIX_EPOCH.checked_add(Duration::from_secs(s)));
        Some((Secret::new(entry.token.clone()), at))
    }

    /// Saves `token` for `address`, keeping the other entries. Failing to save only warns: the
    /// cache saves a login, it is never needed for one.
    pub(crate) fn save(&self, address: Address, token: &TokenInfo) {
        let mut file = self.read().unwrap_or_default();
        file.version = 1;
        let expires_at =
            token.expires_at.and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map(|d| d.as_secs());
        file.tokens.insert(self.key(address), Entry { token: token.value().to_owned(), expires_at });
        if let Err(e) = self.write(&file) {
            tracing::warn!(target: "alura::token_cache", path = %self.path.display(), "cannot save the token: {e}");
        }
    }

    fn read(&self) -> Option<File> {
        // Not followed through a link: the file itself must be a private regular file.
        let meta = fs::symlink_metadata(&self.path).ok()?;
        if !private(&meta) {
            tracing::warn!(
                target: "alura::token_cache",
                path = %self.path.display(),
                "ignoring the token cache: other users can read or change it"
            );
            return None;
        }
        let text = fs::read(&self.path).ok()?;
        match serde_json::from_slice::<File>(&text) {
            Ok(file) if file.version == 1 => Some(file),
            _ => {
                tracing::warn!(
                    target: "alura::token_cache",
                    path = %self.path.display(),
                    "ignoring the token cache: it is not a token cache of this SDK"
                );
                None
            }
        }
    }

    /// Writes a new file beside the old one, private from its first byte, then renames it
    /// over: a reader sees the old file or the new one, never half of one.
    fn write(&self, file: &File) -> std::io::Result<()> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        create_private_dir(dir)?;
        // A fresh, unguessable name, created new: never a file or link someone else prepared.
        let suffix: u64 = rand::random();
        let tmp = dir.join(format!(".tokens.{}.{suffix:016x}.tmp", std::process::id()));
        let mut out = open_private(&tmp)?;
        out.write_all(&serde_json::to_vec_pretty(file).map_err(std::io::Error::other)?)?;
        out.sync_all()?;
        drop(out);
        fs::rename(&tmp, &self.path).inspect_err(|_| {
            let _ = fs::remove_file(&tmp);
        })
    }
}

#[cfg(unix)]
fn private(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.is_file() && meta.permissions().mode() & 0o077 == 0
}

#[cfg(not(unix))]
fn private(meta: &fs::Metadata) -> bool {
    meta.is_file()
}

#[cfg(unix)]
fn open_private(path: &Path) -> std::io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)
}

#[cfg(not(unix))]
fn open_private(path: &Path) -> std::io::Result<fs::File> {
    fs::OpenOptions::new().write(true).create_new(true).open(path)
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    fs::create_dir_all(dir)
}
