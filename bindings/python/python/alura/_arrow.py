"""Columns in Arrow: what ``candles_arrow`` and ``records_arrow`` return. Any Arrow consumer reads
them where the Rust core built them, through the Arrow PyCapsule interface (``pyarrow.table(c)``,
``polars.DataFrame(c)``, ``duckdb.sql("from c")``); pyarrow and polars are optional extras."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Dict, List, Optional

from ._native import NativeArrow

if TYPE_CHECKING:
    import polars
    import pyarrow  # type: ignore[import-untyped]


def _need(module: str, extra: str, what: str) -> Any:
    try:
        return __import__(module)
    except ImportError:
        raise ImportError(
            f"{what} needs {module}, which is not installed: pip install 'alura[{extra}]'"
        ) from None


class Columns:
    """One table of columns: candles, or the objects of a list an operation answers. Money
    columns are exact (``Decimal128`` at the largest scale the server wrote)."""

    __slots__ = ("_native",)

    def __init__(self, native: NativeArrow) -> None:
        self._native = native

    def __arrow_c_stream__(self, requested_schema: Optional[object] = None) -> object:
        return self._native.__arrow_c_stream__(requested_schema)

    def __arrow_c_schema__(self) -> object:
        return self._native.__arrow_c_schema__()

    @property
    def num_rows(self) -> int:
        return self._native.num_rows

    @property
    def column_names(self) -> List[str]:
        return self._native.column_names

    @property
    def column_types(self) -> Dict[str, str]:
        """Each column's Arrow type, as Arrow writes it (``Decimal128(38, 6)``, ``Float64``)."""
        return dict(zip(self._native.column_names, self._native.column_types))

    def __len__(self) -> int:
        return self._native.num_rows

    def __repr__(self) -> str:
        return f"Columns({self.num_rows} rows: {', '.join(self.column_names)})"

    def to_pyarrow(self) -> pyarrow.Table:
        """A ``pyarrow.Table`` of the same buffers (needs ``alura[arrow]``)."""
        return _need("pyarrow", "arrow", "to_pyarrow").table(self)

    def to_polars(self) -> polars.DataFrame:
        """A ``polars.DataFrame`` of the same buffers (needs ``alura[polars]``)."""
        frame: polars.DataFrame = _need("polars", "polars", "to_polars").DataFrame(self)
        return frame


def spec_names(args: Dict[str, Any]) -> Dict[str, Any]:
    """Arguments as the spec names them: ``trade_id`` is ``tradeId``."""
    return {re.sub(r"_([a-z])", lambda m: m.group(1).upper(), k): v for k, v in args.items()}
