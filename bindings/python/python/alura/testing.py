"""The Alura simulator in-process, for tests and notebooks that run offline.

from alura.testing import MockServer
with MockServer() as mock:
    client = alura.Client(base_url=mock.url, private_key=...)
    mock.inject_fault("get_profile", kind="status", status=503)
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Dict, List, Optional, Type, Union

from . import _native
from ._native import NativeMockServer


class MockServer:
    """The Rust simulator of the Alura backend on a free loopback port."""

    def __init__(
        self,
        *,
        port: int = 0,
        token_ttl: int = 86_400,
        seed: int = 42,
        rate_limit: Union[int, str, None] = None,
        drift: bool = False,
    ) -> None:
        """``rate_limit`` throttles like ``@nestjs/throttler``, with its headers: requests per
        second (``10``) or per window (``"100/5s"``, ``"1000/10m"``). ``drift=True`` answers like
        a backend whose shapes differ from the spec: extra fields, optional ones missing,
        decimals as strings, ``None``s."""
        rate = f"{rate_limit}/s" if isinstance(rate_limit, int) else rate_limit
        self._native = NativeMockServer(port, token_ttl, seed, rate, drift)

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:41234``."""
        return self._native.url

    def inject_fault(self, operation: str, **fault: Any) -> None:
        """Queues one fault for the next request to ``operation``: ``kind="status", status=503,
        headers={...}``, ``kind="delay", ms=...``, ``kind="close"``, ``kind="truncated"``,
        ``kind="malformed"`` or ``kind="expired_token"``."""
        self._native.inject(operation, [fault])

    def inject_faults(self, operation: str, faults: List[Dict[str, Any]]) -> None:
        """Queues several faults, met in order."""
        self._native.inject(operation, faults)

    def requests(self, operation: Optional[str] = None) -> List[Dict[str, Any]]:
        """The request log, oldest first: operation, method, path, idempotencyKey, status, fault..."""
        return self._native.requests(operation)  # type: ignore[no-any-return]

    def counters(self) -> Dict[str, int]:
        """Requests received per operation."""
        return self._native.counters()

    def reset(self) -> None:
        """Forgets users, sessions, tokens, faults and the log."""
        self._native.reset()

    def clear_requests(self) -> None:
        """Forgets the request log only."""
        self._native.clear_requests()

    def set_drift(self, enabled: bool) -> None:
        """Turns drift mode on or off while it runs: answers shaped like a backend that strays
        from the spec (money as strings, optional fields missing or None), as ``drift=True``."""
        self._native.set_drift(enabled)

    def open_connections(self) -> int:
        """How many client connections are open now: a client that left one behind shows here."""
        return self._native.open_connections()

    def advance_clock(self, seconds: float) -> None:
        """Moves the simulator's clock (expires nonces and tokens without waiting)."""
        self._native.advance_clock(seconds)

    def close(self) -> None:
        """Stops the simulator."""
        self._native.close()

    def __enter__(self) -> MockServer:
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"MockServer(url={self.url!r})"


def watch_polls_in_flight() -> int:
    """Watch polls under way in this process: a watch whose task was cancelled leaves none."""
    return _native.watch_polls_in_flight()
