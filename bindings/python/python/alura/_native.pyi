"""Type stubs of the Rust extension module."""

from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple, Union

DEFAULT_BASE_URL: str
__version__: str

def operations() -> List[Dict[str, Any]]: ...
def assets() -> List[Tuple[str, int]]: ...
def refresh_logging() -> None: ...

class NativeClient:
    def __init__(
        self,
        signer: Any = ...,
        on_token: Optional[Callable[[str, Optional[float]], None]] = ...,
        *,
        base_url: Optional[str] = ...,
        private_key: Optional[str] = ...,
        token: Optional[str] = ...,
        timeout: Optional[float] = ...,
        connect_timeout: Optional[float] = ...,
        max_retries: Optional[int] = ...,
        retry_base_delay: Optional[float] = ...,
        retry_max_delay: Optional[float] = ...,
        retry_deadline: Optional[float] = ...,
        referral_code: Optional[str] = ...,
        user_agent: Optional[str] = ...,
        default_headers: Optional[Dict[str, str]] = ...,
        allow_insecure_http: Optional[bool] = ...,
        strict: Optional[bool] = ...,
        max_response_bytes: Optional[int] = ...,
        verify_challenge: Optional[bool] = ...,
        trusted_domains: Optional[List[str]] = ...,
        token_cache: Any = ...,
    ) -> None: ...
    def token(self) -> Optional[Tuple[str, Optional[float]]]: ...
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

class NativeMockServer:
    def __init__(
        self,
        port: int = ...,
        token_ttl: int = ...,
        seed: int = ...,
        rate_limit: Optional[int] = ...,
        drift: bool = ...,
    ) -> None: ...
    @property
    def url(self) -> str: ...
    def inject(self, operation: str, faults: List[Dict[str, Any]]) -> None: ...
    def requests(self, operation: Optional[str] = ...) -> Any: ...
    def counters(self) -> Dict[str, int]: ...
    def reset(self) -> None: ...
    def clear_requests(self) -> None: ...
    def advance_clock(self, seconds: float) -> None: ...
    def close(self) -> None: ...
