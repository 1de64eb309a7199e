"""Retry, login, threads, event loops and Ctrl-C, as a notebook user meets them."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Tuple

import pytest

import alura
from alura.testing import MockServer

from conftest import sent


def test_retry_and_relogin_show_in_the_request_log(mock: MockServer, client: alura.Client) -> None:
    mock.inject_faults("get_candles", [{"kind": "status", "status": 503}, {"kind": "close"}])
    assert len(client.get_candles("BTC", "1h", limit=5)) == 5
    assert [r["status"] for r in mock.requests("get_candles")] == [503, None, 200]

    client.login()
    mock.inject_fault("get_profile", kind="expired_token")
    client.get_profile()
    assert sent(mock, "get_profile") == 2 and sent(mock, "verify_signature") == 2

    mock.inject_fault("create_trading_session", kind="status", status=429, headers={"Retry-After": "0"})
    client.create_trading_session(budget=100, profit_target=40, asset_index=0)
    keys = {r["idempotencyKey"] for r in mock.requests("create_trading_session")}
    assert len(keys) == 1 and None not in keys, "one key across both attempts"


def test_threads_share_one_client_and_one_login(mock: MockServer, client: alura.Client) -> None:
    with ThreadPoolExecutor(16) as pool:
        profiles = list(pool.map(lambda _: client.get_profile(), range(64)))
    assert {p["address"] for p in profiles} == {client.address}
    assert sent(mock, "verify_signature") == 1


def test_the_gil_is_released_while_a_call_waits(mock: MockServer, client: alura.Client) -> None:
    mock.inject_fault("get_symbols", kind="delay", ms=1500)
    worker = threading.Thread(target=client.get_symbols)
    worker.start()
    while not mock.requests("get_symbols"):
        time.sleep(0.01)
    ticks = 0
    while worker.is_alive() and ticks < 1000:
        ticks += 1  # only runs if the waiting call let go of the GIL
        time.sleep(0.001)
    worker.join()
    assert ticks > 10


def interrupted(mock: MockServer, operation: str, script: str) -> Tuple[str, str]:
    """Runs `script`, sends it Ctrl-C once the simulator has `operation`'s request, and
    returns what it printed to stdout and stderr."""
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while not mock.requests(operation) and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(child.pid, signal.SIGINT)
        return child.communicate(timeout=20)
    finally:
        child.kill()


def test_ctrl_c_during_a_post_says_the_outcome_is_unknown_and_names_the_key(mock: MockServer, key: str) -> None:
    mock.inject_fault("create_trading_session", kind="delay", ms=30_000)
    script = textwrap.dedent(
        f"""
        import logging
        import alura
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
        client = alura.Client(base_url={mock.url!r}, private_key={key!r}, max_retries=0)
        try:
            client.create_trading_session(budget=100, profit_target=40, asset_index=0)
        except KeyboardInterrupt as e:
            print("interrupted;", " ".join(getattr(e, "__notes__", [])))
        """
    )
    out, err = interrupted(mock, "create_trading_session", script)
    sent_key = mock.requests("create_trading_session")[0]["idempotencyKey"]
    assert out.startswith("interrupted; create_trading_session was interrupted after it may have been sent"), out
    assert f"idempotency_key={sent_key!r}".replace("'", '"') in out, (out, sent_key)
    assert "WARNING alura.call create_trading_session was interrupted" in err, err


def test_sync_calls_work_inside_a_running_event_loop(client: alura.Client) -> None:
    async def notebook_cell() -> str:
        return client.get_symbols()["symbols"][0]

    assert asyncio.run(notebook_cell()) == "BTC"


async def test_async_calls_run_concurrently(mock: MockServer, aclient: alura.AsyncClient) -> None:
    results = await asyncio.gather(*(aclient.get_candles("ETH", "1h", limit=3) for _ in range(50)))
    assert all(len(r) == 3 for r in results)
    await aclient.get_profile()
    await asyncio.gather(*(aclient.get_profile() for _ in range(20)))
    assert sent(mock, "verify_signature") == 1


def test_ctrl_c_interrupts_a_waiting_call(mock: MockServer) -> None:
    mock.inject_fault("get_symbols", kind="delay", ms=30_000)
    script = textwrap.dedent(
        f"""
        import alura
        try:
            alura.Client(base_url={mock.url!r}, max_retries=0).get_symbols()
        except KeyboardInterrupt:
            print("interrupted")
        """
    )
    out, _ = interrupted(mock, "get_symbols", script)
    assert out.strip() == "interrupted"


def test_options_steer_one_call_and_keep_the_rest(mock: MockServer, client: alura.Client) -> None:
    mock.inject_faults("get_symbols", [{"kind": "status", "status": 503, "headers": {"Retry-After": "0"}}] * 2)
    with pytest.raises(alura.InternalServerError):
        client.get_symbols(max_retries=0, extra_headers={"X-Tenant": "desk-7"})
    assert client.get_symbols()["symbols"][0] == "BTC", "the client itself still retries"
    session = client.create_trading_session(
        budget=100, profit_target=40, asset_index=0, idempotency_key="order-42"
    )
    assert session["assetIndex"] == 0
    assert mock.requests("create_trading_session")[-1]["idempotencyKey"] == "order-42"
    with pytest.raises(alura.ValidationError, match="header cannot be set"):
        client.get_symbols(extra_headers={"Authorization": "Bearer mine"})
    with pytest.raises(alura.ValidationError, match=r"get_symbols\(\) got an unexpected keyword argument 'retries'"):
        client.get_symbols(retries=1)  # type: ignore[call-arg]
    with pytest.raises(alura.ValidationError, match=r"\(did you mean loss_threshold\?\); its arguments: budget, "):
        client.create_trading_session(budget=100, profit_target=40, asset_index=0, loss_treshold=5)  # type: ignore[call-arg]
    patient = client.with_options(max_retries=5)
    mock.inject_faults("get_symbols", [{"kind": "status", "status": 503, "headers": {"Retry-After": "0"}}] * 4)
    assert patient.get_symbols()["symbols"][0] == "BTC", "five retries ride out four 503s"


def test_attempts_retries_and_logins_show_in_logging_without_secrets(
    mock: MockServer, key: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="alura")
    alura.refresh_logging()
    try:
        client = alura.Client(base_url=mock.url, private_key=key)
        mock.inject_fault("get_profile", kind="status", status=503, headers={"Retry-After": "0"})
        client.get_profile()
    finally:
        caplog.set_level(logging.WARNING, logger="alura")
        alura.refresh_logging()
    by_logger = {(r.name, r.levelname) for r in caplog.records}
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert ("alura.http", "DEBUG") in by_logger and "get_profile: GET /user/profile -> 503" in text, text
    assert ("alura.retry", "INFO") in by_logger and "get_profile: retrying in" in text, text
    assert ("alura.login", "INFO") in by_logger and "logged in as" in text, text
    assert "req_" in text, "attempts name their request id"
    assert key[2:] not in text and "Bearer" not in text
    token = client.token
    assert token is not None and token.value not in text


def test_alura_log_shows_the_log_on_stderr(mock: MockServer) -> None:
    code = "import alura; alura.Client(base_url=%r).get_symbols()" % mock.url
    out = subprocess.run(
        [sys.executable, "-c", code], env={**os.environ, "ALURA_LOG": "debug"}, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert "DEBUG alura.http: get_symbols: GET" in out.stderr, out.stderr


def test_with_raw_response_gives_status_headers_and_bytes(mock: MockServer, client: alura.Client) -> None:
    raw = client.with_raw_response.get_symbols()
    assert isinstance(raw, alura.RawResponse)
    assert raw.status_code == 200
    assert raw.headers["content-type"].startswith("application/json")
    assert raw.parse() == client.get_symbols()
    assert b'"symbols"' in raw.content

    async def main() -> None:
        aclient = alura.AsyncClient(base_url=mock.url)
        araw = await aclient.with_raw_response.get_symbols()
        assert araw.status_code == 200 and araw.parse()["symbols"][0] == "BTC"

    asyncio.run(main())


def test_a_root_logger_at_debug_gets_the_sdks_records_not_the_transports(mock: MockServer) -> None:
    def run(extra: str) -> str:
        code = (
            "import logging, alura\n"
            "logging.basicConfig(level=logging.DEBUG, format='%(name)s %(message)s')\n"
            f"{extra}\n"
            "alura.refresh_logging()\n"
            f"alura.Client(base_url={mock.url!r}).get_symbols()\n"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        return out.stderr

    quiet = run("")
    assert "alura.http get_symbols: GET" in quiet, quiet
    assert "hyper_util" not in quiet and "rustls" not in quiet, quiet
    asked = run("logging.getLogger('hyper_util').setLevel(logging.DEBUG)")
    assert "hyper_util" in asked, "a transport library's records once its own logger has a level"


def test_the_native_per_call_options_are_the_typed_ones(client: alura.Client) -> None:
    from alura._options import RequestOptions

    with pytest.raises(alura.ValidationError) as info:
        client.with_options(bogus=1)
    known = str(info.value).split("known: ")[1].split(", ")
    assert known == list(RequestOptions.__annotations__), "options.rs and _options.py list the same options"
