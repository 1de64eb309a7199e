"""Candles as a DataFrame, and a clear message when pandas is missing."""

from __future__ import annotations

import sys
from decimal import Decimal

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


def test_exact_candles_df_holds_the_servers_digits_as_decimals() -> None:
    from conftest import loopback_server

    # Hyperliquid's shape, prices as strings with trailing zeros and a float-hostile pair.
    body = b'[{"t": 3600000, "o": "65000.10", "h": "0.1", "l": "0.2", "c": "65000.30", "v": null}]'
    url, stop = loopback_server(lambda request: (200, body))
    try:
        client = alura.Client(base_url=url)
        df = client.candles_df("BTC", "1h", exact=True)
        assert all(str(t) == "object" for t in df.dtypes)
        row = df.iloc[0]
        assert isinstance(row["close"], Decimal) and str(row["close"]) == "65000.30"
        assert row["high"] + row["low"] == Decimal("0.3"), "0.1 + 0.2 is 0.3, not 0.30000000000000004"
        assert row["volume"] is None, "a price the server left out is None, never a made-up number"
        assert df.index[0] == pd.Timestamp(3_600_000, unit="ms", tz="UTC")
        floats = client.candles_df("BTC", "1h")
        assert str(floats["close"].dtype) == "float64" and floats["close"].iloc[0] == 65000.3
    finally:
        stop()


def test_candles_df_shows_what_the_server_left_out_as_nan_and_nat() -> None:
    from conftest import loopback_server

    # Built from the same Arrow batch as candles_arrow: its nulls must come out as pandas' own.
    body = (
        b'[{"openTime": 3600000, "open": 1.5, "high": 2, "low": 1, "close": null, "volume": 7},'
        b' {"open": 1.5, "high": 2, "low": 1, "close": 1.75, "volume": 8}]'
    )
    url, stop = loopback_server(lambda request: (200, body))
    try:
        client = alura.Client(base_url=url)
        df = client.candles_df("BTC", "1h")
        assert pd.isna(df["close"].iloc[0]) and df["close"].iloc[1] == 1.75
        assert df.index[0] == pd.Timestamp(3_600_000, unit="ms", tz="UTC") and pd.isna(df.index[1])
        assert df["volume"].tolist() == [7.0, 8.0]
        table = client.candles_arrow("BTC", "1h")
        assert table.num_rows == len(df) == 2
    finally:
        stop()


async def test_exact_candles_df_async_matches_the_rows(aclient: alura.AsyncClient) -> None:
    df = await aclient.candles_df("ETH", "1h", limit=5, exact=True)
    rows = await aclient.get_candle_history("ETH", interval="1h", limit=5)
    assert [float(d) for d in df["close"]] == [r["close"] for r in rows]


def test_without_pandas_the_error_says_how_to_get_it(client: alura.Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # makes `import pandas` fail
    with pytest.raises(ImportError, match=r"pip install 'alura\[pandas\]'"):
        client.candles_df("BTC")
