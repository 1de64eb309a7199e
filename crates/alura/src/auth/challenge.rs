//! What we agree to sign. A login signature proves control of the wallet to whoever holds it,
//! so the challenge's text must be about this login: our address, the nonce the server gave,
//! and, for a Sign-In with Ethereum (EIP-4361) message, a site that is the API's own. Otherwise
//! a server, or anyone in the middle of a plain-HTTP connection, could get a signature that
//! logs us in somewhere else.
//!
//! "The API's own" is the API's site, not only its host: a real SIWE backend names the front
//! end the user signs in on (`alura.fun`, `testnet.alura.fun`), while the SDK talks to
//! `testnet-api.alura.fun`. Both share the registrable domain `alura.fun`, which the Public
//! Suffix List decides (so `a.github.io` and `b.github.io` are different sites). IP addresses
//! and `localhost` have no registrable domain and must match exactly; any other site must be
//! one the user listed as trusted.

use alloy_primitives::Address;

/// Where a sign-in may be for: the API's `host[:port]` and the sites the user also trusts.
#[derive(Clone, Debug, Default)]
pub(crate) struct Site {
    pub(crate) api_host: String,
    pub(crate) trusted: Vec<String>,
}

/// Why a challenge is refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The message is not about this login (address, nonce, shape).
    NotOurs(String),
    /// An EIP-4361 message (or its URI) names a site that is not the API's.
    OtherSite { seen: String, what: &'static str },
}

/// `Ok` when the challenge's message may be signed.
pub(crate) fn check(message: &str, nonce: &str, address: Address, site: &Site) -> Result<(), Refusal> {
    let lower = message.to_ascii_lowercase();
    let ours = address.to_checksum(None).to_ascii_lowercase();
    if !lower.contains(&ours) {
        return Err(Refusal::NotOurs(format!("it does not name our address {}", address.to_checksum(None))));
    }
    // The nonce comes from the same answer: one too short, or found only inside our own
    // address, would make any message pass.
    let nonce = nonce.trim();
    let without_address = lower.replace(&ours, "");
    if nonce.len() < 8 || !without_address.contains(&nonce.to_ascii_lowercase()) {
        return Err(Refusal::NotOurs(
            "it does not contain the challenge's nonce (of at least 8 characters)".into(),
        ));
    }
    if lower.contains("wants you to sign in") && siwe_domain(message).is_none() {
        return Err(Refusal::NotOurs(
            "it looks like a Sign-In with Ethereum message but its first line is not one".into(),
        ));
    }
    if let Some(domain) = siwe_domain(message) {
        // One URI only: a statement could hold a `URI:` line of its own above the real one.
        if message.lines().filter(|l| l.trim_start().starts_with("URI:")).count() > 1 {
            return Err(Refusal::NotOurs("it has more than one URI line".into()));
        }
        if !site.allows(domain) {
            return Err(Refusal::OtherSite { seen: domain.to_owned(), what: "domain" });
        }
        if let Some(uri) = field(message, "URI")
            && !site.allows(uri_host(uri))
        {
            return Err(Refusal::OtherSite { seen: uri.to_owned(), what: "URI" });
        }
    }
    Ok(())
}

