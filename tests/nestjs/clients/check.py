"""The Python package against the NestJS reference backend (tests/nestjs), as a new user meets a
real server: money as strings, Hyperliquid-shaped history in an envelope, Nest's error bodies,
an empty body for "no current trade". `cargo xtask test` runs it; by hand:

    python tests/nestjs/clients/check.py http://127.0.0.1:PORT
"""

import secrets
import sys

import alura


def main(base_url: str) -> None:
    client = alura.Client(base_url=base_url, private_key="0x" + secrets.token_hex(32))
    profile = client.get_profile()
    assert profile["address"], profile
    session = client.create_trading_session(budget=100, profit_target=40, asset_index=alura.Asset.BTC)
    trade = client.get_current_trade()
    assert trade and trade["sessionId"] == session["id"] and trade["positions"], trade
    df = client.candles_df("BTC", "1h", limit=24)
    assert len(df) == 24 and (df["close"] > 0).all() and (df["high"] >= df["low"]).all(), df.head()
    try:
        client.create_trading_session(budget=100, profit_target=40, asset_index=alura.Asset.BTC)
    except alura.BadRequestError as e:
        assert e.status == 400 and any("Duplicate asset index" in m for m in e.messages), e.messages
    else:
        raise AssertionError("a second session on BTC was accepted")
    try:
        client.create_trading_session(budget=100, profit_target=40, asset_index=alura.Asset.ETH, max_positions=50)
    except alura.ValidationError as e:
        assert "max_positions" in str(e), e  # a client regenerated from this server's spec knows its bound
    except alura.BadRequestError as e:
        assert e.status == 400 and e.messages, e  # ours does not, and the server says so
    else:
        raise AssertionError("maxPositions 50 was accepted")
    closed = client.close_trade(trade["id"])
    assert closed["success"], closed
    assert client.get_current_trade() is None, "no open trade is an empty 200 body"
    print(f"python ({alura.__file__}) against NestJS: session {session['id']}, {len(df)} candles, closed -> {closed}")


if __name__ == "__main__":
    main(sys.argv[1])
