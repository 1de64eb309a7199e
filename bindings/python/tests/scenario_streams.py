"""The shared scenarios' watch and burst steps (tests/scenarios/README.md), for test_scenarios.py."""

from __future__ import annotations

import asyncio
import time
from typing import Any, Callable, Dict, List

import alura
from alura.testing import MockServer, watch_polls_in_flight


def play(
    step: Dict[str, Any], client: alura.Client, aclient: alura.AsyncClient, mock: MockServer, here: str
) -> None:
    if "burst" in step:
        asyncio.run(_burst(step, aclient, mock, here))
    elif "cancel" in step:
        asyncio.run(_cancel(step, aclient, mock, here))
    else:
        _watch(step, client, mock, here)


def _watch(step: Dict[str, Any], client: alura.Client, mock: MockServer, here: str) -> None:
    """Candles on the simulator's clock, through an outage."""
    spec, outage, expect = step["watch"], step["outage"], step["expect"]
    assert spec["kind"] == "candles" and set(spec) <= {"kind", "symbol", "interval"}, here
    assert set(outage) <= {"after", "advance_s", "faults"} and set(expect) <= {
        "closed",
        "spacing_ms",
        "errors",
    }, here
    watch = client.watch_candles(spec["symbol"], spec["interval"], jitter=0, clock=mock)
    closed: List[int] = []
    errors, out = 0, False
    while len(closed) < expect["closed"]:
        if not out and len(closed) == outage["after"]:
            out = True
            for operation, faults in outage["faults"].items():
                mock.inject_faults(operation, faults)
            mock.advance_clock(outage["advance_s"])
        try:
            event = next(watch)
        except alura.AluraError:
            errors += 1
            continue
        assert event.kind == "closed", f"{here}: only closed candles here, not {event!r}"
        closed.append(int(event.candle["openTime"]))
    assert errors == expect["errors"], f"{here}: each refused poll raises ({errors})"
    spacing = expect["spacing_ms"]
    assert all(b - a == spacing for a, b in zip(closed, closed[1:])), f"{here}: gap or duplicate in {closed}"


async def _within(here: str, what: str, done: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 5
    while not done():
        assert time.monotonic() < deadline, f"{here}: {what}"
        await asyncio.sleep(0.005)


async def _cancel(step: Dict[str, Any], aclient: alura.AsyncClient, mock: MockServer, here: str) -> None:
    """A watch's task cancelled while its poll waits on the server."""
    spec = step["watch"]
    assert step["cancel"] == "mid_poll" and spec["kind"] == "candles", here
    loop = asyncio.get_running_loop()
    tasks, timers = len(asyncio.all_tasks()), len(loop._scheduled)  # type: ignore[attr-defined]
    watch = aclient.watch_candles(spec["symbol"], spec["interval"], jitter=0, clock=mock)
    poll = asyncio.ensure_future(watch.__anext__())
    await _within(here, "the poll reaches the server", lambda: bool(mock.requests("get_candles")))
    assert watch_polls_in_flight() == 1, here
    poll.cancel()
    try:
        await poll
        raise AssertionError(f"{here}: the poll was not cancelled")
    except asyncio.CancelledError:
        pass

    def left() -> int:
        extra_tasks = len(asyncio.all_tasks()) - tasks
        extra_timers = len(loop._scheduled) - timers  # type: ignore[attr-defined]
        return max(extra_tasks, 0) + max(extra_timers, 0) + mock.open_connections() + watch_polls_in_flight()

    await _within(here, "nothing is left behind", lambda: left() == step["expect"]["left_behind"])


async def _burst(step: Dict[str, Any], aclient: alura.AsyncClient, mock: MockServer, here: str) -> None:
    """``count`` calls at once, against the simulator's rate limit."""
    burst, expect = step["burst"], step["expect"]
    assert set(burst) <= {"call", "count"} and set(expect) <= {
        "errors",
        "refused_at_most",
        "seconds_at_most",
        "limit",
    }, here
    method = getattr(aclient, burst["call"])
    started = time.monotonic()
    results = await asyncio.gather(*(method() for _ in range(burst["count"])), return_exceptions=True)
    took = time.monotonic() - started
    errors = [r for r in results if isinstance(r, BaseException)]
    assert len(errors) == expect["errors"], f"{here}: {errors[:1]!r}"
    refused = sum(1 for r in mock.requests(burst["call"]) if r["status"] == 429)
    assert refused <= expect["refused_at_most"], f"{here}: {refused} refused"
    assert took <= expect["seconds_at_most"], f"{here}: took {took:.1f} s"
    limit = aclient.rate_limit()
    assert limit is not None and limit.limit == expect["limit"], (
        f"{here}: the limit was not in force: {limit}"
    )
