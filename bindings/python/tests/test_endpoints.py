"""One test per endpoint group, with the sync and the async client."""

from __future__ import annotations

import secrets
from typing import Any, Awaitable, Callable, Union

import pytest

import alura
from alura.testing import MockServer

Either = Union[alura.Client, alura.AsyncClient]


@pytest.fixture(params=["sync", "async"])
def api(request: pytest.FixtureRequest, mock: MockServer, key: str) -> Either:
    cls = alura.Client if request.param == "sync" else alura.AsyncClient
    return cls(base_url=mock.url, private_key=key)


async def run(value: Union[Any, Awaitable[Any]]) -> Any:
    """The result of a sync call, or of an awaited async one."""
    return await value if isinstance(value, Awaitable) else value


async def test_auth(api: Either) -> None:
    await run(api.login())
    key = await run(api.get_trading_key())
    assert key["agentAddress"].startswith("0x") and key["agentAddress"] != api.address


async def test_trading_sessions(api: Either) -> None:
    quick = await run(api.create_trading_session(budget=150, profit_target=25, asset_index=alura.Asset.SOL, max_positions=3))
    assert quick["assetIndex"] == 2 and quick["status"] == "active"
    for asset, strategy in [(alura.Asset.ETH, "Conservative"), (alura.Asset.XRP, "Aggressive"), (alura.Asset.DOGE, "Degen")]:
        s = await run(api.create_advance_trading_session(amount=50, execution_strategy=strategy, strategy_duration="7D", asset_index=asset))  # type: ignore[arg-type]
        assert s["executionStrategy"] == strategy
    assert len(await run(api.list_active_sessions())) == 4
    assert await run(api.get_session_logs(quick["id"]))
    trade = await run(api.get_current_trade())
    position = trade["positions"][0]["id"]
    signed = await run(api.get_close_position_signature(position))
    assert len(signed["signature"]) == 132
    await run(api.close_position(position))
    closed = await run(api.close_trade(trade["id"]))
    assert closed["success"] and closed["closed"] == 2
    page = await run(api.get_trade_logs(trade["id"], page=1, limit=2))
    assert page["limit"] == 2 and page["total"] == 4
    every = await run(api.trade_logs(trade["id"]))
    assert len(every) == 4 and every[0]["message"].startswith("Trade opened")
    assert (await run(api.trigger_cron()))["success"]


async def test_user(api: Either) -> None:
    before = await run(api.get_profile())
    await run(api.create_trading_session(budget=100, profit_target=40, asset_index=alura.Asset.AVAX))
    assert (await run(api.close_position_by_asset(asset_index=5)))["closed"] == 1
    assert (await run(api.close_all_positions()))["closed"] == 0
    assert (await run(api.sync_fills()))["synced"] == 1
    await run(api.withdraw(amount=25))
    await run(api.send_usdc(destination="0x8ba1f109551bD432803012645Ac136ddd64DBA72", amount=10))
    after = await run(api.get_profile())
    assert abs(before["balance"] - after["balance"] - 35) < 1


async def test_indicators(api: Either) -> None:
    assert (await run(api.get_indicators_health()))["status"] == "ok"
    latest = await run(api.get_latest_candles(symbols="BTC,ETH", interval="1m"))
    assert [c["symbol"] for c in latest] == ["BTC", "ETH"]
    history = await run(api.get_candle_history("SOL", interval="1m", limit=500))
    assert len(history) == 500 and history[1]["openTime"] - history[0]["openTime"] == 60_000
    for asset in alura.Asset:
        assert len(await run(api.get_candles(asset.symbol, "4h", limit=10))) == 10
        assert (await run(api.get_signals(asset.symbol, "1h")))["signal"] in ("BUY", "SELL", "HOLD")
    assert len((await run(api.get_symbols()))["symbols"]) == 6
    assert len(await run(api.get_all_signals("1d"))) == 6


