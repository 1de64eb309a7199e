//! `cargo xtask fetch`: download the spec the backend serves, from whichever route it exposes,
//! and report how it changed from the committed raw spec.

use std::fs;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use serde_json::Value;

use crate::spec::changes;

/// The testnet backend.
pub const DEFAULT_BASE_URL: &str = "https://testnet-api.alura.fun";

/// The routes `@nestjs/swagger` serves the spec on, tried in this order. Servers may disable
/// the raw JSON (and YAML) routes while Swagger UI still embeds the spec in its init script.
pub const ROUTES: [&str; 3] = ["/api/docs-json", "/api/docs-yaml", "/api/docs/swagger-ui-init.js"];

/// Fetches the spec from `base_url`; returns it with the URL it came from.
pub async fn fetch(base_url: &str) -> Result<(Value, String)> {
    let client = client()?;
    let base = base_url.trim_end_matches('/');
    let mut tried = Vec::new();
    for route in ROUTES {
        let url = format!("{base}{route}");
        match fetch_route(&client, &url, route).await {
            Ok(spec) => return Ok((spec, url)),
            Err(e) => tried.push(format!("{url} ({e:#})")),
        }
    }
    bail!("no OpenAPI spec found; tried {}", tried.join(", "))
}

/// The HTTP client fetch uses.
pub fn client() -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .user_agent(concat!("alura-sdk-xtask/", env!("CARGO_PKG_VERSION")))
        .build()
        .context("building the HTTP client")
}

/// The spec from one of [`ROUTES`], read the way that route serves it.
pub async fn fetch_route(client: &reqwest::Client, url: &str, route: &str) -> Result<Value> {
    let response = client.get(url).send().await.map_err(|e| anyhow!(describe(&e)))?;
    let status = response.status();
    if !status.is_success() {
        bail!("HTTP {status}");
    }
    let text = response.text().await.context("reading the body")?;
    let spec = if route.ends_with(".js") {
        swagger_doc_from_init_js(&text)?
    } else if route.ends_with("yaml") {
        serde_yaml_ng::from_str(&text).context("not YAML")?
    } else {
        serde_json::from_str(&text).context("not JSON")?
    };
    if spec.get("openapi").and_then(Value::as_str).is_none()
        || !spec.get("paths").is_some_and(Value::is_object)
    {
        bail!("not an OpenAPI document");
    }
    Ok(spec)
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_connect() {
        "cannot connect".into()
    } else if e.is_timeout() {
        "timed out".into()
    } else {
        e.to_string()
    }
}

/// Extracts the spec from Swagger UI's init script: `let options = {"swaggerDoc": {...},
/// "customOptions": {...}}` (older versions: `var options`). `customOptions` may hold JS
/// functions, so the script as a whole is not JSON: parse exactly one JSON value after the key.
pub fn swagger_doc_from_init_js(script: &str) -> Result<Value> {
    if !script.contains("let options") && !script.contains("var options") {
        bail!("no `options` object in the script");
    }
    let key = "\"swaggerDoc\"";
    let at = script.find(key).context("no swaggerDoc in the script")?;
    let rest = script[at + key.len()..].trim_start();
    let rest = rest.strip_prefix(':').context("swaggerDoc is not followed by a value")?;
    let mut values = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
    match values.next() {
        Some(Ok(doc)) => Ok(doc),
        Some(Err(e)) => Err(e).context("swaggerDoc is not valid JSON"),
        None => bail!("swaggerDoc has no value"),
    }
}

/// Writes the spec pretty-printed in the order served; the file is replaced whole, so a failed
/// write never leaves half a spec behind.
pub fn write(spec: &Value, out: &Path) -> Result<()> {
    let mut text = serde_json::to_string_pretty(spec)?;
    text.push('\n');
    let tmp = out.with_extension("json.tmp");
    fs::write(&tmp, text).with_context(|| format!("writing {}", tmp.display()))?;
    fs::rename(&tmp, out).with_context(|| format!("replacing {}", out.display()))?;
    Ok(())
}

/// Fetches the served spec and prints how it changed from the raw spec at `out`. Writes it to `out`
/// only when `write` is set, so looking never changes the checkout. With `check`, a breaking change
/// is an error (after writing, if asked).
pub fn run(base_url: &str, out: &Path, check: bool, write_it: bool) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let (spec, url) = runtime.block_on(fetch(base_url))?;
    let name = out.strip_prefix(crate::root()).unwrap_or(out).display().to_string();
    let committed = fs::read_to_string(out)
        .with_context(|| format!("reading {name}"))
        .and_then(|text| serde_json::from_str::<Value>(&text).with_context(|| format!("{name} is not JSON")));
    let mut breaking = 0;
    match committed {
        Ok(committed) => {
            let found = changes::diff(&committed, &spec);
            breaking = found.iter().filter(|c| c.class == changes::Class::Breaking).count();
            let count = changes::operation_count(&spec);
            print!("{}", changes::render(&found, &name, &url, committed == spec, count));
        }
        // Nothing to compare with is no reason not to write the first one.
        Err(e) if write_it => println!("nothing to compare with ({e:#})"),
        Err(e) => return Err(e),
    }
    if write_it {
        write(&spec, out)?;
        println!("wrote {url} -> {name}");
    }
    if check && breaking > 0 {
        bail!("{breaking} breaking change(s) from {name} to {url}");
    }
    Ok(())
}
