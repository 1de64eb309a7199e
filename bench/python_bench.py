"""Python side of `cargo xtask bench`: alura beside httpx and aiohttp against one simulator.

Prints one `BENCH {json}` line per measurement. Needs the bench extras: httpx, aiohttp, orjson,
pandas, pyarrow, polars, eth-account (installed by `cargo xtask bench`).

`python bench/python_bench.py only IMPL` runs one implementation alone, for a profiler: the GET case at
concurrency 1, ALURA_BENCH_N calls after a warm-up of 200 (IMPL: alura, aiohttp or httpx).
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Awaitable, Callable, Dict, List

import aiohttp
import httpx
import orjson
import pandas as pd
import polars as pl
import pyarrow as pa
from eth_account import Account
from eth_account.messages import encode_defunct

import alura

URL = os.environ["ALURA_BENCH_URL"]
N = int(os.environ.get("ALURA_BENCH_N", "10000"))
POSTS = int(os.environ.get("ALURA_BENCH_POSTS", "1000"))
ROUNDS = int(os.environ.get("ALURA_BENCH_ROUNDS", "3"))
LATEST = "/api/indicators/candles/latest"


def report(case: str, impl: str, times: List[float], ops: int, cpu: List[float], **extra: Any) -> None:
    median = statistics.median(times)
    line = {"case": case, "impl": impl, "median_s": median, "ops": ops, "ops_per_s": ops / median, "cpu_s": statistics.median(cpu)}
    print("BENCH " + json.dumps({**line, **extra}), flush=True)


def cpu_s() -> float:
    """This process's CPU time so far, user and system, every thread (the Rust core's too); the
    simulator is a process of its own, so none of its time counts."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def alternate(case: str, ops: int, impls: Dict[str, Callable[[], None]]) -> None:
    times: Dict[str, List[float]] = {name: [] for name in impls}
    cpu: Dict[str, List[float]] = {name: [] for name in impls}
    names = list(impls)
    for r in range(ROUNDS):
        # Who goes first changes every round, so no side always gets the warmer start.
        for name in names[r % len(names) :] + names[: r % len(names)]:
            run = impls[name]
            start, cpu_start = time.perf_counter(), cpu_s()
            run()
            times[name].append(time.perf_counter() - start)
            cpu[name].append(cpu_s() - cpu_start)
    for name in impls:
        report(case, name, times[name], ops, cpu[name])


async def gather_n(n: int, concurrency: int, one: Callable[[], Awaitable[None]]) -> None:
    sem = asyncio.Semaphore(concurrency)

    async def bounded() -> None:
        async with sem:
            await one()

    await asyncio.gather(*(bounded() for _ in range(n)))


Impls = Dict[str, Callable[[int], Callable[[], Awaitable[None]]]]


def get_clients(loop: asyncio.AbstractEventLoop) -> "tuple[Impls, Callable[[], Awaitable[None]]]":
    """For each implementation: given the concurrency, one GET of the latest candles, decoded.
    Also what closes the peers' pools."""
    aclient = alura.AsyncClient(base_url=URL)
    hx = httpx.AsyncClient(base_url=URL, limits=httpx.Limits(max_connections=64), trust_env=False)
    # aiohttp's pool is sized to the concurrency, as a user tuning it would.
    sessions: Dict[int, aiohttp.ClientSession] = {}

    async def make_session(concurrency: int) -> aiohttp.ClientSession:
        return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency))

    def ours(_: int) -> Callable[[], Awaitable[None]]:
        async def one() -> None:
            assert len(await aclient.get_latest_candles()) == 6

        return one

    def with_httpx(_: int) -> Callable[[], Awaitable[None]]:
        async def one() -> None:
            r = await hx.get(LATEST)
            r.raise_for_status()
            assert len(r.json()) == 6

        return one

    def with_aiohttp(concurrency: int) -> Callable[[], Awaitable[None]]:
        if concurrency not in sessions:
            sessions[concurrency] = loop.run_until_complete(make_session(concurrency))
        session = sessions[concurrency]

        async def one() -> None:
            async with session.get(URL + LATEST) as r:
                r.raise_for_status()
                assert len(await r.json()) == 6

        return one

    async def close() -> None:
        await hx.aclose()
        for session in sessions.values():
            await session.close()

    impls = {"alura AsyncClient (gather)": ours, "httpx.AsyncClient": with_httpx, "aiohttp.ClientSession": with_aiohttp}
    return impls, close


def throughput() -> None:
    client = alura.Client(base_url=URL)
    loop = asyncio.new_event_loop()
    impls, close = get_clients(loop)
    for make in impls.values():
        loop.run_until_complete(gather_n(N, 64, make(64)))

    def ours_threads() -> None:
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(lambda _: client.get_latest_candles(), range(N)))

    for concurrency in (1, 64):
        ones = {name: make(concurrency) for name, make in impls.items()}
        loop.run_until_complete(gather_n(200, concurrency, ones["aiohttp.ClientSession"]))
        alternate(
            f"{N} GET candles/latest, concurrency {concurrency}, Python",
            N,
            {name: (lambda one=one: loop.run_until_complete(gather_n(N, concurrency, one))) for name, one in ones.items()},
        )
    alternate(f"{N} GET candles/latest, Client in 16 threads, Python", N, {"alura Client, 16 threads": ours_threads})
    loop.run_until_complete(close())


