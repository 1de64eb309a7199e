"""Smoke test of an installed `alura` wheel, run where users run it: against the simulator the wheel
carries, log in, open a quick trade, read it, fetch candles (into pandas when pandas is installed),
close the trade. `cargo xtask test` runs it in a fresh virtualenv with no Rust on PATH (--no-rust);
the release workflow runs it on each platform's runner.

    python smoke.py [--no-rust]
"""

import os
import shutil
import sys

import alura
from alura.testing import MockServer


def main() -> None:
    if "--no-rust" in sys.argv[1:]:
        found = {tool: shutil.which(tool) for tool in ("cargo", "rustc")}
        assert not any(found.values()), f"Rust is on PATH: {found}"
    native = alura._native.__file__  # type: ignore[attr-defined]
    here = os.path.dirname(os.path.abspath(__file__))
    assert not native.startswith(os.path.dirname(here)), f"alura was imported from the source tree: {native}"
    with MockServer() as mock:
        client = alura.Client(base_url=mock.url, private_key="0x" + "11" * 32, strict=True)
        session = client.create_trading_session(budget=100, profit_target=40, asset_index=alura.Asset.BTC)
        trade = client.get_current_trade()
        assert trade["id"] and trade.get("positions"), trade
        try:
            import pandas  # noqa: F401
        except ImportError:
            rows = client.get_candles("BTC", "1h", limit=24)
            assert len(rows) == 24 and rows[0]["close"] > 0, rows[:1]
            candles = f"{len(rows)} candle rows (no pandas here)"
        else:
            df = client.candles_df("BTC", "1h", limit=24)
            assert len(df) == 24 and (df["close"] > 0).all(), df.head()
            candles = f"a {len(df)}-row DataFrame of candles"
        closed = client.close_trade(trade["id"])
        logins = len(mock.requests("verify_signature"))
    print(
        f"python: alura {alura.__version__} ({os.path.basename(native)}): {logins} login, "
        f"session {session.get('id')}, trade {trade['id']} with {len(trade['positions'])} position(s), "
        f"{candles}, close -> {closed}"
    )


if __name__ == "__main__":
    main()
