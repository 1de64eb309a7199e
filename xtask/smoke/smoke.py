"""Smoke test of an installed `alura` wheel, run where users run it: against the simulator the wheel
carries, log in, open a quick trade, read it, fetch candles (into pandas when pandas is installed),
close the trade; then the `alura` command the wheel puts on PATH, `--version` and one call. `cargo xtask test` runs it in a fresh virtualenv with no Rust on PATH (--no-rust);
the release workflow runs it on each platform's runner.

    python smoke.py [--no-rust]
"""

import os
import shutil
import subprocess
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
        cli = cli_check(mock.url)
    print(
        f"python: alura {alura.__version__} ({os.path.basename(native)}): {logins} login, "
        f"session {session.get('id')}, trade {trade['id']} with {len(trade['positions'])} position(s), "
        f"{candles}, close -> {closed}; {cli}"
    )


def cli_check(url: str) -> str:
    """The command line from the wheel: the script pip made, beside this interpreter."""
    scripts = os.path.dirname(sys.executable)
    alura_cmd = shutil.which("alura", path=scripts)
    assert alura_cmd, f"no alura command in {scripts}"
    version = subprocess.run([alura_cmd, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    assert version == f"alura {alura.__version__}", version
    candles = subprocess.run(
        [alura_cmd, "candles", "BTC", "1h", "--limit", "3", "--base-url", url],
        capture_output=True, text=True, check=True,
    ).stdout.splitlines()
    assert len(candles) == 3 and '"close"' in candles[0], candles
    return f"`{version}` read {len(candles)} candles as JSON lines"


if __name__ == "__main__":
    main()
