//! The `alura` command of the wheel: `pip install alura` puts a script on PATH that calls this
//! with its arguments, so the command line needs no Rust toolchain.

use pyo3::prelude::*;

/// Runs `alura` with `argv` (the program's name first) and gives its exit code. The GIL is let go
/// for the whole run: a watch or the simulator can run for hours. Arguments come as the OS gave
/// them (a path that is not UTF-8 included), as Python's `os.fsencode` would.
#[pyfunction]
pub fn run_cli(py: Python<'_>, argv: Vec<std::ffi::OsString>) -> u8 {
    py.detach(move || alura_cli::run(argv))
}
