"""How async answers reach asyncio: any loop, several loops, cancelled calls.

Answers cross from the Rust runtime through one queue per event loop (src/completion.rs); these
are the loops a user brings."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from typing import Any, List

import pytest

import alura
from alura.testing import MockServer


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


def test_a_slow_signer_does_not_hold_up_other_calls(mock: MockServer) -> None:
    # The runtime has one worker; a signer that blocks for a second must not stall every call.
    from eth_account import Account
    from eth_account.messages import encode_defunct

    account = Account.create()

    def slow_sign(message: str) -> bytes:
        time.sleep(1.0)
        return bytes(account.sign_message(encode_defunct(text=message)).signature)

    signing = alura.AsyncClient(base_url=mock.url, signer=slow_sign, address=account.address)
    public = alura.AsyncClient(base_url=mock.url)

    async def both() -> float:
        login = asyncio.ensure_future(signing.login())
        await asyncio.sleep(0.1)  # the login is in the signer now
        started = time.monotonic()
        await _latest_many(public, 20)
        took = time.monotonic() - started
        await login
        return took

    assert asyncio.run(both()) < 0.6, "public calls waited for the signer"
