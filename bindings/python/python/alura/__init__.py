"""The Alura Trading SDK for Python.

``Client`` and ``AsyncClient`` call every operation of the Alura API. Wallet login, token renewal,
retries and argument checks happen in the SDK's Rust core, so they behave as in Rust and Node.

    import alura
    client = alura.Client()          # ALURA_BASE_URL, ALURA_PRIVATE_KEY, ALURA_TOKEN
    session = client.create_trading_session(budget=100, profit_target=40, asset_index=alura.Asset.BTC)
"""

import logging as _logging
import os as _os

# ALURA_LOG=debug|info|warning|error shows the SDK's log (each attempt at debug; retries and
# logins at info; answers off the spec at warning) on stderr, unless the app configured the
# `alura` logger itself. It is read before the native module starts, which fixes the levels.
_level = _os.environ.get("ALURA_LOG", "").strip().upper()
if _level in ("DEBUG", "INFO", "WARNING", "ERROR"):
    _logger = _logging.getLogger("alura")
    _logger.setLevel(_level)
    if not _logger.handlers:
        _handler = _logging.StreamHandler()
        _handler.setFormatter(_logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        _logger.addHandler(_handler)

from . import types  # noqa: E402
from ._generated.assets import Asset  # noqa: E402
from ._client import AsyncClient, Client, RateLimit, Token  # noqa: E402
from ._watch import AsyncWatch, Watch, WatchEvent  # noqa: E402
from ._arrow import Columns  # noqa: E402
from ._raw import RawResponse  # noqa: E402
from ._settle import Settlement  # noqa: E402
from ._options import RequestOptions  # noqa: E402
from ._generated.options import ClientOptions  # noqa: E402
from ._exceptions import *  # noqa: E402,F403
from ._exceptions import __all__ as _errors  # noqa: E402
from ._native import DEFAULT_BASE_URL, __version__, refresh_logging  # noqa: E402

__all__ = [
    "DEFAULT_BASE_URL",
    "Asset",
    "AsyncClient",
    "Client",
    "ClientOptions",
    "RawResponse",
    "refresh_logging",
    "RequestOptions",
    "Settlement",
    "RateLimit",
    "WatchEvent",
    "Columns",
    "Watch",
    "AsyncWatch",
    "Token",
    "__version__",
    "types",
    *_errors,
]
