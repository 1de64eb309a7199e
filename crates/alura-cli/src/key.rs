//! Where the wallet key comes from, first that applies: `--keystore` (an Ethereum JSON keystore,
//! its password from `ALURA_KEYSTORE_PASSWORD` or asked without echo), the profile or
//! `ALURA_PRIVATE_KEY`, or, for `alura login` on a terminal, the key itself asked without echo.
//! Nothing here prints a key or a password, and neither is kept past the signer made from it.

use std::io::IsTerminal;
use std::path::Path;

use alloy_signer_local::{LocalSignerError, PrivateKeySigner};

use crate::Failure;

/// The keystore's password, when it is not to be asked.
pub const PASSWORD_ENV: &str = "ALURA_KEYSTORE_PASSWORD";

/// The signer in a keystore file.
pub fn from_keystore(path: &Path) -> Result<PrivateKeySigner, Failure> {
    let shown = path.display();
    if !path.is_file() {
        return Err(Failure::Usage(format!("--keystore {shown}: no such file")));
    }
    let password = match std::env::var(PASSWORD_ENV) {
        Ok(p) => p,
        Err(_) => ask(&format!("password of {shown} (not shown): "), &format!("set {PASSWORD_ENV}"))?,
    };
    PrivateKeySigner::decrypt_keystore(path, password.as_bytes()).map_err(|e| {
        Failure::Usage(match e {
            LocalSignerError::EthKeystoreError(eth) if eth.to_string().contains("Mac Mismatch") => {
                format!("--keystore {shown}: the password is wrong (or the file is damaged)")
            }
            other => format!("--keystore {shown} could not be read: {}", other),
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
    rpassword::prompt_password(prompt).map(|s| s.trim().to_owned()).map_err(Failure::io)
}
