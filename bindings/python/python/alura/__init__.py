"""The Alura Trading SDK for Python.

``Client`` and ``AsyncClient`` call every operation of the Alura API. Wallet login, token renewal,
retries and argument checks happen in the SDK's Rust core, so they behave as in Rust and Node.

    import alura
    client = alura.Client()          # ALURA_BASE_URL, ALURA_PRIVATE_KEY, ALURA_TOKEN
    session = client.create_trading_session(budget=100, profit_target=40, asset_index=alura.Asset.BTC)
"""

from . import types
from ._asset import Asset
from ._client import AsyncClient, Client, Token
from ._options import RequestOptions
from ._exceptions import (
    AluraError,
    APIError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    DecodeError,
    InternalError,
    InternalServerError,
    NetworkError,
    NotFoundError,
    OutcomeUnknownError,
    PermissionDeniedError,
    RateLimitError,
    TimeoutError,
    ValidationError,
)
from ._native import DEFAULT_BASE_URL, __version__

__all__ = [
    "DEFAULT_BASE_URL",
    "APIError",
    "AluraError",
    "Asset",
    "AsyncClient",
    "AuthenticationError",
    "BadRequestError",
    "Client",
    "ConflictError",
    "DecodeError",
    "InternalError",
    "InternalServerError",
    "NetworkError",
    "NotFoundError",
    "OutcomeUnknownError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestOptions",
    "TimeoutError",
    "Token",
    "ValidationError",
    "__version__",
    "types",
]
