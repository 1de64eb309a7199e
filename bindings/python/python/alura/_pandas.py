"""Candles as a DataFrame. pandas is optional: ``pip install 'alura[pandas]'``."""

from __future__ import annotations

from typing import TYPE_CHECKING, List

from . import types as t

if TYPE_CHECKING:
    import pandas

COLUMNS = ["open", "high", "low", "close", "volume"]


def candles_frame(candles: List[t.Candle]) -> pandas.DataFrame:
    try:
        import pandas as pd
    except ImportError:
        raise ImportError(
            "candles_df needs pandas, which is not installed: pip install 'alura[pandas]'"
        ) from None
    frame = pd.DataFrame.from_records(candles, columns=["openTime", *COLUMNS])
    frame = frame.astype({c: "float64" for c in COLUMNS})
    frame.index = pd.to_datetime(frame.pop("openTime").astype("int64"), unit="ms", utc=True)
    frame.index.name = "open_time"
    return frame