async def test_leaderboard(api: Either) -> None:
    me = await run(api.get_profile())
    await run(api.create_trading_session(budget=100, profit_target=40, asset_index=0))
    assert (await run(api.get_leaderboard_stats()))["totalUsers"] == 1
    rankings = await run(api.get_rankings(page=1, limit=10, period="all"))
    assert rankings["data"][0]["userId"] == me["id"]
    assert (await run(api.get_user_ranking(me["id"])))["rank"] == 1
    assert len((await run(api.get_leaderboard_analytics()))["topPerformers"]) == 1
    assert (await run(api.get_leaderboard_health()))["status"] == "ok"


async def test_referrals(api: Either) -> None:
    me = await run(api.get_profile())
    code = await run(api.create_referral_code(me["id"], code="MOON2026"))
    assert code["code"] == "MOON2026"
    check = await run(api.check_referral_code(code="moon2026"))
    assert check["valid"] and check["referrerId"] == me["id"]
    assert (await run(api.get_referral_info(me["id"])))["referralCode"] == "MOON2026"
    assert (await run(api.get_referral_stats(me["id"])))["totalReferrals"] == 0


async def test_usdc_verification(api: Either) -> None:
    tx = "0x" + secrets.token_hex(32)
    deposit = await run(api.verify_usdc_deposit(tx_hash=tx))
    assert deposit["status"] == "verified"
    assert (await run(api.list_my_transactions()))[0]["txHash"] == tx
    assert (await run(api.get_total_deposited()))["total"] == deposit["amount"]


async def test_health(api: Either) -> None:
    assert (await run(api.health_check()))["status"] == "ok"
    assert (await run(api.kafka_health_check()))["status"] == "ok"


async def test_a_typed_response_reads_exactly_as_the_server_json(api: Either, mock: MockServer) -> None:
    import json
    import urllib.request

    ours = await run(api.get_candle_history("ETH", interval="1h", limit=500, end_time=1_700_000_000_000))
    url = f"{mock.url}/api/indicators/candles/history/ETH?interval=1h&limit=500&endTime=1700000000000"
    with urllib.request.urlopen(url) as response:
        raw = json.load(response)
    assert len(ours) == 500
    assert ours == raw
    assert {k: type(v) for k, v in ours[0].items()} == {k: type(v) for k, v in raw[0].items()}


def test_pages_are_fetched_only_when_needed(mock: MockServer, client: alura.Client) -> None:
    client.create_trading_session(budget=300, profit_target=40, asset_index=1, max_positions=3)
    trade = client.get_current_trade()
    client.close_trade(trade["id"])
    rows = client.iter_trade_logs(trade["id"], limit=1)
    first = next(rows)
    assert len(mock.requests("get_trade_logs")) == 1, "one page for the first row"
    rest = list(rows)
    assert [first, *rest] == client.trade_logs(trade["id"])
    assert len(mock.requests("get_trade_logs")) == 4 + 1, "one page per row, then trade_logs' own page"

    async def collect() -> int:
        aclient = alura.AsyncClient(base_url=mock.url, token=client.token.value)  # type: ignore[union-attr]
        return len([row async for row in aclient.iter_trade_logs(trade["id"], limit=2)])

    import asyncio

    assert asyncio.run(collect()) == 4


def test_request_reaches_an_endpoint_the_spec_does_not_have(mock: MockServer, client: alura.Client) -> None:
    profile = client.request("GET", "/user/profile")
    assert profile["address"] == client.address
    checked = client.request("POST", "/referrals/check", json={"code": "NOPE"}, authenticated=False)
    assert checked["valid"] is False
    with pytest.raises(alura.NotFoundError) as info:
        client.request("GET", "/user/not-yet-in-the-spec")
    assert info.value.request_id is not None
    with pytest.raises(alura.ValidationError, match="no . or .. segment"):
        client.request("GET", "/user/../auth")
