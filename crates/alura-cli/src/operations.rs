//! A command for every operation, made from the operation table (`alura_api::operations`, which
//! `cargo xtask gen` writes from the spec): `alura <group> <action> --field value`. The group is
//! the operation's tag; the action is its id without the tag's words (`create_trading_session`
//! under `trading-sessions` is `create`). Help comes from the spec's summaries and constraints.

use alura_api::operations::{DECIMAL_FIELDS, OPERATIONS};
use alura_api::{Field, Kind, Location, Operation};
use clap::{Arg, ArgAction, ArgMatches, Command};
use serde_json::{Map, Value};

/// The tag as a command group: `trading-sessions`.
fn group_of(op: &Operation) -> String {
    op.tag.to_lowercase().replace([' ', '_'], "-")
}

/// The operation's id without its group's words: `create_trading_session` under
/// `trading-sessions` is `create`.
fn short_name(op: &Operation) -> String {
    let group = group_of(op);
    let words: Vec<&str> = group.split('-').collect();
    let in_group = |w: &str| words.iter().any(|g| *g == w || g.strip_suffix('s') == Some(w));
    op.id.split('_').filter(|w| !in_group(w)).collect::<Vec<_>>().join("-")
}

/// The operation's action within its group: its short name, or its whole id when nothing, or
/// a name another operation of the group has, would be left.
fn action_of(op: &Operation) -> String {
    let (group, short) = (group_of(op), short_name(op));
    let clash = OPERATIONS.iter().any(|o| o.id != op.id && group_of(o) == group && short_name(o) == short);
    if short.is_empty() || clash { op.id.replace('_', "-") } else { short }
}

/// A field's flag: `profitTarget` is `--profit-target`.
fn flag(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('-');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn help_of(field: &Field) -> String {
    let mut help = match field.kind {
        Kind::String => "text",
        Kind::Number => "a number",
        Kind::Integer => "a whole number",
        Kind::Boolean => "true or false",
        Kind::Array => "a JSON list",
        Kind::Object => "a JSON object",
    }
    .to_owned();
    if alura_api::ASSET_ARGUMENTS.contains(&field.name) {
        help = "an asset: a symbol (BTC) or an index (0)".into();
    } else if DECIMAL_FIELDS.contains(&field.name) {
        help = "an amount, sent with exactly its digits".into();
    }
    if let Some(min) = field.minimum {
        help.push_str(&format!("; at least {min}"));
    }
    if let Some(max) = field.maximum {
        help.push_str(&format!("; at most {max}"));
    }
    help
}

/// The command groups, each with a command per operation.
pub fn commands() -> Vec<Command> {
    let mut groups: Vec<(String, Vec<Command>)> = Vec::new();
    for op in OPERATIONS {
        let mut cmd = Command::new(action_of(op))
            .about(format!("{} ({} {})", op.summary, op.method, op.path))
            .long_about(format!("{}\n\n{} {}, operation {}", op.summary, op.method, op.path, op.id));
        for field in op.fields {
            let mut arg = Arg::new(field.name)
                .long(flag(field.name))
                .value_name(field.name.to_uppercase())
                .help(help_of(field))
                .required(field.required)
                .action(ArgAction::Set);
            if !field.values.is_empty() {
                arg =
                    arg.value_parser(clap::builder::PossibleValuesParser::new(field.values.iter().copied()));
            }
            if field.name == "assetIndex" {
                arg = arg.alias("asset");
            }
            cmd = cmd.arg(arg);
        }
        if op.method != "GET" {
            cmd = crate::confirm::flags(cmd);
        }
        let group = group_of(op);
        match groups.iter_mut().find(|(g, _)| *g == group) {
            Some((_, cmds)) => cmds.push(cmd),
            None => groups.push((group, vec![cmd])),
        }
    }
    groups
        .into_iter()
        .map(|(group, cmds)| {
            Command::new(group.clone())
                .about(format!("Operations of {group}"))
                .subcommand_required(true)
                .subcommands(cmds)
        })
        .collect()
}

/// The operation's path with its path arguments filled in, to show.
pub fn path(op: &Operation, args: &Map<String, Value>) -> String {
    let mut path = op.path.to_owned();
    for field in op.fields.iter().filter(|f| f.location == Location::Path) {
        if let Some(value) = args.get(field.name) {
            let text = value.as_str().map_or_else(|| value.to_string(), str::to_owned);
            path = path.replace(&format!("{{{}}}", field.name), &text);
        }
    }
    path
}

/// The operation a group and action name.
pub fn find(group: &str, action: &str) -> Option<&'static Operation> {
    OPERATIONS.iter().find(|op| group_of(op) == group && action_of(op) == action)
}

/// The arguments given, as the core's JSON call takes them: money as its text (read digit for
/// digit), numbers as numbers, lists and objects as JSON.
pub fn args(op: &Operation, matches: &ArgMatches) -> Result<Map<String, Value>, String> {
    let mut args = Map::new();
    for field in op.fields {
        let Some(text) = matches.get_one::<String>(field.name) else { continue };
        let value = value_of(field, text).map_err(|e| format!("--{}: {e}", flag(field.name)))?;
        args.insert(field.name.to_owned(), value);
    }
    Ok(args)
}

fn value_of(field: &Field, text: &str) -> Result<Value, String> {
    if alura_api::ASSET_ARGUMENTS.contains(&field.name) {
        return Ok(text.parse::<i64>().map_or_else(|_| Value::from(text), Value::from));
    }
    if DECIMAL_FIELDS.contains(&field.name)
        || (field.kind == Kind::String && field.location != Location::Body)
    {
        return Ok(Value::from(text));
    }
    match field.kind {
        Kind::String => Ok(Value::from(text)),
        Kind::Integer => {
            text.parse::<i64>().map(Value::from).map_err(|_| format!("{text:?} is not a whole number"))
        }
        Kind::Number => text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| format!("{text:?} is not a number")),
        Kind::Boolean => {
            text.parse::<bool>().map(Value::from).map_err(|_| format!("{text:?} is not true or false"))
        }
        Kind::Array | Kind::Object => serde_json::from_str(text).map_err(|e| format!("not JSON: {e}")),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_operation_has_one_command_and_names_read_well() {
        let mut seen = std::collections::BTreeSet::new();
        for op in super::OPERATIONS {
            let name = (super::group_of(op), super::action_of(op));
            assert!(seen.insert(name.clone()), "two operations as {name:?}");
            assert_eq!(super::find(&name.0, &name.1).map(|o| o.id), Some(op.id));
        }
        let create = alura_api::find("create_trading_session").unwrap();
        assert_eq!(
            (super::group_of(create).as_str(), super::action_of(create).as_str()),
            ("trading-sessions", "create")
        );
    }
}
