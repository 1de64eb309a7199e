//! What we agree to sign. A login signature proves control of the wallet to whoever holds it,
//! so the challenge's text must be about this login: our address, the nonce the server gave,
//! and, for a Sign-In with Ethereum (EIP-4361) message, this API's host. Otherwise a server, or
//! anyone in the middle of a plain-HTTP connection, could get a signature that logs us in
//! somewhere else.

use alloy_primitives::Address;

/// Why a challenge's message is refused, or `Ok` when it may be signed.
pub(crate) fn check(message: &str, nonce: &str, address: Address, api_host: &str) -> Result<(), String> {
    let lower = message.to_ascii_lowercase();
    let ours = address.to_checksum(None).to_ascii_lowercase();
    if !lower.contains(&ours) {
        return Err(format!("it does not name our address {}", address.to_checksum(None)));
    }
    // The nonce comes from the same answer: one too short, or found only inside our own
    // address, would make any message pass.
    let nonce = nonce.trim();
    let without_address = lower.replace(&ours, "");
    if nonce.len() < 8 || !without_address.contains(&nonce.to_ascii_lowercase()) {
        return Err("it does not contain the challenge's nonce (of at least 8 characters)".into());
    }
    if lower.contains("wants you to sign in") && siwe_domain(message).is_none() {
        return Err("it looks like a Sign-In with Ethereum message but its first line is not one".into());
    }
    if let Some(domain) = siwe_domain(message) {
        if !same_host(domain, api_host) {
            return Err(format!("it is a sign-in for {domain}, not for {api_host}"));
        }
        if let Some(uri) = field(message, "URI") {
            let host = uri_host(uri);
            if !same_host(host, api_host) {
                return Err(format!("its URI {uri} is not on {api_host}"));
            }
        }
    }
    Ok(())
}

/// The domain of an EIP-4361 message: its first line is
/// `<domain> wants you to sign in with your Ethereum account:`.
fn siwe_domain(message: &str) -> Option<&str> {
    let first = message.lines().next()?.trim();
    first.strip_suffix(" wants you to sign in with your Ethereum account:").map(str::trim)
}

/// The value of a `Name: value` line.
fn field<'a>(message: &'a str, name: &str) -> Option<&'a str> {
    message.lines().find_map(|l| l.trim().strip_prefix(name)?.strip_prefix(':').map(str::trim))
}

/// `https://host:port/path` -> `host:port`.
fn uri_host(uri: &str) -> &str {
    let rest = uri.split_once("://").map_or(uri, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    authority.rsplit_once('@').map_or(authority, |(_, h)| h)
}

/// Hosts compare without case, and a domain without a port matches the host on any port
/// (EIP-4361 allows leaving the port out).
fn same_host(domain: &str, api_host: &str) -> bool {
    domain.eq_ignore_ascii_case(api_host)
        || (!domain.contains(':') && domain.eq_ignore_ascii_case(without_port(api_host)))
}

fn without_port(host: &str) -> &str {
    host.rsplit_once(':').filter(|(_, port)| port.parse::<u16>().is_ok()).map_or(host, |(name, _)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADDRESS: &str = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23";

    fn address() -> Address {
        ADDRESS.parse().unwrap()
    }

    fn siwe(domain: &str, uri: &str, who: &str, nonce: &str) -> String {
        format!(
            "{domain} wants you to sign in with your Ethereum account:\n{who}\n\nSign in to Alura\n\nURI: {uri}\nVersion: 1\nChain ID: 1\nNonce: {nonce}\nIssued At: 2026-11-25T00:00:00Z"
        )
    }

    #[test]
    fn our_own_login_is_signed() {
        let plain = format!("Sign in to Alura\nAddress: {}\nNonce: nonce-42x", ADDRESS.to_lowercase());
        assert_eq!(check(&plain, "nonce-42x", address(), "testnet-api.alura.fun"), Ok(()));
        let message =
            siwe("testnet-api.alura.fun", "https://testnet-api.alura.fun/auth", ADDRESS, "nonce-42x");
        assert_eq!(check(&message, "nonce-42x", address(), "testnet-api.alura.fun"), Ok(()));
        let local = siwe("127.0.0.1:3000", "http://127.0.0.1:3000", ADDRESS, "nonce-001");
        assert_eq!(check(&local, "nonce-001", address(), "127.0.0.1:3000"), Ok(()));
        assert_eq!(
            check(
                &siwe("localhost", "http://localhost:8080/x", ADDRESS, "nonce-001"),
                "nonce-001",
                address(),
                "localhost:8080"
            ),
            Ok(())
        );
    }

    #[test]
    fn a_login_for_something_else_is_refused() {
        let other = "0x000000000000000000000000000000000000dEaD";
        let cases = [
            (
                siwe("evil.example", "https://evil.example", ADDRESS, "nonce-001"),
                "nonce-001",
                "sign-in for evil.example",
            ),
            (
                siwe("testnet-api.alura.fun", "https://evil.example/x", ADDRESS, "nonce-001"),
                "nonce-001",
                "URI https://evil.example/x",
            ),
            (
                siwe("testnet-api.alura.fun", "https://testnet-api.alura.fun", other, "nonce-001"),
                "nonce-001",
                "our address",
            ),
            (
                siwe("testnet-api.alura.fun", "https://testnet-api.alura.fun", ADDRESS, "nonce-001"),
                "nonce-002",
                "nonce",
            ),
            (format!("Sign in {ADDRESS}"), "", "nonce"),
        ];
        for (message, nonce, why) in cases {
            let err = check(&message, nonce, address(), "testnet-api.alura.fun").unwrap_err();
            assert!(err.contains(why), "{why}: {err}");
        }
    }
}
