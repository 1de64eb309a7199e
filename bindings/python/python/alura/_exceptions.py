"""The exceptions the SDK raises, under their private module name (the native module raises
them from here). Written by `cargo xtask gen` into ``alura/_generated/errors.py`` from the Rust
core's list, ``alura::ERROR_KINDS``."""

from ._generated.errors import *  # noqa: F403
from ._generated.errors import __all__ as __all__
