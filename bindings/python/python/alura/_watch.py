"""Watch streams (``client.watch_candles``): iterators over a candle watch of the Rust core
(``alura::WatchCandles``), sync or async. A failed poll raises from ``next``; the watch goes on
from where it was, and the next poll fills in what was missed."""

from __future__ import annotations

from typing import Any, AsyncIterator, Dict, Iterator, Optional

from ._native import NativeCandleWatch


class CandleEvent:
    """One event of a candle watch. ``kind`` is ``"closed"`` (a candle closed: ``candle``, each once,
    oldest first), ``"open"`` (the open candle changed, with ``include_open=True``), ``"gap"``
    (candles neither the recent candles nor the history had: open times ``from_ms`` to ``to_ms``)
    or ``"stale"`` (no candle has closed for ``intervals`` intervals)."""

    __slots__ = ("kind", "candle", "from_ms", "to_ms", "intervals")

    def __init__(
        self,
        kind: str,
        candle: Optional[Dict[str, Any]] = None,
        from_ms: Optional[int] = None,
        to_ms: Optional[int] = None,
        intervals: Optional[int] = None,
    ) -> None:
        self.kind = kind
        self.candle = candle
        self.from_ms = from_ms
        self.to_ms = to_ms
        self.intervals = intervals

    @classmethod
    def _of(cls, raw: Dict[str, Any]) -> "CandleEvent":
        return cls(raw["kind"], raw.get("candle"), raw.get("from_ms"), raw.get("to_ms"), raw.get("intervals"))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CandleEvent):
            return NotImplemented
        return all(getattr(self, k) == getattr(other, k) for k in self.__slots__)

    def __repr__(self) -> str:
        said = ", ".join(f"{k}={getattr(self, k)!r}" for k in self.__slots__[1:] if getattr(self, k) is not None)
        return f"CandleEvent({self.kind!r}{', ' if said else ''}{said})"


class CandleWatch(Iterator[CandleEvent]):
    """Each candle once, when it closes (``for event in client.watch_candles("BTC", "1m")``)."""

    def __init__(self, native: NativeCandleWatch) -> None:
        self._native = native

    def __iter__(self) -> "CandleWatch":
        return self

    def __next__(self) -> CandleEvent:
        return CandleEvent._of(self._native.next())


class AsyncCandleWatch(AsyncIterator[CandleEvent]):
    """Each candle once, when it closes (``async for event in client.watch_candles("BTC", "1m")``).
    Cancelling the task that waits stops the poll under way."""

    def __init__(self, native: NativeCandleWatch) -> None:
        self._native = native

    def __aiter__(self) -> "AsyncCandleWatch":
        return self

    async def __anext__(self) -> CandleEvent:
        return CandleEvent._of(await self._native.next_async())
