"""The client's surface: every operation, configuration, repr."""

from __future__ import annotations

import http.server
import inspect
import json
import pickle
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple

import pytest

import alura
from alura import _native
from alura.testing import MockServer

from conftest import closing_server, loopback_server


def test_every_operation_has_a_method_on_both_clients() -> None:
    ids = [op["id"] for op in _native.operations()]
    spec = json.loads((Path(__file__).parents[3] / "openapi/alura.json").read_text())
    assert len(ids) == sum(len(item) for item in spec["paths"].values())
    for op in ids:
        sync, coro = getattr(alura.Client, op, None), getattr(alura.AsyncClient, op, None)
        assert callable(sync), f"Client.{op}"
        assert inspect.iscoroutinefunction(coro), f"AsyncClient.{op}"


def test_asset_agrees_with_the_rust_sdk() -> None:
    assert [(a.name, a.value) for a in alura.Asset] == _native.assets()
    assert alura.Asset.from_symbol(" doge ") is alura.Asset.DOGE
    assert alura.Asset.ETH == 1 and alura.Asset.SOL.symbol == "SOL"
    with pytest.raises(alura.ValidationError, match="unknown asset 'PEPE'"):
        alura.Asset.from_symbol("PEPE")
    # Generated into a private module, but named and pickled as alura.Asset.
    assert alura.Asset.__module__ == "alura"
    assert pickle.loads(pickle.dumps(alura.Asset.SOL)) is alura.Asset.SOL


