//! The `alura` binary; everything is in the library, which the Python and Node packages share.

use std::process::ExitCode;

fn main() -> ExitCode {
    // Like any Unix tool: a closed pipe (`alura ... | head`) ends the process quietly.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE, before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    ExitCode::from(alura_cli::run(std::env::args_os()))
}