def only(name: str) -> None:
    """One implementation alone at concurrency 1, for callgrind: see the module's docstring."""
    loop = asyncio.new_event_loop()
    impls, close = get_clients(loop)
    full = next(full for full in impls if full.split(" ")[0].split(".")[0] == name)
    one = impls[full](1)
    loop.run_until_complete(gather_n(200, 1, one))
    loop.run_until_complete(gather_n(N, 1, one))
    loop.run_until_complete(close())


def posts() -> None:
    """Create and close a quick session, POSTS times in a row, after one login each side shares."""
    key = Account.create().key.hex()
    loop = asyncio.new_event_loop()
    aclient = alura.AsyncClient(base_url=URL, private_key=key)
    loop.run_until_complete(aclient.login())
    token = aclient.token
    assert token is not None
    # The simulator does not debit a session's budget from the balance, so 10 USDC (the
    # minimum) stays within the 10,000 starting balance however many sessions come and go.
    create = {"budget": 10, "profitTarget": 50, "assetIndex": 0}
    close = {"assetIndex": 0}

    async def make_session() -> aiohttp.ClientSession:
        return aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=1), headers={"Authorization": f"Bearer {token.value}"}
        )

    session = loop.run_until_complete(make_session())

    async def ours(n: int) -> None:
        for _ in range(n):
            created = await aclient.create_trading_session(budget=10, profit_target=50, asset_index=0)
            assert created["status"] == "active"
            closed = await aclient.close_position_by_asset(asset_index=0)
            assert closed["closed"] == 1

    async def peer(n: int) -> None:
        for _ in range(n):
            async with session.post(URL + "/trading-sessions", json=create) as r:
                assert r.status == 201, r.status
                assert (await r.json())["status"] == "active"
            async with session.post(URL + "/user/close-position", json=close) as r:
                assert r.status == 201, r.status
                assert (await r.json())["closed"] == 1

    loop.run_until_complete(ours(20))
    loop.run_until_complete(peer(20))
    alternate(
        f"{POSTS} POST pairs (create + close a session), concurrency 1, Python",
        POSTS,
        {
            "alura AsyncClient": lambda: loop.run_until_complete(ours(POSTS)),
            "aiohttp.ClientSession": lambda: loop.run_until_complete(peer(POSTS)),
        },
    )
    loop.run_until_complete(session.close())


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

    def ours_pl() -> None:
        frame = client.candles_pl("BTC", "1m", limit=100_000, end_time=1_700_000_000_000)
        assert frame.height == 100_000

    def httpx_pl() -> None:
        rows = orjson.loads(hx.get("/api/indicators/candles/history/BTC", params=params).content)
        frame = pl.from_dicts(rows).with_columns(pl.from_epoch("openTime", time_unit="ms").dt.replace_time_zone("UTC"))
        assert frame.height == 100_000

    def ours_arrow() -> None:
        table = pa.table(client.candles_arrow("BTC", "1m", limit=100_000, end_time=1_700_000_000_000))
        assert table.num_rows == 100_000

    def httpx_arrow() -> None:
        rows = orjson.loads(hx.get("/api/indicators/candles/history/BTC", params=params).content)
        assert pa.Table.from_pylist(rows).num_rows == 100_000

    alternate("one call, 100,000 candles to Python rows", 1, {"alura": ours_rows, "httpx + json": httpx_json, "httpx + orjson": httpx_orjson})
    alternate("one call, 100,000 candles to a DataFrame", 1, {"alura candles_df": ours_df, "httpx + orjson + pandas": httpx_df})
    alternate("one call, 100,000 candles to polars", 1, {"alura candles_pl": ours_pl, "httpx + orjson + polars": httpx_pl})
    alternate("one call, 100,000 candles to a pyarrow Table", 1, {"alura candles_arrow": ours_arrow, "httpx + orjson + pyarrow": httpx_arrow})
    # No side can be faster than the simulator writing the answer and the socket carrying it.
    alternate(
        "one call, 100,000 candles: the bytes alone, unparsed (the floor), Python",
        1,
        {"httpx, .content": lambda: hx.get("/api/indicators/candles/history/BTC", params=params).content},
    )


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
        # Results are dropped as they come, so what stays resident is the SDK's own. Submitted
        # 1,000 at a time: Executor.map submits everything at once, and 40,000 pending futures
        # were the 22 MB "growth" between 10,000 and 50,000 calls (bench/README.md).
        with ThreadPoolExecutor(16) as pool:
            for start in range(0, n, 1000):
                for _ in pool.map(lambda _: client.get_latest_candles(), range(min(1000, n - start))):
                    pass

    calls(10_000)
    kb_10k = rss_kb()
    calls(40_000)
    kb_50k = rss_kb()
    print("BENCH " + json.dumps({"case": "memory", "impl": "Python", "rss_kb_10k": kb_10k, "rss_kb_50k": kb_50k}), flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["only"]:
        only(sys.argv[2])
    else:
        for part in sys.argv[1:] or ["memory", "throughput", "posts", "history", "login"]:
            globals()[part]()
