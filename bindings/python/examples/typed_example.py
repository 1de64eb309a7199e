"""A typed walk through the SDK; `mypy --strict` checks it in the test suite.

Run it: python bindings/python/examples/typed_example.py
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import List

import alura
from alura import types as t
from alura.testing import MockServer


def open_and_close(client: alura.Client, asset: alura.Asset) -> Decimal:
    session: t.TradingSession = client.create_trading_session(budget=100, profit_target=40, asset_index=asset)
    strategy: t.ExecutionStrategy = "Aggressive"
    client.create_advance_trading_session(
        amount=50, execution_strategy=strategy, strategy_duration="30D", asset_index=alura.Asset.ETH
    )
    trade: t.Trade = client.get_current_trade()
    positions: List[t.Position] = trade["positions"]
    closed: t.ActionResult = client.close_trade(trade["id"])
    print(f"session {session['id']}: closed {closed.get('closed')} of {len(positions)} position(s)")
    return closed.get("amount", Decimal(0))  # money is exact: a Decimal from the server's digits


def main() -> None:
    with MockServer() as mock:
        client = alura.Client(base_url=mock.url, private_key="0x" + secrets.token_hex(32))
        candles: List[t.Candle] = client.get_candles("BTC", "1h", limit=3)
        print("last close", candles[-1]["close"])
        try:
            open_and_close(client, alura.Asset.BTC)
        except alura.BadRequestError as e:
            print("refused:", e.messages)


if __name__ == "__main__":
    main()
