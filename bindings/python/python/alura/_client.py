"""``Client`` and ``AsyncClient``: the generated operations over one native client."""

from __future__ import annotations

import datetime
import os
import time
from decimal import Decimal
from types import TracebackType
from typing import (
    TYPE_CHECKING,
    Any,
    Awaitable,
    Callable,
    Dict,
    List,
    NamedTuple,
    Optional,
    Sequence,
    Tuple,
    Type,
    TypeVar,
    Union,
)

from typing_extensions import Literal, Unpack

from . import types as t
from ._generated.operations import AsyncOperations, AsyncRawOperations, SyncOperations, SyncRawOperations
from ._native import SETTLES, NativeClient
from ._raw import RawResponse
from ._options import RequestOptions
from ._generated.errors import OutcomeUnknownError, ValidationError
from ._generated.options import Configured
from ._settle import Settlement
from ._signer import _Signer
from ._native import NativeWatch, candles_arrow, candles_arrow_async, records_arrow, records_arrow_async
from ._arrow import Columns, _need, spec_names
from ._watch import AsyncWatch, Watch, WatchEvent, native_watch
from ._generated.assets import Asset

if TYPE_CHECKING:
    import pandas
    import polars

_Self = TypeVar("_Self", bound="_Base")


class Token:
    """A bearer token and when it lapses, to save or hand on. Its repr never shows the value."""

    __slots__ = ("value", "expires_at")

    def __init__(self, value: str, expires_at: Optional[datetime.datetime]) -> None:
        self.value = value
        self.expires_at = expires_at

    def __repr__(self) -> str:
        return f"Token(value='***', expires_at={self.expires_at!r})"


class RateLimit(NamedTuple):
    """Where this process stands with the server's rate limit (``client.rate_limit()``)."""

    #: The operation it is for: the throttler counts each route on its own.
    operation: str
    #: Requests a window allows.
    limit: int
    #: Requests left in this window, counting those this process sent since the last answer.
    remaining: int
    #: When the window ends.
    resets_at: datetime.datetime


def _token(raw: Optional[Any]) -> Optional[Token]:
    if raw is None:
        return None
    value, at = raw
    when = None if at is None else datetime.datetime.fromtimestamp(at, tz=datetime.timezone.utc)
    return Token(value, when)


class _Base(Configured):
    def _configure(
        self,
        options: Dict[str, Any],
        *,
        signer: Any,
        address: Optional[str],
        money: str,
        on_token: Optional[Callable[[Token], None]],
    ) -> None:
        if money not in ("decimal", "float"):
            raise ValidationError(f'invalid input: money must be "decimal" or "float", not {money!r}')
        self._money = money
        wrapped = _Signer(signer, address) if signer is not None else None
        on_new = (lambda value, at: on_token(_token((value, at)))) if on_token is not None else None  # type: ignore[misc]
        # Every default and check is the core's: what is left out goes over as None.
        self._native = NativeClient(
            signer=wrapped,
            on_token=on_new,
            **options,
        )

    @classmethod
    def _wrap(cls: Type[_Self], native: NativeClient, money: str = "decimal") -> _Self:
        client = cls.__new__(cls)
        client._native = native
        client._money = money
        return client

    def _answer(self, value: Any) -> Any:
        """An answer as this client hands it back: money as ``Decimal``, or as ``float`` for
        ``money="float"``."""
        return _floats(value) if self._money == "float" else value

    @property
    def base_url(self) -> str:
        """The API's base URL."""
        return self._native.base_url

    @property
    def token(self) -> Optional[Token]:
        """The token held now and when it lapses (None before the first login)."""
        return _token(self._native.token())

    def _watch(
        self, kind: str, target: Any = None, **options: Any
    ) -> Tuple[NativeWatch, Callable[[Any], Any]]:
        """The core's watch of ``kind``, and how its events become this client's objects."""
        if kind in ("candles", "signals") and not isinstance(target, str):
            target = Asset(target).symbol
        native = native_watch(self, kind, target, **options)
        if kind == "trade_logs":
            return native, self._answer
        return native, lambda raw: WatchEvent._of(self._answer(raw))

    def rate_limit(self) -> Optional[RateLimit]:
        """Where this process stands with the server's rate limit at this base URL: of the
        operations whose answers said, the one with the least left (the throttler counts each route
        on its own). None until an answer says, and with a server that sends no limit. Calls wait
        their turn rather than meet a 429."""
        raw = self._native.rate_limit()
        if raw is None:
            return None
        operation, limit, remaining, at = raw
        return RateLimit(
            operation, limit, remaining, datetime.datetime.fromtimestamp(at, tz=datetime.timezone.utc)
        )

    @property
    def address(self) -> Optional[str]:
        """The wallet address this client logs in with (EIP-55), if it has a key."""
        return self._native.address

    def with_options(self: _Self, **options: Any) -> _Self:
        """This client with other settings (``timeout``, ``max_retries``, ``extra_headers``,
        ``idempotency_key``), sharing its connections and its login; the rest is kept."""
        return type(self)._wrap(self._native.with_options(options), self._money)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, address={self.address!r})"


