//! Orders are shown, then sent only when confirmed: every operation that is not a GET, from
//! `trade quick` or from its generated command. On a terminal the CLI asks; with no terminal to
//! ask on it sends nothing unless told `--yes`; `--dry-run` only shows.

use std::io::{BufRead, IsTerminal, Write};

use clap::{Arg, ArgAction, ArgMatches, Command};
use serde_json::{Map, Value};

use crate::Failure;

/// `--yes` and `--dry-run`, for a command that sends an order.
pub fn flags(cmd: Command) -> Command {
    cmd.arg(Arg::new("yes").long("yes").short('y').action(ArgAction::SetTrue).help("Send without asking"))
        .arg(
            Arg::new("dry-run")
                .long("dry-run")
                .action(ArgAction::SetTrue)
                .help("Show the request; send nothing"),
        )
}

/// Shows `method url` and the body as it will be sent, then whether to send it. `Ok(false)` when
/// it must not go: a dry run, a "no", or nobody to ask.
pub fn order(method: &str, url: &str, body: &Map<String, Value>, m: &ArgMatches) -> Result<bool, Failure> {
    eprintln!("{method} {}", crate::output::without_userinfo(url));
    if !body.is_empty() {
        eprintln!("{}", as_sent(body)?);
    }
    if m.get_flag("dry-run") {
        eprintln!("dry run: nothing sent");
        return Ok(false);
    }
    if m.get_flag("yes") {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        eprintln!("not sent: no terminal to confirm on; pass --yes to send without asking");
        return Ok(false);
    }
    eprint!("Send this order? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer).map_err(Failure::io)?;
    let yes = matches!(answer.trim(), "y" | "Y" | "yes" | "Yes" | "YES");
    if !yes {
        eprintln!("not sent");
    }
    Ok(yes)
}

/// The body as it goes on the wire: an asset as its index, money as a number with exactly the
/// digits given (checked here, so an amount that is not a number stops before the question).
fn as_sent(body: &Map<String, Value>) -> Result<String, Failure> {
    let mut fields = Vec::new();
    for (name, value) in body {
        let text = match (name.as_str(), value) {
            ("assetIndex", Value::String(symbol)) => {
                let asset: alura::Asset = symbol.parse()?;
                asset.index().to_string()
            }
            (_, Value::String(amount)) if alura_api::operations::DECIMAL_FIELDS.contains(&name.as_str()) => {
                let exact: alura::Decimal =
                    amount.parse().map_err(|e| Failure::Usage(format!("{name}: {e}")))?;
                exact.to_string()
            }
            (_, other) => other.to_string(),
        };
        fields.push(format!("  {}: {text}", serde_json::to_string(name).unwrap_or_default()));
    }
    Ok(format!("{{\n{}\n}}", fields.join(",\n")))
}
