"""A server's JSON reaches Python as `json.loads` reads it: every key, every value, whatever the
spec says. These servers are written here, not ours; the answer goes through the SDK's own
decoder (src/pyjson.rs), which shares object keys through a cache."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Callable, Iterator, Tuple

import pytest

import alura

from conftest import loopback_server


@pytest.fixture
def serve() -> Iterator[Callable[[bytes], str]]:
    stops = []

    def start(body: bytes) -> str:
        url, stop = loopback_server(lambda _: (200, body))
        stops.append(stop)
        return url

    yield start
    for stop in stops:
        stop()


def _both(url: str) -> Tuple[Any, Any]:
    sync = alura.Client(base_url=url).get_symbols()

    async def run() -> Any:
        return await alura.AsyncClient(base_url=url).get_symbols()

    return sync, asyncio.run(run())


def test_odd_keys_and_values_arrive_as_sent(serve: Callable[[bytes], str]) -> None:
    body = {
        "symbols": ["BTC", "ETH"],
        'quo"te\\d': 1,
        "é ü 中": [True, False, None, -0.0, 1e300, 9.396461976483337e-07, -(2**63), 2**64 - 1],
        "x" * 65: {"nested": {"symbols": "not a list here"}},
        "": "",
        "__proto__": {"a": []},
    }
    sent = json.dumps(body, ensure_ascii=False).encode()
    for got in _both(serve(sent)):
        assert got == json.loads(sent)
        assert [type(v) for v in got["é ü 中"]] == [bool, bool, type(None), float, float, float, int, int]


def test_many_distinct_keys_in_one_answer_stay_distinct(serve: Callable[[bytes], str]) -> None:
    # More keys than the cache has slots, so some share a slot; each dict still gets its own.
    rows = [{f"k{i}": i, f"k{i + 1}": -i, "symbols": i % 7} for i in range(3000)]
    sent = json.dumps({"symbols": [], "rows": rows}).encode()
    for got in _both(serve(sent)):
        assert got == json.loads(sent)


def test_a_body_that_is_not_json_is_a_decode_error(serve: Callable[[bytes], str]) -> None:
    url = serve(b'{"symbols": ["BTC"')
    with pytest.raises(alura.DecodeError):
        alura.Client(base_url=url).get_symbols()