class _RawSync(SyncRawOperations):
    """Every operation, returning a ``RawResponse``."""

    def __init__(self, native: NativeClient) -> None:
        self._native = native

    def _call(self, operation: str, args: Dict[str, Any], options: Optional[RequestOptions] = None) -> Any:
        return RawResponse(*self._native.call_raw(operation, args, options))


class _RawAsync(AsyncRawOperations):
    """Every operation, returning a ``RawResponse``."""

    def __init__(self, native: NativeClient) -> None:
        self._native = native

    async def _call(
        self, operation: str, args: Dict[str, Any], options: Optional[RequestOptions] = None
    ) -> Any:
        return RawResponse(*await self._native.call_raw_async(operation, args, options))


class Client(_Base, SyncOperations):
    """Calls the Alura API and waits for each answer. Safe to share between threads."""

    def _call(self, operation: str, args: Dict[str, Any], options: Optional[RequestOptions] = None) -> Any:
        if operation not in SETTLES:
            return self._answer(self._native.call(operation, args, options))
        sent_at = time.time()
        try:
            return self._answer(self._native.call(operation, args, options))
        except OutcomeUnknownError as e:
            e._settle = lambda: Settlement._of(self._native.settle(operation, args, sent_at))  # type: ignore[attr-defined]
            raise

    def login(self) -> None:
        """Logs in now rather than on the first call that needs it."""
        self._native.login()

    def trade_logs(self, trade_id: str) -> List[t.LogEntry]:
        """Every log entry of a trade, all pages, oldest first."""
        return self._native.trade_logs(trade_id)  # type: ignore[no-any-return]

    @property
    def with_raw_response(self) -> SyncRawOperations:
        """Every operation, returning a ``RawResponse`` (status, headers, bytes) instead of the
        parsed body: ``client.with_raw_response.get_profile().headers``."""
        return _RawSync(self._native)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Optional[Dict[str, Any]] = None,
        json: Any = None,
        authenticated: bool = True,
        **options: Unpack[RequestOptions],
    ) -> Any:
        """Calls an endpoint the spec does not have (yet), e.g. ``request("GET", "/user/rewards")``,
        with this client's login, retries and errors; returns the body as JSON."""
        return self._native.request(method, path, params, json, authenticated, options or None)

    def candles_df(
        self,
        symbol: t.AssetLike,
        interval: t.Interval = "1h",
        *,
        limit: Optional[int] = None,
        start_time: Optional[int] = None,
        end_time: Optional[int] = None,
        exact: bool = False,
    ) -> pandas.DataFrame:
        """Candle history as a pandas DataFrame indexed by open time (needs ``alura[pandas]``).
        Prices are float64; ``exact=True`` gives ``Decimal`` columns of the server's own digits."""
        from ._pandas import _pandas, candles_frame

        _pandas()  # fail before the call when pandas is missing
        if exact:
            return candles_frame(self._native.exact_candle_columns(symbol, interval, limit, start_time, end_time))
        # The same record batch candles_arrow and candles_pl read.
        return candles_frame(candles_arrow(self._native, symbol, interval, limit, start_time, end_time).value_bytes())

    def candles_arrow(
        self,
        symbol: t.AssetLike,
        interval: t.Interval = "1h",
        *,
        limit: Optional[int] = None,
        start_time: Optional[int] = None,
        end_time: Optional[int] = None,
    ) -> Columns:
        """Candle history as Arrow columns (``open_time`` in UTC ms, prices float64, null where the
        server left one out), read by any Arrow consumer without a copy: ``pyarrow.table(c)``,
        ``polars.DataFrame(c)``, ``duckdb.sql("from c")``."""
        return Columns(candles_arrow(self._native, symbol, interval, limit, start_time, end_time))

    def candles_pl(
        self,
        symbol: t.AssetLike,
        interval: t.Interval = "1h",
        *,
        limit: Optional[int] = None,
        start_time: Optional[int] = None,
        end_time: Optional[int] = None,
    ) -> polars.DataFrame:
        """Candle history as a polars DataFrame (needs ``alura[polars]``)."""
        _need("polars", "polars", "candles_pl")  # fail before the call when polars is missing
        return self.candles_arrow(
            symbol, interval, limit=limit, start_time=start_time, end_time=end_time
        ).to_polars()

    def records_arrow(self, operation: str, **args: Any) -> Columns:
        """What an operation answers, a list of objects, as Arrow columns, money exact
        (``Decimal128``): ``client.records_arrow("get_rankings", period="weekly")``."""
        return Columns(records_arrow(self._native, operation, spec_names(args)))

    def watch_candles(
        self,
        symbol: t.AssetLike,
        interval: t.Interval,
        *,
        include_open: bool = False,
        stale_after: int = 3,
        jitter: float = 0.25,
        clock: Any = None,
    ) -> Watch[WatchEvent]:
        """Each candle once, when it closes: ``for event in client.watch_candles("BTC", "1m")``.
        Polls just after each candle's end (plus up to ``jitter`` seconds), fills a missed stretch
        from the history, says what it could not fill (``kind == "gap"``) and when no candle has
        closed for ``stale_after`` intervals (``"stale"``); ``include_open=True`` also yields the
        open candle's changes. A failed poll raises; iterating again goes on from where it was."""
        return Watch(
            *self._watch(
                "candles",
                symbol,
                interval=interval,
                include_open=include_open,
                stale_after=stale_after,
                jitter=jitter,
                clock=clock,
            )
        )

    def watch_signals(
        self,
        symbol: t.AssetLike,
        interval: t.Interval,
        *,
        stale_after: int = 3,
        jitter: float = 0.25,
        clock: Any = None,
    ) -> Watch[WatchEvent]:
        """The signal for ``symbol`` and ``interval`` now, then each new one (``kind == "signal"``),
        polled just after each interval's end; ``"stale"`` when none has come for ``stale_after``
        intervals."""
        return Watch(
            *self._watch(
                "signals", symbol, interval=interval, stale_after=stale_after, jitter=jitter, clock=clock
            )
        )

    def watch_current_trade(
        self, *, every: float = 2.0, pnl_step: Optional[t.Money] = None, clock: Any = None
    ) -> Watch[WatchEvent]:
        """The open trade, looked at every ``every`` seconds: ``"trade_opened"`` (also for the one
        open now), ``"position_opened"``, ``"position_closed"``, ``"pnl"`` (when it moved by at
        least ``pnl_step``, any move by default) and ``"trade_closed"``."""
        return Watch(*self._watch("current_trade", every=every, pnl_step=pnl_step, clock=clock))

    def follow_trade_logs(self, trade_id: str, *, every: float = 2.0, clock: Any = None) -> Watch[t.LogEntry]:
        """Each entry added to a trade's log from now on, once, oldest first, however many pages
        the log has: ``for entry in client.follow_trade_logs(trade_id)``."""
        return Watch(*self._watch("trade_logs", trade_id, every=every, clock=clock))

    def close(self) -> None:
        """Closes the client: every later call of it and of the clients made from it
        (``with_options``) raises ``ValidationError`` without sending anything. Calls under way
        finish. ``with Client() as client:`` closes it at the end of the block."""
        self._native.close()

    @property
    def closed(self) -> bool:
        """Whether ``close()`` was called, on this client or on the one it was made from."""
        return self._native.closed

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()


