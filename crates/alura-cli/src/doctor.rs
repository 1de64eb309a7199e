//! `alura doctor`: the way to the API checked step by step (name, connection, TLS, clocks, the
//! spec, login, rate limit), each with a plain verdict and, when it fails, what to do.

use std::io::Write;
use std::time::{Duration, SystemTime};

use clap::ArgMatches;
use serde_json::{Map, Value};

use crate::{Failure, client};

/// The spec route `SwaggerModule.setup('api/docs', ...)` serves (`cargo xtask fetch` also tries
/// the YAML and the Swagger UI script).
const SPEC_ROUTE: &str = "/api/docs-json";
/// The largest spec read (ours is about 100 KB).
const MAX_SPEC_BYTES: usize = 32 << 20;
/// More skew than this and a signed login may be refused.
const MAX_SKEW_S: i64 = 30;
/// A token with less left than this is about to need a new login.
const SHORT_TOKEN: Duration = Duration::from_secs(5 * 60);

/// Verdicts as they are printed; remembers whether any failed.
struct Report {
    out: std::io::Stdout,
    failed: bool,
}

impl Report {
    fn line(&mut self, text: &str) -> Result<(), Failure> {
        writeln!(self.out.lock(), "{text}").map_err(Failure::io)
    }
    fn ok(&mut self, what: &str) -> Result<(), Failure> {
        self.line(&format!("ok    {what}"))
    }
    fn fail(&mut self, what: &str, fix: &str) -> Result<(), Failure> {
        self.failed = true;
        self.line(&format!("FAIL  {what}\n      fix: {fix}"))
    }
    /// Not checked, and why.
    fn skip(&mut self, what: &str) -> Result<(), Failure> {
        self.line(&format!("-     {what}"))
    }
}

pub async fn doctor(global: &ArgMatches) -> Result<u8, Failure> {
    let client = client(global)?;
    let base = client.base_url().trim_end_matches('/').to_owned();
    let shown = crate::output::without_userinfo(&base);
    let mut r = Report { out: std::io::stdout(), failed: false };
    let url = reqwest::Url::parse(&base).map_err(|e| Failure::Usage(format!("the base URL {shown}: {e}")))?;

    let port = url.port_or_known_default().unwrap_or(443);
    // Reported, then on: behind a proxy the API may be reachable with no local DNS.
    let Some(host) = url.host_str().map(|h| h.trim_start_matches('[').trim_end_matches(']').to_owned())
    else {
        return Err(Failure::Usage(format!("the base URL {shown} has no host")));
    };
    if host.parse::<std::net::IpAddr>().is_ok() {
        r.skip(&format!("DNS: not needed for the address {host}"))?;
    } else {
        let lookup = tokio::net::lookup_host((host.as_str(), port));
        match tokio::time::timeout(Duration::from_secs(10), lookup).await {
            Ok(Ok(mut addrs)) => match addrs.next() {
                Some(addr) => r.ok(&format!("DNS: {host} is {}", addr.ip()))?,
                None => dns_failed(&mut r, &host, "no address")?,
            },
            Ok(Err(e)) => dns_failed(&mut r, &host, &e.to_string())?,
            Err(_) => dns_failed(&mut r, &host, "no answer in 10 s")?,
        }
    }

    let started = std::time::Instant::now();
    match client.call("get_indicators_health", Map::new()).await {
        Ok(reply) => {
            r.ok(&format!("{shown} answers ({} ms)", started.elapsed().as_millis()))?;
            if url.scheme() == "https" {
                r.ok("TLS: the handshake and the certificate were accepted")?;
            } else {
                r.skip(&format!("TLS: not used by {shown} (the testnet is https)"))?;
            }
            let date = reply.headers().and_then(|h| h.get("date")).and_then(|d| d.to_str().ok());
            match date.and_then(skew) {
                Some(s) => {
                    let what = format!("clock skew against the server: {s} s");
                    if s.abs() <= MAX_SKEW_S {
                        r.ok(&what)?;
                    } else {
                        r.fail(&what, "set this machine's clock (NTP): logins are signed with the time")?;
                    }
                }
                None => r.skip("clock skew: the server sent no Date")?,
            }
        }
        // A connection that failed where a plain TCP one opens failed in TLS.
        Err(e)
            if url.scheme() == "https" && e.kind() == "NetworkError" && tcp_connects(&host, port).await =>
        {
            r.fail(
                &format!("TLS with {host}: {e}"),
                "the server's certificate is not trusted here: check the system's CA certificates, \
                 the clock, and any proxy that re-signs HTTPS (its CA must be installed)",
            )?;
            return Ok(1);
        }
        Err(e) => {
            r.fail(
                &format!("{shown} does not answer: {e}"),
                "check --base-url, the network and any proxy (HTTPS_PROXY)",
            )?;
            return Ok(1);
        }
    }

    spec(&mut r, &base, &shown).await?;

    login(&mut r, global).await?;
    match client.rate_limit() {
        Some(l) => r.ok(&format!("rate limit: {} of {} left for {}", l.remaining, l.limit, l.operation))?,
        None => r.skip("rate limit: the server said none")?,
    }
    Ok(if r.failed { 1 } else { 0 })
}

