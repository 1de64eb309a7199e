"""A server's JSON reaches Python as `json.loads` reads it: every key, every value, whatever the
spec says. These servers are written here, not ours; the answer goes through the SDK's own
decoder (src/pyjson.rs), which shares object keys through a cache."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Callable, Dict, Iterator, List, Tuple

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


def test_a_key_that_is_not_utf8_is_a_decode_error(serve: Callable[[bytes], str]) -> None:
    # Keys are checked as UTF-8 only when not already cached: a new key must still be checked,
    # short or long, in the first object or after the cache knows its neighbours.
    for bad in (b'{"symbols": [], "\xff": 1}', b'[{"a": 1}, {"a\xc3": 2}]', b'{"' + b"k" * 70 + b'\xfe": 1}'):
        url = serve(bad)
        with pytest.raises(alura.DecodeError):
            alura.Client(base_url=url).get_symbols()


def _history(candles: int, odd_at: int) -> bytes:
    """A history over a megabyte, which is parsed on a thread of its own while the core checks
    it, with one candle the spec does not expect."""
    rows: List[Dict[str, Any]] = [
        {"symbol": "BTC", "interval": "1m", "openTime": 1_700_000_000_000 + i * 60_000, "open": 1.5 + i,
         "high": 2.0, "low": 1.0, "close": 1.75, "volume": i}
        for i in range(candles)
    ]
    rows[odd_at]["open"] = "not a number"
    rows[odd_at]["extra"] = {"é": [1, None]}
    sent = json.dumps(rows).encode()
    assert len(sent) > 1 << 20
    return sent


def _history_both(url: str, **options: Any) -> List[Callable[[], Any]]:
    async def run() -> Any:
        return await alura.AsyncClient(base_url=url, **options).get_candle_history("BTC")

    return [lambda: alura.Client(base_url=url, **options).get_candle_history("BTC"), lambda: asyncio.run(run())]


def test_a_large_answer_arrives_whole_and_as_sent(serve: Callable[[bytes], str]) -> None:
    sent = _history(12_000, odd_at=9_000)
    for call in _history_both(serve(sent)):
        assert call() == json.loads(sent)


def test_a_large_answer_that_does_not_fit_fails_a_strict_client(serve: Callable[[bytes], str]) -> None:
    url = serve(_history(12_000, odd_at=11_999))
    for call in _history_both(url, strict=True):
        with pytest.raises(alura.DecodeError) as raised:
            call()
        assert raised.value.path == "$[11999].open"


def test_a_large_body_cut_short_is_a_decode_error(serve: Callable[[bytes], str]) -> None:
    url = serve(_history(12_000, odd_at=0)[:-2])
    for call in _history_both(url):
        with pytest.raises(alura.DecodeError):
            call()


@pytest.mark.parametrize(
    "body",
    [b'{"symbols": ["BTC"]} trailing', b'{"symbols": ["BTC"], "x": 1e400}', b'{"x": ' + b"[" * 300 + b"]" * 300 + b"}"],
    ids=["text after the value", "a number no double holds", "nested 300 deep"],
)
def test_bytes_parsers_read_differently_are_a_decode_error(serve: Callable[[bytes], str], body: bytes) -> None:
    url = serve(body)
    with pytest.raises(alura.DecodeError):
        alura.Client(base_url=url, max_retries=0).get_symbols()
    with pytest.raises(alura.DecodeError):
        asyncio.run(alura.AsyncClient(base_url=url, max_retries=0).get_symbols())


def test_an_empty_body_is_none(serve: Callable[[bytes], str]) -> None:
    assert alura.Client(base_url=serve(b""), max_retries=0).get_symbols() is None
