"""Type stubs of the Rust extension module."""

from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple, Union

from typing_extensions import Unpack, final

from ._generated.options import ClientOptions

__all__ = [
    "refresh_logging",
    "NativeClient",
    "NativeMockServer",
    "NativeWatch",
    "watch_polls_in_flight",
    "NativeArrow",
    "candles_arrow",
    "candles_arrow_async",
    "records_arrow",
    "records_arrow_async",
    "operations",
    "assets",
    "DEFAULT_BASE_URL",
    "__version__",
    "SETTLES",
]

DEFAULT_BASE_URL: str
SETTLES: List[str]
__version__: str

def operations() -> List[Dict[str, Any]]: ...
def assets() -> List[Tuple[str, int]]: ...
def refresh_logging() -> None: ...
def run_cli(argv: List[str]) -> int: ...

@final
class NativeClient:
    def __new__(
        cls,
        signer: Any = ...,
        on_token: Optional[Callable[[str, Optional[float]], None]] = ...,
        **options: Unpack[ClientOptions],
    ) -> NativeClient: ...
    def token(self) -> Optional[Tuple[str, Optional[float]]]: ...
    def rate_limit(self) -> Optional[Tuple[str, int, int, float]]: ...
    def settle(self, operation: str, args: Optional[Dict[str, Any]], sent_at: float) -> Dict[str, Any]: ...
    def settle_async(
        self, operation: str, args: Optional[Dict[str, Any]], sent_at: float
    ) -> Awaitable[Dict[str, Any]]: ...
    def call(self, operation: str, args: Optional[Dict[str, Any]] = ..., options: Optional[Any] = ...) -> Any: ...
    def call_async(
        self, operation: str, args: Optional[Dict[str, Any]] = ..., options: Optional[Any] = ...
    ) -> Awaitable[Any]: ...
    def request(
        self,
        method: str,
        path: str,
        params: Optional[Dict[str, Any]] = ...,
        json: Any = ...,
        authenticated: bool = ...,
        options: Optional[Any] = ...,
    ) -> Any: ...
    def request_async(
        self,
        method: str,
        path: str,
        params: Optional[Dict[str, Any]] = ...,
        json: Any = ...,
        authenticated: bool = ...,
        options: Optional[Any] = ...,
    ) -> Awaitable[Any]: ...
    def call_raw(
        self, operation: str, args: Optional[Dict[str, Any]] = ..., options: Optional[Any] = ...
    ) -> Tuple[Optional[int], Dict[str, str], bytes]: ...
    def call_raw_async(
        self, operation: str, args: Optional[Dict[str, Any]] = ..., options: Optional[Any] = ...
    ) -> Awaitable[Tuple[Optional[int], Dict[str, str], bytes]]: ...
    def login(self) -> None: ...
    def login_async(self) -> Awaitable[None]: ...
    def trade_logs(self, trade_id: str) -> Any: ...
    def trade_logs_async(self, trade_id: str) -> Awaitable[Any]: ...
    def candle_columns(
        self,
        symbol: Union[str, int],
        interval: Optional[str] = ...,
        limit: Optional[int] = ...,
        start_time: Optional[int] = ...,
        end_time: Optional[int] = ...,
        exact: bool = ...,
    ) -> Dict[str, Any]: ...
    def candle_columns_async(
        self,
        symbol: Union[str, int],
        interval: Optional[str] = ...,
        limit: Optional[int] = ...,
        start_time: Optional[int] = ...,
        end_time: Optional[int] = ...,
        exact: bool = ...,
    ) -> Awaitable[Dict[str, Any]]: ...
    def with_options(self, options: Dict[str, Any]) -> NativeClient: ...
    def close(self) -> None: ...
    @property
    def closed(self) -> bool: ...
    @property
    def base_url(self) -> str: ...
    @property
    def address(self) -> Optional[str]: ...

def watch_polls_in_flight() -> int: ...

@final
class NativeArrow:
    def __arrow_c_schema__(self) -> object: ...
    def __arrow_c_stream__(self, requested_schema: Optional[object] = ...) -> object: ...
    @property
    def num_rows(self) -> int: ...
    @property
    def column_names(self) -> List[str]: ...
    @property
    def column_types(self) -> List[str]: ...

def candles_arrow(
    client: NativeClient,
    symbol: Any,
    interval: Optional[str] = ...,
    limit: Optional[int] = ...,
    start_time: Optional[int] = ...,
    end_time: Optional[int] = ...,
) -> NativeArrow: ...
def candles_arrow_async(
    client: NativeClient,
    symbol: Any,
    interval: Optional[str] = ...,
    limit: Optional[int] = ...,
    start_time: Optional[int] = ...,
    end_time: Optional[int] = ...,
) -> Awaitable[NativeArrow]: ...
def records_arrow(client: NativeClient, operation: str, args: Dict[str, Any]) -> NativeArrow: ...
def records_arrow_async(client: NativeClient, operation: str, args: Dict[str, Any]) -> Awaitable[NativeArrow]: ...

@final
class NativeWatch:
    def __new__(
        cls,
        client: NativeClient,
        kind: str,
        target: Optional[str] = ...,
        interval: Optional[str] = ...,
        include_open: Optional[bool] = ...,
        stale_after: Optional[int] = ...,
        jitter: Optional[float] = ...,
        every: Optional[float] = ...,
        pnl_step: Optional[str] = ...,
        clock: Optional[NativeMockServer] = ...,
    ) -> NativeWatch: ...
    def next(self) -> Any: ...
    def next_async(self) -> Awaitable[Any]: ...

@final
class NativeMockServer:
    def __new__(
        cls,
        port: int = ...,
        token_ttl: int = ...,
        seed: int = ...,
        rate_limit: Optional[str] = ...,
        drift: bool = ...,
    ) -> NativeMockServer: ...
    @property
    def url(self) -> str: ...
    def inject(self, operation: str, faults: List[Dict[str, Any]]) -> None: ...
    def requests(self, operation: Optional[str] = ...) -> Any: ...
    def counters(self) -> Dict[str, int]: ...
    def reset(self) -> None: ...
    def clear_requests(self) -> None: ...
    def open_connections(self) -> int: ...
    def advance_clock(self, seconds: float) -> None: ...
    def set_drift(self, enabled: bool) -> None: ...
    def close(self) -> None: ...
