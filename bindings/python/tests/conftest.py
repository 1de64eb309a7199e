"""Fixtures: a fresh simulator per test, and clients with fresh wallets."""

from __future__ import annotations

import http.server
import secrets
import threading
from typing import Any, Callable, Iterator, Tuple

import pytest

import alura
from alura.testing import MockServer


@pytest.fixture
def mock() -> Iterator[MockServer]:
    with MockServer() as server:
        yield server


@pytest.fixture
def key() -> str:
    return "0x" + secrets.token_hex(32)


@pytest.fixture
def client(mock: MockServer, key: str) -> alura.Client:
    # Strict: against our own simulator an answer off the spec is a bug in one of them.
    return alura.Client(base_url=mock.url, private_key=key, strict=True)


@pytest.fixture
def aclient(mock: MockServer, key: str) -> alura.AsyncClient:
    return alura.AsyncClient(base_url=mock.url, private_key=key, strict=True)


def sent(mock: MockServer, operation: str) -> int:
    return len(mock.requests(operation))


def loopback_server(
    answer: Callable[[http.server.BaseHTTPRequestHandler], Tuple[int, bytes]],
) -> Tuple[str, Callable[[], None]]:
    """A server of the test's own on loopback: `answer(request)` gives each GET's status and JSON
    body. Returns its URL and what stops it."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, body = answer(self)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server.shutdown
