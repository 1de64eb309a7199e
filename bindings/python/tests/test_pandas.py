"""Candles as a DataFrame, and a clear message when pandas is missing."""

from __future__ import annotations

import sys

import pytest

import alura
from alura.testing import MockServer

pd = pytest.importorskip("pandas")


def test_candles_df_has_typed_columns_and_a_datetime_index(client: alura.Client) -> None:
    end = 1_700_000_000_000
    df = client.candles_df("BTC", "1h", limit=48, end_time=end)
    assert list(df.columns) == ["open", "high", "low", "close", "volume"]
    assert all(str(t) == "float64" for t in df.dtypes)
    assert isinstance(df.index, pd.DatetimeIndex) and str(df.index.tz) == "UTC"
    assert len(df) == 48 and df.index.is_monotonic_increasing
    assert df.index[-1] == pd.Timestamp(end // 3_600_000 * 3_600_000, unit="ms", tz="UTC")
    assert (df["high"] >= df[["open", "close"]].max(axis=1)).all()
    rows = client.get_candle_history("BTC", interval="1h", limit=48, end_time=end)
    assert df["close"].tolist() == [r["close"] for r in rows], "the columns hold what the rows hold"
    df.loc[df.index[0], "close"] = 0.0  # a frame the caller owns, not a read-only view


async def test_candles_df_async(aclient: alura.AsyncClient) -> None:
    df = await aclient.candles_df("ETH", "1d", limit=7)
    assert len(df) == 7 and df.index.name == "open_time"


def test_without_pandas_the_error_says_how_to_get_it(client: alura.Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # makes `import pandas` fail
    with pytest.raises(ImportError, match=r"pip install 'alura\[pandas\]'"):
        client.candles_df("BTC")
