"""The exceptions the SDK raises. The Rust core decides which; these carry its fields."""

from __future__ import annotations

import builtins
from typing import Any, Dict, List, Optional


class AluraError(Exception):
    """Base of every exception the SDK raises.

    Errors of a call carry which call it was: ``request_id`` (the ``X-Request-Id`` this client
    sent, the same on every attempt), ``server_request_id`` (the server's own, if it sent one),
    ``idempotency_key`` (of a POST, to reconcile an unknown outcome) and the answer's ``headers``.
    """

    def __init__(
        self,
        message: str = "",
        *,
        request_id: Optional[str] = None,
        server_request_id: Optional[str] = None,
        idempotency_key: Optional[str] = None,
        headers: Optional[Dict[str, str]] = None,
    ) -> None:
        super().__init__(message)
        self.request_id = request_id
        self.server_request_id = server_request_id
        self.idempotency_key = idempotency_key
        self.headers: Dict[str, str] = dict(headers or {})


class APIError(AluraError):
    """The server answered with an error status."""

    def __init__(
        self,
        message: str,
        *,
        status: Optional[int] = None,
        messages: Optional[List[str]] = None,
        body: Any = None,
        **call: Any,
    ) -> None:
        super().__init__(message, **call)
        self.status = status
        #: The body's ``message``, always as a list (NestJS sends one string or one per rule).
        self.messages: List[str] = list(messages or [])
        self.body = body


class BadRequestError(APIError):
    """400: the server refused the arguments (see ``messages``)."""


class AuthenticationError(APIError):
    """Not logged in, or the login failed: no credentials, a refused key, an expired token."""


class PermissionDeniedError(APIError):
    """403: the resource belongs to someone else."""


class NotFoundError(APIError):
    """404: no such resource."""


class ConflictError(APIError):
    """409: the resource already exists."""


class RateLimitError(APIError):
    """429, after retrying as far as the policy allows."""

    def __init__(self, message: str, *, retry_after: Optional[float] = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        #: Seconds the server asked to wait, if it said.
        self.retry_after = retry_after


class InternalServerError(APIError):
    """5xx from the server, after retrying where that is safe."""


class NetworkError(AluraError, ConnectionError):
    """The request could not be sent, or its response could not be read."""


class TimeoutError(AluraError, builtins.TimeoutError):
    """The call ran out of time, across its retries."""

    def __init__(self, message: str, *, elapsed: Optional[float] = None, **call: Any) -> None:
        super().__init__(message, **call)
        self.elapsed = elapsed


class OutcomeUnknownError(AluraError):
    """A POST may or may not have been carried out (timeout, dropped connection, 5xx).

    It was not sent again, so it ran at most once: check the state before retrying.
    """

    def __init__(
        self, message: str, *, operation: str = "", reason: str = "", status: Optional[int] = None, **call: Any
    ) -> None:
        super().__init__(message, **call)
        self.operation = operation
        self.reason = reason
        self.status = status


class ValidationError(AluraError, ValueError):
    """The arguments were refused before anything was sent."""


class DecodeError(AluraError):
    """The response arrived but is not what the API describes (or is over the size limit).

    Raised for a mismatch only by a ``strict=True`` client: by default the server's JSON is
    returned as it came and the mismatch is logged as a warning.
    """

    def __init__(self, message: str, *, path: Optional[str] = None, body: Optional[str] = None, **call: Any) -> None:
        super().__init__(message, **call)
        #: Where the answer differs from the spec, e.g. ``$.data[2].pnl``.
        self.path = path
        #: The body as it came.
        self.body = body

    def __repr__(self) -> str:
        # The body may hold a token: repr shows the message and path only.
        return f"DecodeError({str(self)!r}, path={self.path!r})"


class InternalError(AluraError):
    """A bug in the SDK (a panic in its Rust core), caught before it could escape as
    ``PanicException``; please report it."""
