"""The ``alura`` command that ``pip install alura`` puts on PATH: the Rust CLI, in this process."""

import signal
import sys


def main() -> None:
    # Behave as the native binary does: Ctrl-C stops at once (the command runs in Rust, where
    # Python's KeyboardInterrupt would not be seen), and `alura ... | head` ends quietly.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    from ._native import run_cli

    sys.exit(run_cli(["alura", *sys.argv[1:]]))


if __name__ == "__main__":
    main()
