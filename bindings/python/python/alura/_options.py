"""Options for one call, passed as keywords to any method (``client.get_symbols(timeout=5)``):
each one left out keeps the client's setting. `cargo xtask gen` reads this class's keys, so a new
option here is a keyword of every generated method."""

from __future__ import annotations

from typing import Dict

from typing_extensions import TypedDict


class RequestOptions(TypedDict, total=False):
    #: Seconds for one attempt.
    timeout: float
    #: Attempts after the first (the client's backoff and deadline are kept).
    max_retries: int
    #: Extra headers for this call (not Authorization, Host or X-Request-Id, which the SDK sets).
    extra_headers: Dict[str, str]
    #: The Idempotency-Key of a POST: reuse the key of a call whose outcome was unknown.
    idempotency_key: str
