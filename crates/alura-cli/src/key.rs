//! Where the wallet key comes from, first that applies: `--keystore` (an Ethereum JSON keystore,
//! its password from `ALURA_KEYSTORE_PASSWORD` or asked without echo), the profile or
//! `ALURA_PRIVATE_KEY`, the last `alura login` for the API (its token, from the token cache), or,
//! for `alura login` on a terminal, the key itself asked without echo. Nothing here prints a key
//! or a password, and neither is kept past the signer made from it.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use alloy_primitives::{Address, B256, ChainId, Signature};
use alloy_signer_local::{LocalSignerError, PrivateKeySigner};
use eth_keystore::KeystoreError;

use crate::Failure;

/// The keystore's password, when it is not to be asked.
pub const PASSWORD_ENV: &str = "ALURA_KEYSTORE_PASSWORD";

/// What a command needs of the key.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Public calls: no key is looked for, and a keystore is not opened.
    Nothing,
    /// Calls that log in: a key, else the token of the last `alura login`.
    Sign,
    /// `alura login`: a key, else one asked for on the terminal.
    Ask,
}

fn bad_input(message: String) -> Failure {
    Failure::Sdk(alura::Error::InvalidInput { message })
}

/// The signer in a keystore file.
pub fn from_keystore(path: &Path) -> Result<PrivateKeySigner, Failure> {
    let shown = path.display();
    let password = match std::env::var(PASSWORD_ENV) {
        Ok(p) => p,
        Err(_) => ask(&format!("password of {shown} (not shown): "), &format!("set {PASSWORD_ENV}"))?,
    };
    // The parser's own words are never shown: for a file that holds a bare key, they quote it.
    PrivateKeySigner::decrypt_keystore(path, password.as_bytes()).map_err(|e| {
        bad_input(match e {
            LocalSignerError::EthKeystoreError(KeystoreError::MacMismatch) => {
                format!("--keystore {shown}: the password is wrong (or the file is damaged)")
            }
            LocalSignerError::EthKeystoreError(KeystoreError::StdIo(io)) => {
                format!("--keystore {shown} cannot be read: {io}")
            }
            _ => format!("--keystore {shown} is not an Ethereum JSON keystore (version 3) that can be read"),
        })
    })
}

/// The private key, typed on the terminal.
pub fn ask_private_key() -> Result<String, Failure> {
    ask("private key (0x + 64 hex digits, not shown): ", "set ALURA_PRIVATE_KEY or pass --keystore")
}

/// A line typed on the terminal without echo; `otherwise` says what to do where there is none.
fn ask(prompt: &str, otherwise: &str) -> Result<String, Failure> {
    if !std::io::stdin().is_terminal() {
        return Err(Failure::Usage(format!("no terminal to ask on: {otherwise}")));
    }
    let answer = without_interrupts(|| rpassword::prompt_password(prompt));
    match answer {
        Ok(line) => Ok(line.trim().to_owned()),
        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => Err(Failure::Interrupted),
        Err(e) => Err(Failure::io(e)),
    }
}

/// Runs `f` with Ctrl-C ignored: the prompt reads it as a key, restores the terminal's echo, and
/// reports it as `Interrupted`. Left to kill the process, it would leave the terminal not
/// echoing.
fn without_interrupts<T>(f: impl FnOnce() -> T) -> T {
    #[cfg(unix)]
    {
        // SAFETY: swapping SIGINT's disposition and putting it back; no handler code runs.
        let before = unsafe { libc::signal(libc::SIGINT, libc::SIG_IGN) };
        let out = f();
        unsafe { libc::signal(libc::SIGINT, before) };
        out
    }
    #[cfg(not(unix))]
    f()
}

/// The file that says who logged in last with `alura login`, per API: addresses only, beside the
/// token cache that holds their tokens.
fn logins_file() -> Option<PathBuf> {
    alura::default_token_cache_path().map(|cache| cache.with_file_name("cli-logins"))
}

/// The address of the last `alura login` at `base_url`.
pub fn remembered(base_url: &str) -> Option<Address> {
    let text = std::fs::read_to_string(logins_file()?).ok()?;
    text.lines().find_map(|line| line.strip_prefix(base_url)?.strip_prefix(' ')?.trim().parse().ok())
}

/// Notes `address` as the last login at `base_url`; failing to only means logging in again.
pub fn remember(base_url: &str, address: Address) {
    let Some(file) = logins_file() else { return };
    let old = std::fs::read_to_string(&file).unwrap_or_default();
    let mut lines: Vec<String> =
        old.lines().filter(|l| l.split(' ').next() != Some(base_url)).map(str::to_owned).collect();
    lines.push(format!("{base_url} {address}"));
    let saved = file
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::write(&file, lines.join("\n") + "\n"));
    if let Err(e) = saved {
        eprintln!("warning: {} not written ({e}): the next command will need the key again", file.display());
    }
}

/// The last login's address as a signer that cannot sign: the client finds that login's token in
/// the token cache, and when it has lapsed the call says to log in again.
#[derive(Debug)]
pub struct Remembered(pub Address);

#[async_trait::async_trait]
impl alloy_signer::Signer for Remembered {
    async fn sign_hash(&self, _hash: &B256) -> alloy_signer::Result<Signature> {
        Err(alloy_signer::Error::other(format!(
            "the login of {} has lapsed: run `alura login`, or set ALURA_PRIVATE_KEY or --keystore",
            self.0
        )))
    }

    fn address(&self) -> Address {
        self.0
    }

    fn chain_id(&self) -> Option<ChainId> {
        None
    }

    fn set_chain_id(&mut self, _chain_id: Option<ChainId>) {}
}
