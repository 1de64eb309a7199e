"""The rate budget the client keeps (the core's `transport/budget.rs`): against a server throttled
like `@nestjs/throttler`, calls wait their turn instead of meeting a 429."""

from __future__ import annotations

import asyncio
import datetime
import time

import alura
from alura.testing import MockServer


def test_calls_wait_their_turn_instead_of_meeting_the_throttler() -> None:
    with MockServer(rate_limit="50/1s") as mock:
        client = alura.AsyncClient(base_url=mock.url)
        assert client.rate_limit() is None, "nothing known before an answer"

        async def burst() -> list:
            return await asyncio.gather(*(client.get_symbols() for _ in range(150)))

        started = time.monotonic()
        answers = asyncio.run(burst())
        elapsed = time.monotonic() - started
        assert len(answers) == 150
        sent = mock.requests("get_symbols")
        refused = sum(1 for r in sent if r["status"] == 429)
        assert refused <= 3, "at most one 429 a window"
        assert len(sent) == 150 + refused, "each call sent once, and again only after a 429"
        assert elapsed >= 2.0, "three windows' worth"
        known = client.rate_limit()
        assert known is not None and (known.operation, known.limit) == ("get_symbols", 50)
        assert known.resets_at > datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=5)
        # Every client of this process calling as the same user shares it, sync ones too.
        shared = alura.Client(base_url=mock.url).rate_limit()
        assert shared is not None and shared.limit == 50
