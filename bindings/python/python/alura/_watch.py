"""Watch streams (``client.watch_candles``, ``watch_signals``, ``watch_current_trade``,
``follow_trade_logs``): iterators over a watch of the Rust core, sync or async. A failed poll
raises from ``next``; the watch goes on from where it was, and the next poll fills in what was
missed."""

from __future__ import annotations

from typing import Any, AsyncIterator, Callable, Dict, Generic, Iterator, Optional, TypeVar

from ._native import NativeWatch

T = TypeVar("T")


class WatchEvent:
    """One event of a watch; ``kind`` says which, and which attributes are set.

    Candles: ``"closed"`` (a candle closed: ``candle``, each once, oldest first), ``"open"`` (the
    open candle changed, with ``include_open=True``), ``"gap"`` (candles neither the recent candles
    nor the history had: open times ``from_ms`` to ``to_ms``).
    Signals: ``"signal"`` (a new ``signal``).
    Both: ``"stale"`` (nothing new for ``intervals`` intervals).
    The current trade: ``"trade_opened"`` and ``"trade_closed"`` (``trade``), ``"position_opened"``
    and ``"position_closed"`` (``position``), ``"pnl"`` (the new ``pnl``, a ``Decimal``, and the
    ``trade``)."""

    __slots__ = ("kind", "candle", "signal", "trade", "position", "pnl", "from_ms", "to_ms", "intervals")

    def __init__(self, kind: str, **fields: Any) -> None:
        self.kind = kind
        for name in self.__slots__[1:]:
            setattr(self, name, fields.pop(name, None))
        if fields:
            raise TypeError(f"WatchEvent has no {', '.join(fields)}")

    @classmethod
    def _of(cls, raw: Dict[str, Any]) -> "WatchEvent":
        kind = raw.pop("kind")
        # Fields a newer core sends that this version does not know are left out; the kind stays.
        known = {k: v for k, v in raw.items() if k in cls.__slots__}
        return cls(kind, **known)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WatchEvent):
            return NotImplemented
        return all(getattr(self, k) == getattr(other, k) for k in self.__slots__)

    def __repr__(self) -> str:
        said = ", ".join(
            f"{k}={getattr(self, k)!r}" for k in self.__slots__[1:] if getattr(self, k) is not None
        )
        return f"WatchEvent({self.kind!r}{', ' if said else ''}{said})"


class Watch(Iterator[T], Generic[T]):
    """A watch, iterated on this thread: ``for event in client.watch_candles("BTC", "1m")``."""

    def __init__(self, native: NativeWatch, make: Callable[[Any], T]) -> None:
        self._native = native
        self._make = make

    def __iter__(self) -> "Watch[T]":
        return self

    def __next__(self) -> T:
        return self._make(self._native.next())


class AsyncWatch(AsyncIterator[T], Generic[T]):
    """A watch, iterated on the event loop: ``async for event in client.watch_candles("BTC", "1m")``.
    Cancelling the task that waits stops the poll under way."""

    def __init__(self, native: NativeWatch, make: Callable[[Any], T]) -> None:
        self._native = native
        self._make = make

    def __aiter__(self) -> "AsyncWatch[T]":
        return self

    async def __anext__(self) -> T:
        return self._make(await self._native.next_async())


def native_watch(client: Any, kind: str, target: Optional[str] = None, **options: Any) -> NativeWatch:
    """The core's watch for a client. ``clock``: a MockServer (alura.testing) whose clock the watch
    runs on, for tests."""
    clock = options.pop("clock", None)
    step = options.pop("pnl_step", None)
    return NativeWatch(
        client._native,
        kind,
        target,
        pnl_step=None if step is None else str(step),
        clock=None if clock is None else clock._native,
        **options,
    )
