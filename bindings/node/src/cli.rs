//! The `alura` command of the npm package: its `bin` script (`npx alura`) calls this with its
//! arguments, so the command line needs no Rust toolchain.

use napi_derive::napi;

/// Runs `alura` with `argv` (the program's name first) and gives its exit code. It blocks the
/// JS thread to the end, which is all the `bin` script does.
#[napi]
pub fn run_cli(argv: Vec<String>) -> u8 {
    alura_cli::run(argv.into_iter().map(Into::into))
}
