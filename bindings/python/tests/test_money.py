"""Amounts reach the server with exactly their digits: a decimal.Decimal as written, a float by
its shortest repr, never in exponent notation."""

from __future__ import annotations

import http.server
from decimal import Decimal
from typing import Any, Callable, List, Tuple

import pytest

import alura

from conftest import loopback_server


def _posted(request: http.server.BaseHTTPRequestHandler) -> str:
    return request.rfile.read(int(request.headers["Content-Length"])).decode()


@pytest.fixture
def bodies() -> Any:
    """A server that keeps each body it is sent, and answers `{"success": true}`."""
    seen: List[str] = []

    def answer(request: http.server.BaseHTTPRequestHandler) -> Tuple[int, bytes]:
        seen.append(_posted(request))
        return 201, b'{"success": true}'

    url, stop = loopback_server(answer)
    yield url, seen
    stop()


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


@pytest.mark.parametrize("drift", [False, True], ids=["numbers", "strings"])
def test_money_in_answers_is_an_exact_decimal_whatever_the_wire_form(drift: bool) -> None:
    from alura.testing import MockServer

    # Drift mode serves money as strings ("10000.00", as TypeORM does) and leaves some fields out,
    # but never a balance or a budget.
    with MockServer(drift=drift) as mock:
        client = alura.Client(base_url=mock.url, private_key="0x" + "12" * 32)
        profile = client.get_profile()
        assert isinstance(profile["balance"], Decimal) and profile["balance"] == 10000
        session = client.create_trading_session(budget=Decimal("100.10"), profit_target=40, asset_index=alura.Asset.BTC)
        assert isinstance(session["profitTarget"], Decimal) and session["profitTarget"] == 40
        assert session["profitTarget"] * 2 == 80, "arithmetic is exact, not string concatenation"
        assert isinstance(session["budget"], Decimal) and session["budget"] == Decimal("100.10")
        trade = client.get_current_trade()
        for p in trade["positions"]:
            assert isinstance(p["entryPrice"], Decimal) and isinstance(p["markPrice"], Decimal)
        floats = alura.Client(base_url=mock.url, token=client.token.value, money="float")  # type: ignore[union-attr]
        assert isinstance(floats.get_profile()["balance"], float)
        assert isinstance(floats.with_options(timeout=5).get_profile()["balance"], float)


def test_async_answers_carry_decimals_too() -> None:
    import asyncio

    from alura.testing import MockServer

    async def run(url: str) -> None:
        async with alura.AsyncClient(base_url=url, private_key="0x" + "13" * 32) as client:
            assert (await client.get_profile())["balance"] == Decimal(10000)
            floats = alura.AsyncClient(base_url=url, token=client.token.value, money="float")  # type: ignore[union-attr]
            assert isinstance((await floats.get_profile())["balance"], float)

    with MockServer() as mock:
        asyncio.run(run(mock.url))


def test_money_option_is_checked() -> None:
    with pytest.raises(alura.ValidationError, match='money must be "decimal" or "float"'):
        alura.Client(money="double")  # type: ignore[arg-type]


def _echo_server(as_string: bool) -> Tuple[str, Callable[[], None]]:
    """A server that answers a withdrawal with the amount it got, as the JSON text it got (or
    that text in quotes, as TypeORM would)."""

    def answer(request: http.server.BaseHTTPRequestHandler) -> Tuple[int, bytes]:
        raw = _posted(request).split('"amount":', 1)[1].split(",", 1)[0].rstrip("}")
        return 201, ('{"success": true, "amount": %s}' % (f'"{raw}"' if as_string else raw)).encode()

    return loopback_server(answer)


@pytest.mark.parametrize("as_string", [False, True], ids=["number", "string"])
def test_any_decimal_survives_a_round_trip_through_the_sdk(as_string: bool) -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    url, stop = _echo_server(as_string)
    client = alura.Client(base_url=url, token="tok", max_retries=0)
    # Positive (a withdrawal's amount must be), up to 28 significant digits, any scale up to 28.
    decimals = st.builds(
        lambda digits, scale: Decimal(digits).scaleb(-scale),
        st.integers(min_value=1, max_value=10**28 - 1),
        st.integers(min_value=0, max_value=28),
    )

    @settings(max_examples=150, deadline=None)
    @given(decimals)
    def round_trip(d: Decimal) -> None:
        back = client.withdraw(amount=d)["amount"]
        assert isinstance(back, Decimal)
        assert back == d and back.as_tuple() == d.as_tuple(), (d, back)

    try:
        round_trip()
    finally:
        stop()
