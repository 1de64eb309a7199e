"""Watches in simulated time: the watch runs on the simulator's clock (``clock=mock``), and
sleeping moves it, so hours of candles pass in milliseconds."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from typing import Any, Dict, List
from urllib.parse import parse_qs

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


def test_a_new_signal_each_interval_each_once_async(mock: MockServer) -> None:
    async def main() -> List[int]:
        client = alura.AsyncClient(base_url=mock.url)
        times: List[int] = []
        async for event in client.watch_signals("SOL", "5m", jitter=0, clock=mock):
            assert event.kind == "signal", event
            times.append(event.signal["timestamp"])
            if len(times) == 4:
                return times
        raise AssertionError("a watch never ends by itself")

    times = asyncio.run(main())
    assert all(b - a == 5 * MINUTE for a, b in zip(times, times[1:])), times
    assert len(mock.requests("get_signals")) <= 5, "polled at the intervals' ends"


def test_the_current_trade_opens_moves_and_closes(mock: MockServer, client: alura.Client) -> None:
    client.create_trading_session(budget=300, profit_target=40, asset_index="BTC")
    watch = client.watch_current_trade(every=0.01, clock=mock)
    opened = next(watch)
    assert opened.kind == "trade_opened" and opened.trade["status"] == "open", opened
    mock.advance_clock(600)
    moved = next(watch)
    assert moved.kind == "pnl" and moved.pnl != opened.trade["pnl"], moved
    # A PnL with more digits than a double holds comes through exactly.
    served = json.dumps({**opened.trade, "pnl": "PNL"}, default=str).replace(
        '"PNL"', "1.23456789012345678901"
    )
    mock.inject_fault("get_current_trade", kind="raw", status=200, body=served)
    exact = next(watch)
    assert (exact.kind, exact.pnl) == ("pnl", Decimal("1.23456789012345678901")), exact
    client.close_trade(opened.trade["id"])
    closed = next(watch)
    assert (closed.kind, closed.trade["id"]) == ("trade_closed", opened.trade["id"])


def _log_page(first: int, last: int, page: int, total: int) -> Dict[str, Any]:
    entries = [{"id": f"log-{i}", "level": "info", "message": f"entry {i}"} for i in range(first, last + 1)]
    body = json.dumps({"data": entries, "page": page, "limit": 50, "total": total})
    return {"kind": "raw", "status": 200, "body": body}


def test_a_trades_new_log_entries_across_pages_each_once(mock: MockServer, client: alura.Client) -> None:
    # A log that grows across pages of 50, as a server pages it; the last answers show a page
    # again, shifted, with entries already seen.
    mock.inject_faults(
        "get_trade_logs",
        [
            _log_page(1, 50, 1, 55),  # the first poll: what was there before the watch
            _log_page(51, 55, 2, 55),
            _log_page(51, 100, 2, 110),  # from the page of the first unseen entry
            _log_page(101, 110, 3, 110),
            _log_page(101, 112, 3, 112),
            _log_page(98, 112, 3, 112),  # shifted: nothing new
        ],
    )
    follow = client.follow_trade_logs("trade-1", every=0.01, clock=mock)
    got = [next(follow)["message"] for _ in range(57)]
    assert got == [f"entry {i}" for i in range(56, 113)], "new ones only, each once, in order"
    with pytest.raises(alura.NotFoundError):
        next(follow)  # the shifted page said nothing; then the simulator knows no such trade
    pages = [parse_qs(r["query"])["page"][0] for r in mock.requests("get_trade_logs")]
    assert pages[:6] == ["1", "2", "2", "3", "3", "3"], pages
