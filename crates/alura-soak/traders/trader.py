"""The Python trader of the chaos soak: the mix of `src/trader.rs`, on `alura.AsyncClient`, one
asyncio task a client. Started by `alura-soak` with the arguments of `src/protocol.rs`; prints one
JSON line a call as it ends."""

import argparse
import asyncio
import json
import random
import secrets
import sys
import time
import uuid

import alura

SYMBOLS = ["BTC", "ETH", "SOL", "XRP", "DOGE", "AVAX"]
TIMEOUT = 2.0
DEADLINE = 8.0


def report(op, started, error, key):
    line = json.dumps({"op": op, "ms": (time.monotonic() - started) * 1000, "error": error, "key": key})
    sys.stdout.write(line + "\n")


async def trade(client, rng, until):
    trade_id = None
    while time.monotonic() < until:
        roll = rng.randrange(100)
        symbol = rng.choice(SYMBOLS)
        key = None
        if roll < 30:
            op, call = "get_candles", lambda: client.get_candles(symbol, "1h", limit=24)
        elif roll < 55:
            key = str(uuid.uuid4())
            budget = rng.randrange(10, 40)
            op = "create_trading_session"
            call = lambda: client.create_trading_session(
                budget=budget, profit_target=40, asset_index=symbol, idempotency_key=key
            )
        elif roll < 70 and trade_id is not None:
            key, closing, trade_id = str(uuid.uuid4()), trade_id, None
            op, call = "close_trade", lambda: client.close_trade(closing, idempotency_key=key)
        elif roll < 70:
            op, call = "get_current_trade", client.get_current_trade
        elif roll < 85:
            op, call = "list_active_sessions", client.list_active_sessions
        elif trade_id is not None:
            page, reading = rng.randrange(1, 3), trade_id
            op, call = "get_trade_logs", lambda: client.get_trade_logs(reading, page=page, limit=5)
        else:
            op, call = "get_current_trade", client.get_current_trade
        started = time.monotonic()
        try:
            value = await call()
        except alura.AluraError as e:
            report(op, started, type(e).__name__, key)
            continue
        except Exception as e:  # noqa: BLE001 - anything not the SDK's is what the soak looks for
            report(op, started, "Unexpected:" + type(e).__name__, key)
            continue
        if op == "get_current_trade":
            trade_id = value.get("id") if isinstance(value, dict) else None
        report(op, started, None, key)


async def main():
    parser = argparse.ArgumentParser()
    for flag in ("--url", "--duration", "--seed", "--clients"):
        parser.add_argument(flag, required=True)
    args = parser.parse_args()
    until = time.monotonic() + int(args.duration)
    clients = [
        alura.AsyncClient(
            base_url=args.url,
            private_key=secrets.token_hex(32),
            timeout=TIMEOUT,
            retry_deadline=DEADLINE,
        )
        for _ in range(int(args.clients))
    ]
    await asyncio.gather(
        *(trade(c, random.Random(int(args.seed) * 1000 + who), until) for who, c in enumerate(clients))
    )
    for client in clients:
        await client.close()


if __name__ == "__main__":
    asyncio.run(main())