def test_configuration_comes_from_the_environment(
    mock: MockServer, key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALURA_BASE_URL", mock.url)
    monkeypatch.setenv("ALURA_PRIVATE_KEY", key)
    client = alura.Client()
    assert client.base_url == mock.url
    profile = client.get_profile()
    assert profile["address"] == client.address
    explicit = alura.Client(base_url=mock.url)
    assert explicit.address == client.address, "arguments left out still come from the environment"


def test_the_default_base_url_is_the_testnet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ALURA_BASE_URL", raising=False)
    assert alura.Client().base_url == alura.DEFAULT_BASE_URL == "https://testnet-api.alura.fun"


def test_repr_shows_the_url_and_address_but_no_secret(mock: MockServer, key: str) -> None:
    token = "alura_secret_token_for_repr"
    client = alura.Client(base_url=mock.url, private_key=key, token=token)
    text = repr(client) + str(client) + repr(client.with_options(max_retries=0))
    assert mock.url in text and str(client.address) in text
    assert key[2:] not in text and token not in text


def test_bad_configuration_is_a_validation_error(key: str) -> None:
    with pytest.raises(alura.ValidationError, match="private key") as info:
        alura.Client(private_key="0x1234")
    assert "0x1234" not in str(info.value)
    with pytest.raises(alura.ValidationError, match="refusing plain http"):
        alura.Client(base_url="http://example.com")
    with pytest.raises(alura.ValidationError, match="timeout"):
        alura.Client(timeout=-1)
    with pytest.raises(alura.ValidationError, match="max_retries must be a number, not str"):
        alura.Client(max_retries="many")  # type: ignore[arg-type]
    for bad in (-1, 10**10, 2.5, float("nan")):
        with pytest.raises(alura.ValidationError, match="max_retries must be a whole number from 0 to 100"):
            alura.Client(max_retries=bad)  # type: ignore[arg-type]
    with pytest.raises(alura.ValidationError, match="max_response_bytes"):
        alura.Client(max_response_bytes=10)


def test_with_options_shares_the_login(mock: MockServer, client: alura.Client) -> None:
    client.login()
    patient = client.with_options(max_retries=5, timeout=5)
    assert isinstance(patient, alura.Client)
    patient.get_profile()
    assert len(mock.requests("verify_signature")) == 1


def test_context_managers(mock: MockServer, key: str) -> None:
    with alura.Client(base_url=mock.url, private_key=key) as client:
        assert client.get_symbols()["symbols"][0] == "BTC"


async def test_async_context_manager(mock: MockServer, key: str) -> None:
    async with alura.AsyncClient(base_url=mock.url, private_key=key) as client:
        assert (await client.get_symbols())["symbols"][0] == "BTC"


def _recording_server(statuses: List[int]) -> Tuple[str, List[Dict[str, str]], Callable[[], None]]:
    """A loopback server answering `statuses` in turn (then 200), keeping each request's headers."""
    seen: List[Dict[str, str]] = []

    def answer(request: http.server.BaseHTTPRequestHandler) -> Tuple[int, bytes]:
        seen.append({k.lower(): v for k, v in request.headers.items()})
        return (statuses[len(seen) - 1] if len(seen) <= len(statuses) else 200), b'{"ok": true}'

    url, stop = loopback_server(answer)
    return url, seen, stop


def test_every_client_option_reaches_the_core_and_with_options_keeps_the_rest() -> None:
    url, seen, stop = _recording_server([503] * 6)
    try:
        client = alura.Client(
            base_url=url, max_retries=2, retry_base_delay=0, retry_max_delay=0, default_headers={"X-Tenant": "desk-7"}
        )
        with pytest.raises(alura.InternalServerError):
            client.request("GET", "/echo", authenticated=False)
        assert len(seen) == 3, "two retries"
        assert all(h.get("x-tenant") == "desk-7" for h in seen), seen
        assert seen[0]["user-agent"].startswith("alura-python/"), "the core's default for Python"
        patient = client.with_options(max_retries=3, extra_headers={"X-Desk": "7"})
        assert patient.request("GET", "/echo", authenticated=False) == {"ok": True}
        assert len(seen) == 7, "three retries, the last one answered"
        assert seen[-1].get("x-tenant") == "desk-7" and seen[-1].get("x-desk") == "7", "default headers are kept"
    finally:
        stop()


def test_new_options_are_checked_by_the_core_in_python_words() -> None:
    with pytest.raises(alura.ValidationError, match="retry_deadline must be a positive number"):
        alura.Client(retry_deadline=0)
    with pytest.raises(alura.ValidationError, match="retry_base_delay must be a number from 0"):
        alura.Client(retry_base_delay=-1)
    with pytest.raises(alura.ValidationError, match="connect_timeout must be a number, not str"):
        alura.Client(connect_timeout="soon")  # type: ignore[arg-type]
    with pytest.raises(alura.ValidationError, match="Authorization header cannot be set"):
        alura.Client(default_headers={"Authorization": "Bearer mine"})
    with pytest.raises(alura.ValidationError, match="max_retries must be a whole number from 0 to 100, not inf"):
        alura.Client(max_retries=10**400)
    with pytest.raises(alura.ValidationError, match="or set allow_insecure_http$"):
        alura.Client(base_url="http://api.example")
    with pytest.raises(alura.ValidationError, match="token_cache must be True, False, None or a path"):
        alura.Client(token_cache=3)  # type: ignore[arg-type]


def test_a_post_after_the_server_closed_the_idle_connection_is_sent_once_and_answered() -> None:
    # A sync call's connections sit idle between calls; a server may close them meanwhile. The
    # next POST must go out on a fresh connection, once, not fail as an unknown outcome.
    url, requests, connections, stop = closing_server(idle=0.1)
    try:
        client = alura.Client(base_url=url, max_retries=0)
        assert client.request("POST", "/orders", json={"n": 1}, authenticated=False) == {"ok": True}
        time.sleep(0.4)
        assert client.request("POST", "/orders", json={"n": 2}, authenticated=False) == {"ok": True}
        assert requests == [b"POST /orders HTTP/1.1"] * 2
        assert connections[0] == 2
    finally:
        stop()


def test_a_closed_client_refuses_calls_and_so_do_its_copies(mock: MockServer, key: str) -> None:
    with alura.Client(base_url=mock.url, private_key=key) as client:
        patient = client.with_options(max_retries=5)
        assert client.get_symbols()["symbols"]
    assert client.closed and patient.closed, "the with block closed it, and the copy with it"
    before = len(mock.requests())
    for c in (client, patient):
        with pytest.raises(alura.ValidationError, match=r"get_profile\(\): this client is closed, so nothing was sent"):
            c.get_profile()
    assert len(mock.requests()) == before, "nothing sent, not even a login"


async def test_async_with_closes_the_async_client(mock: MockServer, key: str) -> None:
    async with alura.AsyncClient(base_url=mock.url, private_key=key) as client:
        assert (await client.get_profile())["balance"] == 10000
    assert client.closed
    with pytest.raises(alura.ValidationError, match="closed"):
        await client.get_symbols()


def test_closing_a_copy_leaves_the_client_open(mock: MockServer, key: str) -> None:
    client = alura.Client(base_url=mock.url, private_key=key)
    with client.with_options(timeout=5) as quick:
        assert quick.get_symbols()["symbols"]
    assert quick.closed and not client.closed
    assert client.get_symbols()["symbols"]


def test_a_key_given_to_with_options_is_the_one_a_post_sends(mock: MockServer, client: alura.Client) -> None:
    keyed = client.with_options(idempotency_key="order-77")
    keyed.create_trading_session(budget=100, profit_target=40, asset_index=0)
    assert mock.requests("create_trading_session")[-1]["idempotencyKey"] == "order-77"


def test_the_simulator_keeps_request_bodies_but_never_a_signature(mock: MockServer, client: alura.Client) -> None:
    client.withdraw(amount="0.5")
    assert mock.requests("withdraw")[-1]["body"] == '{"amount":0.5}'
    assert mock.requests("verify_signature")[-1]["body"] is None, "a login's body holds the wallet's signature"
