//! `alura`: the API on the command line. A command for every operation (made from the spec's
//! operation table), and verbs where people need more: `candles`, `trade quick` (which shows the
//! order and asks before sending it), `watch candles`, `login`, `doctor`, `mock`.
//!
//! A library as well as a binary, so that the Python and Node packages put the same `alura` on
//! PATH through [`run`], with no Rust toolchain on the user's machine.

mod candles;
mod config;
mod confirm;
mod doctor;
mod exit;
pub mod key;
mod operations;
mod output;
mod verbs;
mod watch;

use std::ffi::OsString;

use clap::{Arg, ArgMatches, Command, value_parser};

use output::Format;

fn cli() -> Command {
    Command::new("alura")
        .version(env!("CARGO_PKG_VERSION"))
        .about("The Alura Trading API on the command line")
        .after_help(exit::help())
        .subcommand_required(true)
        .arg(Arg::new("base-url").long("base-url").global(true).value_name("URL").help("The API (else ALURA_BASE_URL, else the profile's, else the testnet)"))
        .arg(
            Arg::new("keystore")
                .long("keystore")
                .global(true)
                .env("ALURA_KEYSTORE")
                .hide_env_values(true)
                .value_name("FILE")
                .value_parser(value_parser!(std::path::PathBuf))
                .help("The wallet key from an Ethereum JSON keystore; its password from ALURA_KEYSTORE_PASSWORD, else asked"),
        )
        .arg(
            Arg::new("verbose")
                .long("verbose")
                .short('v')
                .global(true)
                .action(clap::ArgAction::Count)
                .help("The SDK's records on stderr: calls, retries, logins (-vv: more); secrets are never in them"),
        )
        .arg(Arg::new("profile").long("profile").global(true).value_name("NAME").help("A profile of ~/.config/alura/config.toml"))
        .arg(
            Arg::new("show-secrets")
                .long("show-secrets")
                .global(true)
                .action(clap::ArgAction::SetTrue)
                .help("Print keys and tokens in answers, which are hidden otherwise"),
        )
        .arg(
            Arg::new("format")
                .long("format")
                .global(true)
                .value_parser(value_parser!(Format))
                .help("table (the default on a terminal), json (one object per line for lists; the default when piped) or csv"),
        )
        .subcommands(verbs::commands())
        .subcommands(operations::commands())
}

/// Runs `alura` with these arguments (the first is the program's name) and gives its exit code.
/// Everything goes to this process's stdout and stderr; a panic is reported, not unwound.
pub fn run(args: impl IntoIterator<Item = OsString>) -> u8 {
    let args: Vec<OsString> = args.into_iter().collect();
    std::panic::catch_unwind(move || run_args(args)).unwrap_or_else(|_| {
        eprintln!("error: alura stopped on a bug; please report it with the command you ran");
        exit::BUG
    })
}

fn run_args(args: Vec<OsString>) -> u8 {
    let matches = match cli().try_get_matches_from(args) {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { exit::USAGE } else { 0 };
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return 1;
        }
    };
    let work = command(&matches);
    let outcome = match verbose(matches.get_count("verbose")) {
        // Scoped to this command, not installed for the process: a Python or Node host keeps its own.
        Some(records) => {
            runtime.block_on(tracing::instrument::WithSubscriber::with_subscriber(work, records))
        }
        None => runtime.block_on(work),
    };
    match outcome {
        Ok(code) => code,
        Err(Failure::Sdk(e)) => {
            eprintln!("error: {e}");
            exit::code(&e)
        }
        Err(Failure::Usage(message)) => {
            eprintln!("error: {message}");
            exit::USAGE
        }
        Err(Failure::Io(message)) => {
            eprintln!("error: {message}");
            exit::IO
        }
        // `alura ... | head`: the reader has what it wanted; like any Unix tool, stop quietly.
        Err(Failure::Closed) => 0,
        // Ctrl-C at a prompt: as a shell reports a process that SIGINT ended.
        Err(Failure::Interrupted) => {
            eprintln!();
            exit::INTERRUPTED
        }
    }
}

/// Where `--verbose` sends the core's records: stderr, the `alura` crates' only.
fn verbose(count: u8) -> Option<tracing::Dispatch> {
    use tracing_subscriber::layer::SubscriberExt;
    let level = match count {
        0 => return None,
        1 => tracing::Level::DEBUG,
        _ => tracing::Level::TRACE,
    };
    let ours = tracing_subscriber::filter::Targets::new().with_target("alura", level);
    let layer = tracing_subscriber::fmt::layer().with_writer(std::io::stderr).with_target(false);
    Some(tracing::Dispatch::new(
        tracing_subscriber::registry().with(tracing_subscriber::Layer::with_filter(layer, ours)),
    ))
}

/// Why a command failed.
#[derive(Debug)]
pub enum Failure {
    Sdk(alura::Error),
    Usage(String),
    Io(String),
    /// Whoever reads stdout stopped reading.
    Closed,
    /// Ctrl-C at a prompt.
    Interrupted,
}

