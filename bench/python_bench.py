"""Python side of `cargo xtask bench`: alura beside httpx against one simulator.

Prints one `BENCH {json}` line per measurement. Needs the bench extras: httpx, orjson, pandas,
eth-account (installed by `cargo xtask bench`).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict, List

import httpx
import orjson
import pandas as pd
from eth_account import Account
from eth_account.messages import encode_defunct

import alura

URL = os.environ["ALURA_BENCH_URL"]
N = int(os.environ.get("ALURA_BENCH_N", "10000"))
ROUNDS = int(os.environ.get("ALURA_BENCH_ROUNDS", "3"))
LATEST = "/api/indicators/candles/latest"


def report(case: str, impl: str, times: List[float], ops: int, **extra: Any) -> None:
    median = statistics.median(times)
    print("BENCH " + json.dumps({"case": case, "impl": impl, "median_s": median, "ops": ops, "ops_per_s": ops / median, **extra}), flush=True)


def alternate(case: str, ops: int, impls: Dict[str, Callable[[], None]]) -> None:
    times: Dict[str, List[float]] = {name: [] for name in impls}
    names = list(impls)
    for r in range(ROUNDS):
        # Who goes first changes every round, so no side always gets the warmer start.
        for name in names[r % len(names) :] + names[: r % len(names)]:
            run = impls[name]
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    for name in impls:
        report(case, name, times[name], ops)


def throughput() -> None:
    aclient = alura.AsyncClient(base_url=URL)
    client = alura.Client(base_url=URL)
    loop = asyncio.new_event_loop()
    hx = httpx.AsyncClient(base_url=URL, limits=httpx.Limits(max_connections=64), trust_env=False)

    async def ours_async(concurrency: int) -> None:
        sem = asyncio.Semaphore(concurrency)

        async def one() -> None:
            async with sem:
                assert len(await aclient.get_latest_candles()) == 6

        await asyncio.gather(*(one() for _ in range(N)))

    async def httpx_async(concurrency: int) -> None:
        sem = asyncio.Semaphore(concurrency)

        async def one() -> None:
            async with sem:
                r = await hx.get(LATEST)
                r.raise_for_status()
                assert len(r.json()) == 6

        await asyncio.gather(*(one() for _ in range(N)))

    def ours_threads() -> None:
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(lambda _: client.get_latest_candles(), range(N)))

    loop.run_until_complete(ours_async(64))
    loop.run_until_complete(httpx_async(64))
    for concurrency in (1, 64):
        alternate(
            f"{N} GET candles/latest, concurrency {concurrency}, Python",
            N,
            {
                "alura AsyncClient (gather)": lambda: loop.run_until_complete(ours_async(concurrency)),
                "httpx.AsyncClient": lambda: loop.run_until_complete(httpx_async(concurrency)),
            },
        )
    alternate(f"{N} GET candles/latest, Client in 16 threads, Python", N, {"alura Client, 16 threads": ours_threads})
    loop.run_until_complete(hx.aclose())


def history() -> None:
    client = alura.Client(base_url=URL)
    hx = httpx.Client(base_url=URL, trust_env=False)
    params = {"interval": "1m", "limit": 100_000, "endTime": 1_700_000_000_000}

    def ours_rows() -> None:
        rows = client.get_candle_history("BTC", interval="1m", limit=100_000, end_time=1_700_000_000_000)
        assert len(rows) == 100_000

    def httpx_json() -> None:
        assert len(hx.get("/api/indicators/candles/history/BTC", params=params).json()) == 100_000

    def httpx_orjson() -> None:
        assert len(orjson.loads(hx.get("/api/indicators/candles/history/BTC", params=params).content)) == 100_000

    def ours_df() -> None:
        df = client.candles_df("BTC", "1m", limit=100_000, end_time=1_700_000_000_000)
        assert len(df) == 100_000

    def httpx_df() -> None:
        rows = orjson.loads(hx.get("/api/indicators/candles/history/BTC", params=params).content)
        df = pd.DataFrame.from_records(rows, columns=["openTime", "open", "high", "low", "close", "volume"])
        df.index = pd.to_datetime(df.pop("openTime"), unit="ms", utc=True)
        assert len(df) == 100_000

    alternate("one call, 100,000 candles to Python rows", 1, {"alura": ours_rows, "httpx + json": httpx_json, "httpx + orjson": httpx_orjson})
    alternate("one call, 100,000 candles to a DataFrame", 1, {"alura candles_df": ours_df, "httpx + orjson + pandas": httpx_df})


def login() -> None:
    n = int(os.environ.get("ALURA_BENCH_LOGINS", "1000"))
    keys = [Account.create().key.hex() for _ in range(n)]
    hx = httpx.Client(base_url=URL, trust_env=False)

    def ours() -> None:
        for key in keys:
            alura.Client(base_url=URL, private_key=key).login()

    def baseline() -> None:
        for key in keys:
            account = Account.from_key(key)
            challenge = hx.post("/auth/evm/challenge", json={"address": account.address}).json()
            signed = account.sign_message(encode_defunct(text=challenge["message"]))
            signature = "0x" + signed.signature.hex().removeprefix("0x")
            r = hx.post("/auth/evm/verify", json={"address": account.address, "signature": signature})
            assert r.status_code == 201, r.text

    global ROUNDS
    rounds, ROUNDS = ROUNDS, 3
    alternate(f"login (challenge + sign + verify), {n} times", n, {"alura": ours, "eth_account + httpx": baseline})
    ROUNDS = rounds


def rss_kb() -> int:
    """The resident set now (not the peak), from /proc."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def memory() -> None:
    client = alura.Client(base_url=URL)

    def calls(n: int) -> None:
        # Results are dropped as they come, so what stays resident is the SDK's own.
        with ThreadPoolExecutor(16) as pool:
            for _ in pool.map(lambda _: client.get_latest_candles(), range(n)):
                pass

    calls(10_000)
    kb_10k = rss_kb()
    calls(40_000)
    kb_50k = rss_kb()
    print("BENCH " + json.dumps({"case": "memory", "impl": "Python", "rss_kb_10k": kb_10k, "rss_kb_50k": kb_50k}), flush=True)


if __name__ == "__main__":
    parts = sys.argv[1:] or ["memory", "throughput", "history", "login"]
    for part in parts:
        globals()[part]()
