"""Candles as a DataFrame. pandas is optional: ``pip install 'alura[pandas]'``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict

if TYPE_CHECKING:
    import pandas

COLUMNS = ["open", "high", "low", "close", "volume"]


def _pandas():  # type: ignore[no-untyped-def]
    try:
        import numpy
        import pandas
    except ImportError:
        raise ImportError(
            "candles_df needs pandas, which is not installed: pip install 'alura[pandas]'"
        ) from None
    return numpy, pandas


def candles_frame(columns: Dict[str, Any]) -> pandas.DataFrame:
    """A DataFrame from native columns: the Arrow batch's int64 and float64 value buffers (NaN and
    NaT where the server left a value out), or, for exact prices, lists of ``Decimal`` (an object
    column; None where the server left a price out)."""
    np, pd = _pandas()
    data = {
        name: np.frombuffer(column, dtype=np.float64) if isinstance(column, bytes) else np.array(column, dtype=object)
        for name, column in ((name, columns[name]) for name in COLUMNS)
    }
    index = pd.to_datetime(np.frombuffer(columns["open_time"], dtype=np.int64), unit="ms", utc=True)
    frame = pd.DataFrame(data, index=index)  # copies: numpy.frombuffer arrays are read-only
    frame.index.name = "open_time"
    return frame