/// A fresh login when there is a key (the token cache left out, so the key itself is tried);
/// else the token the last `alura login` left.
async fn login(r: &mut Report, global: &ArgMatches) -> Result<(), Failure> {
    let fix = "check ALURA_PRIVATE_KEY or --keystore, then `alura login`";
    let fresh = crate::has_key(global)?;
    let client = if fresh {
        let client = match crate::builder(global, crate::key::Need::Sign).and_then(|b| Ok(b.build()?)) {
            Ok(client) => client,
            Err(Failure::Sdk(e)) => return r.fail(&format!("login: {e}"), fix),
            Err(Failure::Usage(m)) => return r.fail(&format!("login: {m}"), fix),
            Err(other) => return Err(other),
        };
        if let Err(e) = client.login().await {
            return r.fail(&format!("login: {e}"), fix);
        }
        client
    } else {
        let cached = crate::client_with(global, crate::key::Need::Sign)?;
        if cached.address().is_none() {
            return r.skip("login: no key (set ALURA_PRIVATE_KEY, or pass --keystore)");
        }
        cached
    };
    let what = if fresh { "login" } else { "the token of the last `alura login`" };
    let again = "run `alura login` again";
    let Some(token) = client.token() else { return r.fail(&format!("{what}: none kept"), again) };
    let Some(at) = token.expires_at else { return r.ok(&format!("{what} (the server gave no expiry)")) };
    let left = at.duration_since(SystemTime::now()).unwrap_or_default();
    let said = format!("{what}; the token lasts {} more", human(left));
    match (left >= SHORT_TOKEN, fresh) {
        (true, _) => r.ok(&said),
        (false, true) => {
            r.fail(&said, "check this machine's clock; the server gives tokens too short to use")
        }
        (false, false) => r.fail(&said, again),
    }
}

fn dns_failed(r: &mut Report, host: &str, why: &str) -> Result<(), Failure> {
    r.fail(
        &format!("DNS: {host} does not resolve ({why})"),
        "check the host in --base-url and this machine's DNS",
    )
}

/// Whether a plain TCP connection opens: when it does and the HTTPS call failed to connect, the
/// failure is in TLS (a certificate, a proxy, a server that does not speak TLS there).
async fn tcp_connects(host: &str, port: u16) -> bool {
    let connect = tokio::net::TcpStream::connect((host, port));
    matches!(tokio::time::timeout(Duration::from_secs(5), connect).await, Ok(Ok(_)))
}

/// The spec the server serves, against the operations this SDK was built from.
async fn spec(r: &mut Report, base: &str, shown: &str) -> Result<(), Failure> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| Failure::Io(e.to_string()))?;
    let mut response = match http.get(format!("{base}{SPEC_ROUTE}")).send().await {
        Ok(a) if a.status().is_success() => a,
        Ok(a) => {
            return r.skip(&format!(
                "spec: {shown}{SPEC_ROUTE} answers {} (the server may not serve it)",
                a.status()
            ));
        }
        Err(e) => return r.skip(&format!("spec: {shown}{SPEC_ROUTE}: {e}")),
    };
    // Read within a bound: the spec is a few hundred kilobytes, and a server's answer is not
    // trusted to end.
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) if body.len().saturating_add(chunk.len()) <= MAX_SPEC_BYTES => {
                body.extend_from_slice(&chunk)
            }
            Ok(Some(_)) => {
                return r.fail(
                    &format!("spec: {shown}{SPEC_ROUTE} is over {} MiB", MAX_SPEC_BYTES >> 20),
                    "check that --base-url is the API",
                );
            }
            Ok(None) => break,
            Err(e) if e.is_timeout() => {
                return r.skip(&format!("spec: {shown}{SPEC_ROUTE} did not finish in 15 s"));
            }
            Err(e) => return r.skip(&format!("spec: {shown}{SPEC_ROUTE}: {e}")),
        }
    }
    let answer = serde_json::from_slice::<Value>(&body).ok();
    let Some(paths) = answer.as_ref().and_then(|s| s.get("paths")).and_then(Value::as_object) else {
        return r.fail(
            &format!("spec: {shown}{SPEC_ROUTE} is not an OpenAPI document"),
            "check that --base-url is the API, not a front end",
        );
    };
    let served: Vec<(String, &str)> = paths
        .iter()
        .flat_map(|(path, item)| {
            ["get", "post", "put", "patch", "delete"]
                .into_iter()
                .filter(|m| item.get(*m).is_some())
                .map(move |m| (m.to_ascii_uppercase(), path.as_str()))
        })
        .collect();
    let ours = alura_api::operations::OPERATIONS;
    let missing: Vec<String> = ours
        .iter()
        .filter(|op| !served.iter().any(|(m, p)| m == op.method && *p == op.path))
        .map(|op| format!("{} {}", op.method, op.path))
        .collect();
    let new = served.iter().filter(|(m, p)| !ours.iter().any(|op| op.method == m && op.path == *p)).count();
    let what =
        format!("spec: {} operations served, {} known to this SDK, {new} new", served.len(), ours.len());
    if missing.is_empty() {
        r.ok(&what)
    } else {
        r.fail(
            &format!("{what}; not served: {}", missing.join(", ")),
            "the server has changed: update the SDK (its calls to these will fail)",
        )
    }
}

/// Seconds this machine's clock is ahead of the server's `Date`.
fn skew(date: &str) -> Option<i64> {
    let server = httpdate::parse_http_date(date).ok()?;
    Some(match SystemTime::now().duration_since(server) {
        Ok(ahead) => i64::try_from(ahead.as_secs()).unwrap_or(i64::MAX),
        Err(behind) => -i64::try_from(behind.duration().as_secs()).unwrap_or(i64::MAX),
    })
}

fn human(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..=119 => format!("{s} s"),
        120..=7199 => format!("{} min", s / 60),
        _ => format!("{} h", s / 3600),
    }
}
