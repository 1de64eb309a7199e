"""How async answers reach asyncio: any loop, several loops, cancelled calls.

Answers cross from the Rust runtime through one queue per event loop (src/completion.rs); these
are the loops a user brings."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from typing import Any, List

import pytest

import alura
from alura.testing import MockServer

from conftest import closing_server, sent


async def _latest_many(client: alura.AsyncClient, n: int) -> List[Any]:
    return await asyncio.gather(*(client.get_latest_candles() for _ in range(n)))


def test_a_loop_without_add_reader_still_gets_every_answer(mock: MockServer) -> None:
    # Windows' proactor loop has no add_reader; answers must still arrive, each to its caller.
    class NoReaders(asyncio.SelectorEventLoop):
        def add_reader(self, *args: Any) -> None:
            raise NotImplementedError

    loop = NoReaders()
    try:
        client = alura.AsyncClient(base_url=mock.url)
        got = loop.run_until_complete(asyncio.wait_for(_latest_many(client, 40), 20))

        async def two() -> List[Any]:
            return await asyncio.gather(client.health_check(), client.get_symbols())

        health, symbols = loop.run_until_complete(two())
    finally:
        loop.close()
    assert len(got) == 40 and all(len(candles) == 6 for candles in got)
    assert health["status"] and symbols["symbols"]


def test_one_client_serves_loops_in_two_threads_and_one_loop_after_another(mock: MockServer) -> None:
    client = alura.AsyncClient(base_url=mock.url)
    results: List[int] = []

    def run() -> None:
        results.append(sum(len(c) for c in asyncio.run(_latest_many(client, 30))))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    # asyncio.run makes a new loop each time; the old one is closed and forgotten.
    run()
    run()
    assert results == [180, 180, 180, 180]


def test_an_error_reaches_the_awaiting_caller_as_its_type(mock: MockServer) -> None:
    client = alura.AsyncClient(base_url=mock.url)

    async def both() -> List[Any]:
        return await asyncio.gather(client.get_profile(), client.get_latest_candles(), return_exceptions=True)

    error, candles = asyncio.run(both())
    assert isinstance(error, alura.AuthenticationError)
    assert len(candles) == 6


def test_cancelling_a_call_drops_its_request(mock: MockServer) -> None:
    # A server that reads the request and never answers: only the client can end the wait.
    listener = socket.create_server(("127.0.0.1", 0))
    closed = threading.Event()

    def serve() -> None:
        conn, _ = listener.accept()
        conn.settimeout(20)
        try:
            while conn.recv(4096):
                pass
        except OSError:
            return
        closed.set()

    threading.Thread(target=serve, daemon=True).start()
    client = alura.AsyncClient(base_url="http://127.0.0.1:%d" % listener.getsockname()[1], max_retries=0)

    async def give_up() -> None:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(client.get_latest_candles(), 0.3)
        started = time.monotonic()
        # The connection closes because the request was dropped, not because of a timeout of ours.
        while not closed.is_set() and time.monotonic() - started < 5:
            await asyncio.sleep(0.02)

    asyncio.run(give_up())
    listener.close()
    assert closed.is_set()


def test_a_slow_signer_does_not_hold_up_the_loop_or_other_calls(mock: MockServer) -> None:
    # A sync signer that waits (a hardware wallet's prompt) must leave the event loop running:
    # other calls go on while it waits, and only they can release it here.
    from eth_account import Account
    from eth_account.messages import encode_defunct

    account = Account.create()
    entered, release = threading.Event(), threading.Event()

    def slow_sign(message: str) -> bytes:
        entered.set()
        if not release.wait(5):
            raise RuntimeError("the loop stood still while the signer waited")
        return bytes(account.sign_message(encode_defunct(text=message)).signature)

    signing = alura.AsyncClient(base_url=mock.url, signer=slow_sign, address=account.address)
    public = alura.AsyncClient(base_url=mock.url)

    async def both() -> None:
        login = asyncio.ensure_future(signing.login())
        while not entered.is_set():
            await asyncio.sleep(0.01)
        assert len(await _latest_many(public, 20)) == 20
        assert not login.done()
        release.set()
        await login

    asyncio.run(both())


def test_an_async_call_times_out_and_retries_on_the_loops_own_timers(mock: MockServer) -> None:
    # Attempt timeouts and retry waits are timers of the loop's runtime, which only the loop
    # runs: nothing on the socket announces them.
    client = alura.AsyncClient(base_url=mock.url, timeout=0.2, max_retries=1)
    mock.inject_faults("get_symbols", [{"kind": "delay", "ms": 1500}] * 2)

    async def call() -> None:
        with pytest.raises(alura.TimeoutError):
            await asyncio.wait_for(client.get_symbols(), 10)

    asyncio.run(call())
    assert sent(mock, "get_symbols") == 2


def test_connections_closed_after_each_answer_come_and_go_cleanly(caplog: pytest.LogCaptureFixture) -> None:
    # Each call opens a connection the server then closes, so socket numbers are used again. The
    # loop must stop watching each socket before it closes: asyncio keeps a closed one's entry,
    # and a new socket given the same number would then never be watched (each call would wait
    # for the runtime's slow timer).
    url, requests, connections, stop = closing_server(idle=5, after_each=True)
    client = alura.AsyncClient(base_url=url, max_retries=0)

    async def calls() -> List[Any]:
        selector = asyncio.get_running_loop()._selector  # type: ignore[attr-defined]
        first = await client.request("GET", "/echo", authenticated=False)
        watched = set(selector.get_map())
        rest = [await client.request("GET", "/echo", authenticated=False) for _ in range(29)]
        assert set(selector.get_map()) == watched, "the loop still watches closed connections"
        return [first] + rest

    try:
        with caplog.at_level(logging.WARNING, logger="alura"):
            alura.refresh_logging()
            assert asyncio.run(calls()) == [{"ok": True}] * 30
    finally:
        stop()
        alura.refresh_logging()
    assert len(requests) == 30 and connections[0] == 30
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text


def test_an_async_post_after_the_server_closed_the_idle_connection_is_sent_once() -> None:
    # The loop reads a closed connection's news only when it next waits on its sockets: a
    # coroutine busy past the server's keep-alive must still not send its POST on the dead one.
    url, requests, connections, stop = closing_server(idle=0.1)
    client = alura.AsyncClient(base_url=url, max_retries=0)

    async def posts() -> List[Any]:
        first = await client.request("POST", "/orders", json={"n": 1}, authenticated=False)
        time.sleep(0.4)  # busy, not awaiting: the loop sees nothing meanwhile
        return [first, await client.request("POST", "/orders", json={"n": 2}, authenticated=False)]

    try:
        assert asyncio.run(posts()) == [{"ok": True}] * 2
    finally:
        stop()
    assert requests == [b"POST /orders HTTP/1.1"] * 2
    assert connections[0] == 2


def test_a_login_started_on_a_loop_that_stops_running_still_serves_other_loops(mock: MockServer) -> None:
    # A loop's calls run on that loop's own runtime. A login started there used to be a task of
    # it, holding the client's login lock: once that loop stopped being run (closed, or its
    # thread busy elsewhere) no other loop's call could log in before its timeout.
    mock.inject_fault("verify_signature", kind="delay", ms=400)
    client = alura.AsyncClient(base_url=mock.url, private_key="0x" + "11" * 32, timeout=3)
    stalled = asyncio.new_event_loop()
    try:
        first = stalled.create_task(client.get_profile())
        # Long enough for the call to start its login, which the server holds for 400 ms; then
        # this loop is not run again until the end.
        stalled.run_until_complete(asyncio.sleep(0.1))
        assert not first.done()

        started = time.monotonic()
        profile = asyncio.run(client.get_profile())
        assert profile["address"] == client.address
        assert time.monotonic() - started < 2.5, "the login ended on its own, within its 400 ms"
        assert mock.counters()["verify_signature"] == 1, "one login for both loops' calls"
        # The first loop's call, run again, has the same token.
        assert stalled.run_until_complete(asyncio.wait_for(first, 5))["address"] == client.address
    finally:
        stalled.close()
