"""The API's request and response shapes as TypedDicts (keys as the API names them), and its
enums as Literal types. Responses are plain dicts; these types are for type checkers.

Written by `cargo xtask gen` into ``alura/_generated/types.py``; this module is their public name.
"""

from ._generated.types import *  # noqa: F403
from ._generated.types import __all__ as __all__
