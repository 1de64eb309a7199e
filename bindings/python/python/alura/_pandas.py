"""Candles as a DataFrame. pandas is optional: ``pip install 'alura[pandas]'``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict

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


def candles_frame(columns: Dict[str, bytes]) -> pandas.DataFrame:
    """A DataFrame from the native columns (machine-order int64 and float64 buffers)."""
    np, pd = _pandas()
    data = {name: np.frombuffer(columns[name], dtype=np.float64) for name in COLUMNS}
    index = pd.to_datetime(np.frombuffer(columns["openTime"], dtype=np.int64), unit="ms", utc=True)
    frame = pd.DataFrame(data, index=index)  # copies: numpy.frombuffer arrays are read-only
    frame.index.name = "open_time"
    return frame
