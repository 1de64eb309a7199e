"""A process forked after the SDK was used (Python's `multiprocessing` forks on Linux) can call
the API: with a client from before the fork, a new one, and an AsyncClient. Before, the child's
calls waited for ever on a runtime whose threads stayed in the parent."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
import sys

import pytest

import alura
from alura.testing import MockServer

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")


def test_a_forked_child_can_call_and_so_can_its_parent(mock: MockServer) -> None:
    before = alura.Client(base_url=mock.url)
    assert len(before.get_symbols()) > 0
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report, never return into pytest
        try:
            signal.alarm(20)

            async def async_call() -> int:
                return len(await alura.AsyncClient(base_url=mock.url).get_symbols())

            counts = [
                len(before.get_symbols()),
                len(alura.Client(base_url=mock.url).get_symbols()),
                asyncio.run(async_call()),
            ]
            os.write(write, repr(counts).encode())
        except BaseException as e:  # noqa: BLE001 - reported to the parent
            os.write(write, f"{type(e).__name__}: {e}".encode())
        finally:
            sys.stdout.flush()
            os._exit(0)
    os.close(write)
    _, status = os.waitpid(pid, 0)
    with os.fdopen(read) as pipe:
        said = pipe.read()
    assert os.WIFEXITED(status), f"the child was killed by signal {os.WTERMSIG(status)} (14: it hung)"
    n = len(before.get_symbols())
    assert said == repr([n, n, n])


def test_a_child_forked_while_its_parent_logs_in_logs_in_itself(mock: MockServer) -> None:
    # The parent's login holds the client's login lock on a thread the child does not have: in
    # the child that lock would never be let go, and every call there would time out waiting.
    mock.inject_fault("verify_signature", kind="delay", ms=1500)
    client = alura.Client(base_url=mock.url, private_key="0x" + "22" * 32, timeout=4)
    parent_got: list = []
    parent_call = threading.Thread(target=lambda: parent_got.append(client.get_profile()["address"]))
    parent_call.start()
    time.sleep(0.4)  # the parent's login is under way, held by the server
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report, never return into pytest
        try:
            signal.alarm(20)
            os.write(write, client.get_profile()["address"].encode())
        except BaseException as e:  # noqa: BLE001 - reported to the parent
            os.write(write, f"{type(e).__name__}: {e}".encode())
        finally:
            os._exit(0)
    os.close(write)
    _, status = os.waitpid(pid, 0)
    with os.fdopen(read) as pipe:
        said = pipe.read()
    parent_call.join(10)
    assert os.WIFEXITED(status), f"the child was killed by signal {os.WTERMSIG(status)} (14: it hung)"
    assert said == client.address, said
    assert parent_got == [client.address], "the parent's call ended with its own login"
    # The child's challenge replaces the one the parent's login was answering (one nonce per
    # wallet), so the parent may have had to log in again.
    assert mock.counters()["verify_signature"] in (2, 3)
