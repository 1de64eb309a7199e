"""Candle watches in simulated time: the watch runs on the simulator's clock (``clock=mock``), and
sleeping moves it, so hours of candles pass in milliseconds."""

from __future__ import annotations

import asyncio
from typing import List

import pytest

import alura
from alura.testing import MockServer

MINUTE = 60_000


def _consecutive(times: List[int]) -> None:
    assert all(b - a == MINUTE for a, b in zip(times, times[1:])), f"no gap and no duplicate: {times}"


def test_ten_candles_across_an_outage_with_no_gap_and_no_duplicate(mock: MockServer) -> None:
    client = alura.Client(base_url=mock.url, max_retries=0)
    watch = client.watch_candles("BTC", "1m", jitter=0, clock=mock)
    closed: List[int] = []
    errors = 0
    while len(closed) < 10:
        if len(closed) == 3 and errors == 0:
            mock.inject_faults("get_candles", [{"kind": "status", "status": 503}] * 4)
            mock.advance_clock(5 * 60)
        try:
            event = next(watch)
        except alura.InternalServerError:
            errors += 1
            continue
        assert event.kind == "closed", event
        closed.append(event.candle["openTime"])
    assert errors == 4, "each refused poll raises, and the watch goes on"
    _consecutive(closed)


def test_an_async_watch_fills_a_long_sleep_from_the_history_and_can_be_cancelled(mock: MockServer) -> None:
    async def main() -> List[int]:
        client = alura.AsyncClient(base_url=mock.url)
        watch = client.watch_candles(alura.Asset.ETH, "1m", jitter=0, clock=mock)
        first = await watch.__anext__()
        mock.advance_clock(2 * 24 * 3600)
        times = [first.candle["openTime"]]
        async for event in watch:
            assert event.kind == "closed", event
            times.append(event.candle["openTime"])
            if len(times) == 2 * 24 * 60:
                break
        # A watch waiting for the next candle, cancelled, leaves nothing behind.
        waiting = asyncio.ensure_future(client.watch_candles("BTC", "1h", jitter=0).__anext__())
        await asyncio.sleep(0.2)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        return times

    _consecutive(asyncio.run(main()))
    assert len(mock.requests("get_candle_history")) == 1


def test_a_gap_the_history_cannot_fill_is_an_event(mock: MockServer) -> None:
    watch = alura.Client(base_url=mock.url).watch_candles("BTC", "1m", jitter=0, clock=mock)
    first = next(watch).candle["openTime"]
    mock.advance_clock(2 * 24 * 3600)
    mock.inject_fault("get_candle_history", kind="raw", status=200, body="[]")
    gap = next(watch)
    assert (gap.kind, gap.from_ms) == ("gap", first + MINUTE)
    assert next(watch).candle["openTime"] == gap.to_ms + MINUTE
