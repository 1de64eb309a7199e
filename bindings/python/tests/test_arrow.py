"""Columns in Arrow, read by pyarrow and polars through the PyCapsule interface: candles, and a
list in a shape of a server's own, with money exact."""

from __future__ import annotations

import asyncio
import json
import sys
from decimal import Decimal

import polars as pl
import pyarrow as pa
import pytest

import alura
from alura.testing import MockServer


def test_candles_as_arrow_read_by_pyarrow(mock: MockServer) -> None:
    client = alura.Client(base_url=mock.url)
    columns = client.candles_arrow("BTC", "1m", limit=300)
    assert (len(columns), columns.column_names[0]) == (300, "open_time")
    table = pa.table(columns)
    assert table.schema.field("open_time").type == pa.timestamp("ms", tz="UTC")
    assert table.schema.field("close").type == pa.float64()
    times = table["open_time"].cast(pa.int64()).to_pylist()
    assert all(b - a == 60_000 for a, b in zip(times, times[1:]))
    rows = client.get_candle_history("BTC", interval="1m", limit=300)
    assert table["close"].to_pylist() == [float(r["close"]) for r in rows]
    assert columns.to_pyarrow().num_rows == 300, "read again, from the same buffers"


def test_candles_as_polars(mock: MockServer) -> None:
    frame = alura.Client(base_url=mock.url).candles_pl(alura.Asset.ETH, "1h", limit=48)
    assert isinstance(frame, pl.DataFrame) and frame.height == 48
    assert frame.schema["open_time"] == pl.Datetime("ms", "UTC")
    assert frame.schema["volume"] == pl.Float64


def test_a_list_with_money_exact_in_pyarrow_and_polars(mock: MockServer) -> None:
    body = json.dumps(
        {"data": [{"rank": 1, "address": "0xa", "pnl": "PNL"}, {"rank": 2, "address": "0xb", "pnl": "10.50"}]}
    )
    body = body.replace('"PNL"', "1.23456789012345678901")
    mock.inject_faults("get_rankings", [{"kind": "raw", "status": 200, "body": body}] * 2)
    client = alura.Client(base_url=mock.url)
    columns = client.records_arrow("get_rankings", period="weekly")
    assert columns.column_types["pnl"] == "Decimal128(38, 20)"
    table = columns.to_pyarrow()
    assert table["pnl"].to_pylist()[0] == Decimal("1.23456789012345678901")
    assert table["rank"].type == pa.int64()
    frame = client.records_arrow("get_rankings").to_polars()
    assert frame["pnl"][1] == Decimal("10.50")
    assert "period=weekly" in mock.requests("get_rankings")[0]["query"], "arguments by their Python names"


def test_async_columns(mock: MockServer) -> None:
    async def main() -> int:
        async with alura.AsyncClient(base_url=mock.url) as client:
            columns = await client.candles_arrow("SOL", "5m", limit=10)
            frame = await client.candles_pl("SOL", "5m", limit=10)
            return columns.num_rows + frame.height

    assert asyncio.run(main()) == 20


def test_a_missing_extra_says_what_to_install(mock: MockServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "polars", None)
    client = alura.Client(base_url=mock.url)
    with pytest.raises(ImportError, match=r"pip install 'alura\[polars\]'"):
        client.candles_pl("BTC")
    assert not mock.requests("get_candle_history"), "failed before the call"
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(ImportError, match=r"pip install 'alura\[arrow\]'"):
        client.candles_arrow("BTC", limit=2).to_pyarrow()


def test_a_list_that_is_not_one_is_a_decode_error(mock: MockServer) -> None:
    mock.inject_fault("get_rankings", kind="raw", status=200, body="[1, 2]")
    with pytest.raises(alura.DecodeError, match="not an object"):
        alura.Client(base_url=mock.url).records_arrow("get_rankings")


def test_value_bytes_write_nulls_as_pandas_missing_values(mock: MockServer) -> None:
    """What candles_df reads from any batch: a null is NaN in a float column and NaT's integer in an
    integer one, whatever Arrow left under it."""
    np = pytest.importorskip("numpy")
    body = json.dumps({"data": [{"rank": 1, "score": 1.5}, {"rank": None, "score": None}, {"rank": 3, "score": 2.5}]})
    mock.inject_faults("get_rankings", [{"kind": "raw", "status": 200, "body": body}])
    columns = alura.Client(base_url=mock.url).records_arrow("get_rankings")
    buffers = columns._native.value_bytes()
    score = np.frombuffer(buffers["score"], dtype=np.float64)
    assert score[0] == 1.5 and np.isnan(score[1]) and score[2] == 2.5
    assert np.frombuffer(buffers["rank"], dtype=np.int64).tolist() == [1, np.iinfo(np.int64).min, 3]
