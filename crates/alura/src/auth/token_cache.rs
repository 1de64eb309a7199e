//! An opt-in token cache on disk, so a restarted notebook kernel or a redeployed service reuses
//! its token instead of logging in again. One JSON file, private to the user (0600), holding a
//! token per base URL and address, replaced atomically; a file that is corrupt or readable by
//! others is ignored with a warning, never trusted. Processes sharing the file take turns to
//! change it (an advisory lock on a file beside it), so none loses another's token.

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
        let expires_at =
            token.expires_at.and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map(|d| d.as_secs());
        let saved = self.locked(|| {
            // Read under the lock: another process may have saved its token since.
            let mut file = self.read().unwrap_or_default();
            file.version = 1;
            file.tokens.insert(self.key(address), Entry { token: token.value().to_owned(), expires_at });
            self.write(&file)
        });
        if let Err(e) = saved {
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

    /// Runs `change` holding an exclusive advisory lock on `<file>.lock` (the OS's, `flock` or
    /// `LockFileEx`): the cache's read, change and write are one step for every process.
    fn locked<T>(&self, change: impl FnOnce() -> std::io::Result<T>) -> std::io::Result<T> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        create_private_dir(dir)?;
        let mut name = self.path.file_name().unwrap_or_default().to_os_string();
        name.push(".lock");
        let lock = open_lock(&dir.join(name))?;
        // Bounded: a process stopped while holding the lock must not hang every login of ours.
        let mut tries = 0u32;
        loop {
            match lock.try_lock() {
                Ok(()) => break,
                Err(std::fs::TryLockError::WouldBlock) if tries < 100 => {
                    tries = tries.saturating_add(1);
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(std::io::Error::other("another process holds the cache's lock"));
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(e),
            }
        }
        let out = change();
        // Closing the file releases the lock.
        drop(lock);
        out
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

/// The lock file, made private if it is new; it never holds anything.
#[cfg(unix)]
fn open_lock(path: &Path) -> std::io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new().read(true).write(true).create(true).truncate(false).mode(0o600).open(path)
}

#[cfg(not(unix))]
fn open_lock(path: &Path) -> std::io::Result<fs::File> {
    fs::OpenOptions::new().read(true).write(true).create(true).truncate(false).open(path)
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

#[cfg(test)]
mod tests {
    use std::process::Command;

    use super::*;
    use crate::auth::token::Token;

    const RACE: &str = "ALURA_TOKEN_CACHE_RACE";
    const SAVES: u16 = 150;

    fn address(process: u8, n: u16) -> Address {
        let mut bytes = [0u8; 20];
        bytes[0] = process;
        bytes[1..3].copy_from_slice(&n.to_be_bytes());
        Address::from(bytes)
    }

    fn info(text: &str) -> TokenInfo {
        Token::new(Secret::new(text.to_owned()), Some(Duration::from_secs(3600)), 1).unwrap().info()
    }

    /// Two processes each save their own tokens into one cache file at the same time: every
    /// token of both is there at the end. Without the lock, one process's read-change-write
    /// overwrites what the other saved in between.
    #[test]
    fn two_processes_saving_at_once_keep_each_others_tokens() {
        if let Ok(path) = std::env::var(RACE) {
            let process: u8 = std::env::var("ALURA_TOKEN_CACHE_RACE_PROCESS").unwrap().parse().unwrap();
            let cache = TokenCache::new(PathBuf::from(path), "http://h");
            // Both start at the same moment, so their saves overlap.
            let at: u64 = std::env::var("ALURA_TOKEN_CACHE_RACE_AT").unwrap().parse().unwrap();
            let start = UNIX_EPOCH + Duration::from_millis(at);
            while SystemTime::now() < start {
                std::thread::yield_now();
            }
            for n in 0..SAVES {
                cache.save(address(process, n), &info(&format!("token-{process}-{n}")));
            }
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens.json");
        let name = "auth::token_cache::tests::two_processes_saving_at_once_keep_each_others_tokens";
        let at = SystemTime::now().duration_since(UNIX_EPOCH).unwrap() + Duration::from_millis(300);
        let children: Vec<_> = (0..2u8)
            .map(|process| {
                Command::new(std::env::current_exe().unwrap())
                    .args(["--exact", name, "--test-threads=1", "--quiet"])
                    .env(RACE, &path)
                    .env("ALURA_TOKEN_CACHE_RACE_PROCESS", process.to_string())
                    .env("ALURA_TOKEN_CACHE_RACE_AT", at.as_millis().to_string())
                    .stdout(std::process::Stdio::null())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for mut child in children {
            assert!(child.wait().unwrap().success());
        }
        let cache = TokenCache::new(path, "http://h");
        let lost: Vec<String> = (0..2u8)
            .flat_map(|p| (0..SAVES).map(move |n| (p, n)))
            .filter(|&(p, n)| {
                cache.load(address(p, n)).is_none_or(|(t, _)| t.expose() != format!("token-{p}-{n}"))
            })
            .map(|(p, n)| format!("{p}/{n}"))
            .collect();
        assert!(lost.is_empty(), "{} tokens lost to the other process: {lost:?}", lost.len());
    }
}