impl Failure {
    pub fn io(e: std::io::Error) -> Failure {
        if e.kind() == std::io::ErrorKind::BrokenPipe { Failure::Closed } else { Failure::Io(e.to_string()) }
    }
}

impl From<alura::Error> for Failure {
    fn from(e: alura::Error) -> Self {
        Failure::Sdk(e)
    }
}

/// The client the global options describe, for calls that need no key.
pub fn client(matches: &ArgMatches) -> Result<alura::Client, Failure> {
    client_with(matches, key::Need::Nothing)
}

/// The client the global options describe, with the key `need` asks for. Tokens are kept in the
/// token cache, private to the user, so a login outlives the command (`alura login`, then any
/// command); ALURA_TOKEN is read too.
pub fn client_with(matches: &ArgMatches, need: key::Need) -> Result<alura::Client, Failure> {
    let mut builder = builder(matches, need)?;
    if let Some(cache) = alura::default_token_cache_path() {
        builder = builder.token_cache(cache);
    }
    Ok(builder.build()?)
}

/// The API's base URL, as the settings give it.
pub fn base_url(matches: &ArgMatches) -> Result<String, Failure> {
    Ok(settings(matches)?.base_url.unwrap_or_else(|| alura::DEFAULT_BASE_URL.to_owned()))
}

fn settings(matches: &ArgMatches) -> Result<config::Settings, Failure> {
    config::settings(
        matches.get_one::<String>("base-url").cloned(),
        matches.get_one::<String>("profile").map(String::as_str),
    )
    .map_err(Failure::Usage)
}

/// Whether a key is given (`--keystore`, the profile or `ALURA_PRIVATE_KEY`), not only the token
/// of the last `alura login`.
pub fn has_key(matches: &ArgMatches) -> Result<bool, Failure> {
    Ok(matches.get_one::<std::path::PathBuf>("keystore").is_some()
        || settings(matches)?.private_key.is_some())
}

/// [`client_with`]'s builder, without the token cache.
pub fn builder(matches: &ArgMatches, need: key::Need) -> Result<alura::ClientBuilder, Failure> {
    let settings = settings(matches)?;
    let base_url = settings.base_url.clone().unwrap_or_else(|| alura::DEFAULT_BASE_URL.to_owned());
    let mut builder = alura::Client::builder()
        .user_agent(concat!("alura-cli/", env!("CARGO_PKG_VERSION")))
        .base_url(base_url.clone());
    let keystore = matches.get_one::<std::path::PathBuf>("keystore").filter(|_| need != key::Need::Nothing);
    if let Some(path) = keystore {
        builder = builder.signer(key::from_keystore(path)?);
    } else if let Some(key) = settings.private_key {
        builder = builder.private_key(key);
    } else if need == key::Need::Ask {
        builder = builder.private_key(key::ask_private_key()?);
    } else if let Some(address) = key::remembered(&base_url).filter(|_| need == key::Need::Sign) {
        builder = builder.signer(key::Remembered(address));
    }
    Ok(builder.from_env())
}

async fn command(matches: &ArgMatches) -> Result<u8, Failure> {
    let format = matches.get_one::<Format>("format").copied();
    let (name, sub) = matches.subcommand().ok_or_else(|| Failure::Usage("a command".into()))?;
    if let Some(code) = verbs::run(name, sub, matches, format).await? {
        return Ok(code);
    }
    let (action, args) =
        sub.subcommand().ok_or_else(|| Failure::Usage(format!("alura {name} needs an action")))?;
    let op = operations::find(name, action)
        .ok_or_else(|| Failure::Usage(format!("no operation {name} {action}")))?;
    let values = operations::args(op, args).map_err(Failure::Usage)?;
    if op.method != "GET" {
        let url = format!("{}{}", base_url(matches)?.trim_end_matches('/'), operations::path(op, &values));
        if !confirm::order(op.method, &url, &values, args)? {
            return Ok(if args.get_flag("dry-run") { 0 } else { exit::DECLINED });
        }
    }
    let client = client_with(matches, if op.authenticated { key::Need::Sign } else { key::Need::Nothing })?;
    let text = client.call(op.id, values).await?.to_json_text()?;
    show(&text, format, matches.get_flag("show-secrets"))?;
    Ok(0)
}

/// Prints an answer's JSON text; keys and tokens in it are hidden unless `show_secrets`.
pub fn show(text: &str, format: Option<Format>, show_secrets: bool) -> Result<(), Failure> {
    let value = output::J::parse(text).map_err(|e| Failure::Sdk(alura::Error::decode(e)))?;
    show_value(value, format, show_secrets)
}

/// Prints an answer; keys and tokens in it are hidden unless `show_secrets`.
pub fn show_value(mut value: output::J, format: Option<Format>, show_secrets: bool) -> Result<(), Failure> {
    if !show_secrets {
        value.hide_secrets();
    }
    let mut out = std::io::stdout().lock();
    output::print(&value, Format::or_default(format), &mut out).map_err(Failure::io)
}