class AsyncClient(_Base, AsyncOperations):
    """Calls the Alura API with coroutines. Every method of ``Client``, awaitable."""

    def _call(
        self, operation: str, args: Dict[str, Any], options: Optional[RequestOptions] = None
    ) -> Awaitable[Any]:
        # The native call starts here, before the caller awaits it; floats are made after.
        sent_at = time.time()
        call: Awaitable[Any] = self._native.call_async(operation, args, options)
        if operation in SETTLES:
            call = self._settling(call, operation, args, sent_at)
        return call if self._money == "decimal" else _then_floats(call)

    async def _settling(
        self, call: Awaitable[Any], operation: str, args: Dict[str, Any], sent_at: float
    ) -> Any:
        try:
            return await call
        except OutcomeUnknownError as e:

            async def settle() -> Settlement:
                return Settlement._of(await self._native.settle_async(operation, args, sent_at))

            e._settle = settle  # type: ignore[attr-defined]
            raise

    async def login(self) -> None:
        """Logs in now rather than on the first call that needs it."""
        await self._native.login_async()

    async def trade_logs(self, trade_id: str) -> List[t.LogEntry]:
        """Every log entry of a trade, all pages, oldest first."""
        return await self._native.trade_logs_async(trade_id)  # type: ignore[no-any-return]

    @property
    def with_raw_response(self) -> AsyncRawOperations:
        """Every operation as a coroutine returning a ``RawResponse`` instead of the parsed body."""
        return _RawAsync(self._native)

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Optional[Dict[str, Any]] = None,
        json: Any = None,
        authenticated: bool = True,
        **options: Unpack[RequestOptions],
    ) -> Any:
        """Calls an endpoint the spec does not have (yet), with this client's login, retries and
        errors; returns the body as JSON."""
        return await self._native.request_async(method, path, params, json, authenticated, options or None)

    def watch_candles(
        self,
        symbol: t.AssetLike,
        interval: t.Interval,
        *,
        include_open: bool = False,
        stale_after: int = 3,
        jitter: float = 0.25,
        clock: Any = None,
    ) -> AsyncWatch[WatchEvent]:
        """Each candle once, when it closes: ``async for event in client.watch_candles("BTC", "1m")``.
        What :meth:`Client.watch_candles` does, on the event loop; cancelling the task stops it."""
        return AsyncWatch(
            *self._watch(
                "candles",
                symbol,
                interval=interval,
                include_open=include_open,
                stale_after=stale_after,
                jitter=jitter,
                clock=clock,
            )
        )

    def watch_signals(
        self,
        symbol: t.AssetLike,
        interval: t.Interval,
        *,
        stale_after: int = 3,
        jitter: float = 0.25,
        clock: Any = None,
    ) -> AsyncWatch[WatchEvent]:
        """What :meth:`Client.watch_signals` does, on the event loop."""
        return AsyncWatch(
            *self._watch(
                "signals", symbol, interval=interval, stale_after=stale_after, jitter=jitter, clock=clock
            )
        )

    def watch_current_trade(
        self, *, every: float = 2.0, pnl_step: Optional[t.Money] = None, clock: Any = None
    ) -> AsyncWatch[WatchEvent]:
        """What :meth:`Client.watch_current_trade` does, on the event loop."""
        return AsyncWatch(*self._watch("current_trade", every=every, pnl_step=pnl_step, clock=clock))

    def follow_trade_logs(
        self, trade_id: str, *, every: float = 2.0, clock: Any = None
    ) -> AsyncWatch[t.LogEntry]:
        """What :meth:`Client.follow_trade_logs` does, on the event loop."""
        return AsyncWatch(*self._watch("trade_logs", trade_id, every=every, clock=clock))

    async def candles_df(
        self,
        symbol: t.AssetLike,
        interval: t.Interval = "1h",
        *,
        limit: Optional[int] = None,
        start_time: Optional[int] = None,
        end_time: Optional[int] = None,
        exact: bool = False,
    ) -> pandas.DataFrame:
        """Candle history as a pandas DataFrame indexed by open time (needs ``alura[pandas]``).
        Prices are float64; ``exact=True`` gives ``Decimal`` columns of the server's own digits."""
        from ._pandas import _pandas, candles_frame

        _pandas()  # fail before the call when pandas is missing
        if exact:
            native = self._native
            return candles_frame(await native.exact_candle_columns_async(symbol, interval, limit, start_time, end_time))
        columns = await candles_arrow_async(self._native, symbol, interval, limit, start_time, end_time)
        return candles_frame(columns.value_bytes())

    async def candles_arrow(
        self,
        symbol: t.AssetLike,
        interval: t.Interval = "1h",
        *,
        limit: Optional[int] = None,
        start_time: Optional[int] = None,
        end_time: Optional[int] = None,
    ) -> Columns:
        """What :meth:`Client.candles_arrow` does, as a coroutine."""
        return Columns(await candles_arrow_async(self._native, symbol, interval, limit, start_time, end_time))

    async def candles_pl(
        self,
        symbol: t.AssetLike,
        interval: t.Interval = "1h",
        *,
        limit: Optional[int] = None,
        start_time: Optional[int] = None,
        end_time: Optional[int] = None,
    ) -> polars.DataFrame:
        """What :meth:`Client.candles_pl` does, as a coroutine."""
        _need("polars", "polars", "candles_pl")
        columns = await self.candles_arrow(
            symbol, interval, limit=limit, start_time=start_time, end_time=end_time
        )
        return columns.to_polars()

    async def records_arrow(self, operation: str, **args: Any) -> Columns:
        """What :meth:`Client.records_arrow` does, as a coroutine."""
        return Columns(await records_arrow_async(self._native, operation, spec_names(args)))

    async def close(self) -> None:
        """Closes the client: every later call of it and of the clients made from it
        (``with_options``) raises ``ValidationError`` without sending anything. Calls under way
        finish. ``async with AsyncClient() as client:`` closes it at the end of the block."""
        self._native.close()

    @property
    def closed(self) -> bool:
        """Whether ``close()`` was called, on this client or on the one it was made from."""
        return self._native.closed

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        await self.close()


def _floats(value: Any) -> Any:
    """``value`` with every ``Decimal`` in it as the nearest ``float`` (``money="float"``)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: _floats(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_floats(v) for v in value]
    return value


async def _then_floats(call: Awaitable[Any]) -> Any:
    return _floats(await call)