impl Site {
    /// Whether a sign-in naming `host` (`name[:port]`) is for this API's site.
    fn allows(&self, host: &str) -> bool {
        // Only a host name or a bracketed IPv6 address, and a port: a lax verifier could read
        // `victim.com x.alura.fun` or `victim.com/.alura.fun` as `victim.com`.
        let name_chars = |c: char| c.is_ascii_alphanumeric() || c == '.' || c == '-';
        let bracketed = |h: &str| {
            h.strip_prefix('[')
                .and_then(|h| h.strip_suffix(']'))
                .is_some_and(|ip| ip.chars().all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.'))
        };
        let name = without_port(host);
        if name.is_empty() || !(name.chars().all(name_chars) || bracketed(name)) {
            return false;
        }
        same_host(host, &self.api_host)
            || self.trusted.iter().any(|t| same_host(host, t.trim()))
            || matches!(
                (registrable(host), registrable(&self.api_host)),
                (Some(a), Some(b)) if a == b
            )
    }
}

/// The registrable domain of a host name (`testnet-api.alura.fun` -> `alura.fun`), lowercase;
/// `None` for an IP address, `localhost`, a bare public suffix or anything the list does not
/// know, which then only matches exactly.
fn registrable(host: &str) -> Option<String> {
    let name = without_port(host).trim_end_matches('.').to_ascii_lowercase();
    if name.parse::<std::net::IpAddr>().is_ok() || name.starts_with('[') || !name.contains('.') {
        return None;
    }
    // An unknown TLD is its own suffix to `psl`; only a listed one makes a site.
    if !psl::suffix(name.as_bytes())?.is_known() {
        return None;
    }
    psl::domain_str(&name).map(str::to_owned)
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
    // Browsers read `\` as `/`: `https://evil.example\@x.alura.fun` is evil.example.
    let authority = rest.split(['/', '\\', '?', '#']).next().unwrap_or(rest);
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
    const API: &str = "testnet-api.alura.fun";

    fn address() -> Address {
        ADDRESS.parse().unwrap()
    }

    fn siwe(domain: &str, uri: &str, who: &str, nonce: &str) -> String {
        format!(
            "{domain} wants you to sign in with your Ethereum account:\n{who}\n\nSign in to Alura\n\nURI: {uri}\nVersion: 1\nChain ID: 1\nNonce: {nonce}\nIssued At: 2026-11-25T00:00:00Z"
        )
    }

    fn site(api_host: &str, trusted: &[&str]) -> Site {
        Site { api_host: api_host.into(), trusted: trusted.iter().map(|s| s.to_string()).collect() }
    }

    fn sign_in(domain: &str, uri: &str, api_host: &str, trusted: &[&str]) -> Result<(), Refusal> {
        check(&siwe(domain, uri, ADDRESS, "nonce-42x"), "nonce-42x", address(), &site(api_host, trusted))
    }

    #[test]
    fn our_own_login_is_signed() {
        let plain = format!("Sign in to Alura\nAddress: {}\nNonce: nonce-42x", ADDRESS.to_lowercase());
        assert_eq!(check(&plain, "nonce-42x", address(), &site(API, &[])), Ok(()));
        assert_eq!(sign_in(API, "https://testnet-api.alura.fun/auth", API, &[]), Ok(()));
        assert_eq!(sign_in("127.0.0.1:3000", "http://127.0.0.1:3000", "127.0.0.1:3000", &[]), Ok(()));
        assert_eq!(sign_in("localhost", "http://localhost:8080/x", "localhost:8080", &[]), Ok(()));
    }

    #[test]
    fn a_front_end_on_the_api_site_is_signed() {
        for (domain, uri) in [
            ("testnet.alura.fun", "https://testnet.alura.fun"),
            ("alura.fun", "https://alura.fun/login"),
            ("app.testnet.alura.fun:443", "https://app.testnet.alura.fun/"),
            ("TESTNET.Alura.Fun", "https://testnet.alura.fun"),
        ] {
            assert_eq!(sign_in(domain, uri, API, &[]), Ok(()), "{domain}");
        }
        // The Public Suffix List, not the last two labels, decides what a site is.
        assert_eq!(
            sign_in("shop.example.co.uk", "https://shop.example.co.uk", "api.example.co.uk", &[]),
            Ok(())
        );
    }

    #[test]
    fn another_site_is_refused() {
        let refused = |domain: &str, uri: &str, api_host: &str| {
            matches!(sign_in(domain, uri, api_host, &[]), Err(Refusal::OtherSite { .. }))
        };
        assert!(refused("alura.fun.evil.example", "https://alura.fun.evil.example", API));
        assert!(refused("evilalura.fun", "https://evilalura.fun", API));
        assert!(refused("other.co.uk", "https://other.co.uk", "api.example.co.uk"));
        // Sites under a public suffix that anyone can register under are not one site.
        assert!(refused("attacker.github.io", "https://attacker.github.io", "alura.github.io"));
        // IPs and localhost match exactly, port included when the message gives one.
        assert!(refused("127.0.0.2", "http://127.0.0.2", "127.0.0.1:3000"));
        assert!(refused("127.0.0.1:4000", "http://127.0.0.1:4000", "127.0.0.1:3000"));
        assert!(refused("evil.localhost", "http://evil.localhost", "localhost:8080"));
        // Hosts a lax verifier might read as another site; a backslash is a slash to browsers.
        assert!(refused("victim.com x.alura.fun", "https://x.alura.fun", API));
        assert!(refused("victim.com/.alura.fun", "https://x.alura.fun", API));
        assert!(refused("x.alura.fun", "https://evil.example\\@x.alura.fun", API));
        // A right domain with a URI elsewhere is still a sign-in for elsewhere.
        assert_eq!(
            sign_in("testnet.alura.fun", "https://evil.example/x", API, &[]),
            Err(Refusal::OtherSite { seen: "https://evil.example/x".into(), what: "URI" })
        );
    }

    #[test]
    fn a_site_the_user_trusts_is_signed() {
        assert!(sign_in("login.partner.example", "https://login.partner.example", API, &[]).is_err());
        let trusted = ["login.partner.example"];
        assert_eq!(sign_in("login.partner.example", "https://login.partner.example/", API, &trusted), Ok(()));
        // Trust is for that host, not its whole site.
        assert!(sign_in("other.partner.example", "https://other.partner.example", API, &trusted).is_err());
    }

    #[test]
    fn a_second_uri_line_is_refused() {
        let message = format!(
            "testnet.alura.fun wants you to sign in with your Ethereum account:\n{ADDRESS}\n\nURI: https://testnet.alura.fun\n\nURI: https://victim.example\nVersion: 1\nNonce: nonce-42x"
        );
        assert!(matches!(check(&message, "nonce-42x", address(), &site(API, &[])), Err(Refusal::NotOurs(_))));
    }

    #[test]
    fn a_login_for_something_else_is_refused() {
        let other = "0x000000000000000000000000000000000000dEaD";
        let cases = [
            (siwe(API, "https://testnet-api.alura.fun", other, "nonce-001"), "nonce-001", "our address"),
            (siwe(API, "https://testnet-api.alura.fun", ADDRESS, "nonce-001"), "nonce-002", "nonce"),
            (format!("Sign in {ADDRESS}"), "", "nonce"),
        ];
        for (message, nonce, why) in cases {
            match check(&message, nonce, address(), &site(API, &[])) {
                Err(Refusal::NotOurs(err)) => assert!(err.contains(why), "{why}: {err}"),
                other => panic!("{why}: {other:?}"),
            }
        }
    }
}
