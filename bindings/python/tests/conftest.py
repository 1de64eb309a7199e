"""Fixtures: a fresh simulator per test, and clients with fresh wallets."""

from __future__ import annotations

import http.server
import secrets
import socket
import threading
from typing import Any, Callable, Iterator, List, Tuple

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
    """A server of the test's own on loopback: `answer(request)` gives each GET's or POST's
    status and JSON body (a POST's body is `request.rfile`'s `Content-Length` bytes). Returns its
    URL and what stops it."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, body = answer(self)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            self.do_GET()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server.shutdown


def closing_server(idle: float, after_each: bool = False) -> Tuple[str, List[bytes], List[int], Callable[[], None]]:
    """A keep-alive server that, like nginx or Node, closes a connection left idle for `idle`
    seconds without saying so in advance, or (`after_each`) after each answer, which says so. Keeps each
    request line, and counts connections."""
    listener = socket.create_server(("127.0.0.1", 0))
    requests: List[bytes] = []
    connections = [0]

    def serve(conn: socket.socket) -> None:
        with conn:
            buffered = b""
            while True:
                conn.settimeout(idle)
                try:
                    while b"\r\n\r\n" not in buffered:
                        chunk = conn.recv(65536)
                        if not chunk:
                            return
                        buffered += chunk
                except socket.timeout:
                    return  # idle: close
                head, _, buffered = buffered.partition(b"\r\n\r\n")
                length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")), 0)
                while len(buffered) < length:
                    buffered += conn.recv(65536)
                buffered = buffered[length:]
                requests.append(head.split(b"\r\n")[0])
                body = b'{"ok": true}'
                close = b"Connection: close\r\n" if after_each else b""
                head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n%sContent-Length: %d\r\n\r\n" % (close, len(body))
                conn.sendall(head + body)
                if after_each:
                    return

    def accept() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            connections[0] += 1
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}", requests, connections, listener.close
