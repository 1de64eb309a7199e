"""Amounts reach the server with exactly their digits: a decimal.Decimal as written, a float by
its shortest repr, never in exponent notation."""

from __future__ import annotations

import http.server
import threading
from decimal import Decimal
from typing import Any, List

import pytest

import alura


@pytest.fixture
def bodies() -> Any:
    seen: List[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            seen.append(self.rfile.read(int(self.headers["Content-Length"])).decode())
            body = b'{"success": true}'
            self.send_response(201)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()


@pytest.mark.parametrize(
    "amount, wire",
    [
        (Decimal("100.10"), '"amount":100.10'),
        (Decimal("0.00008329"), '"amount":0.00008329'),
        (Decimal("8.329E-5"), '"amount":0.00008329'),
        (Decimal("1234567890.123456789012345678"), '"amount":1234567890.123456789012345678'),
        (100.1, '"amount":100.1'),
        (0.1 + 0.2, '"amount":0.30000000000000004'),
        (25, '"amount":25'),
    ],
)
def test_amounts_reach_the_server_with_exactly_their_digits(bodies: Any, amount: Any, wire: str) -> None:
    url, seen = bodies
    alura.Client(base_url=url, token="tok").withdraw(amount=amount)
    assert wire in seen.pop(), amount


def test_a_decimal_that_is_not_a_number_is_refused_before_anything_is_sent(bodies: Any) -> None:
    url, seen = bodies
    client = alura.Client(base_url=url, token="tok")
    for bad in (Decimal("NaN"), Decimal("Infinity"), Decimal("1E+400")):
        with pytest.raises(alura.ValidationError, match="amount"):
            client.withdraw(amount=bad)
    assert seen == []
