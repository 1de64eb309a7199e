"""The shared scenarios of tests/scenarios/*.json, through the public Client methods."""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, Optional

import pytest

import alura
from alura.testing import MockServer

import scenario_streams as streams

SCENARIOS = sorted((Path(__file__).parents[3] / "tests" / "scenarios").glob("*.json"))
STEP_KEYS = {"faults", "call", "args", "expect", "save", "watch", "outage", "cancel", "burst"}
EXPECT_KEYS = {
    "match",
    "length",
    "error",
    "status",
    "messages",
    "message_contains",
    "raw_body_contains",
    "retry_after",
    "absent",
    "exact",
    "sent",
    "settle",
}
BACKEND = os.environ.get("ALURA_SCENARIO_BASE_URL")


def snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def at(value: Any, path: str) -> Any:
    for key in filter(None, path.split(".")):
        value = value[int(key)] if key.isdigit() else value[key]
    return value


def matches(got: Any, want: Any, drift: bool = False) -> bool:
    """``want`` is a subset of ``got``. Against a drifting server a field may be missing or
    None, and a number may come as a string."""
    if isinstance(want, dict):
        return isinstance(got, dict) and all(
            (drift and got.get(k) is None) or (k in got and matches(got[k], v, drift)) for k, v in want.items()
        )
    if isinstance(want, list):
        return (
            isinstance(got, list) and len(got) == len(want) and all(matches(g, w, drift) for g, w in zip(got, want))
        )
    if drift and isinstance(got, str) and isinstance(want, (int, float)) and not isinstance(want, bool):
        try:
            return float(got) == want
        except ValueError:
            return False
    return bool(got == want)


def exact(expr: str, result: Any, saved: Dict[str, Any]) -> Optional[Decimal]:
    """An ``exact`` key: a path or ``$saved``, or two joined by `` + `` or `` - ``, worked out in
    the ``Decimal`` s the client returned. None when a term is not there."""
    op = " - " if " - " in expr else " + " if " + " in expr else None
    terms = [saved.get(t[1:]) if t.startswith("$") else at_or_none(result, t) for t in expr.split(op)]
    if any(t is None for t in terms):
        return None
    assert all(isinstance(t, Decimal) for t in terms), f"{expr}: money came as {terms!r}, not Decimal"
    if op is None:
        return terms[0]  # type: ignore[no-any-return]
    return terms[0] - terms[1] if op == " - " else terms[0] + terms[1]  # type: ignore[no-any-return]


class Text(str):
    """A number's JSON text, as the request body held it."""


def sent_fields(body: str) -> Dict[str, str]:
    """Each top-level field of a JSON body as its JSON text (``100.10``, not ``100.1``)."""
    fields = json.loads(body, parse_float=Text, parse_int=Text)
    return {k: v if isinstance(v, Text) else json.dumps(v, separators=(",", ":")) for k, v in fields.items()}


def substitute(value: Any, saved: Dict[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("$"):
        return saved[value[1:]]
    if isinstance(value, dict):
        return {k: substitute(v, saved) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, saved) for v in value]
    return value


def test_every_scenario_file_is_collected() -> None:
    assert len(SCENARIOS) >= 10


@pytest.mark.parametrize("drift", [False, True], ids=["strict", "drift"])
@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario(path: Path, drift: bool, caplog: pytest.LogCaptureFixture) -> None:
    """Strict against the simulator; then against its drift mode (shapes off the spec), where
    the scenario must still pass, with the differences logged as warnings on ``alura.drift``."""
    caplog.set_level(logging.WARNING, logger="alura")
    setup = json.loads(path.read_text()).get("mock", {})
    assert set(setup) <= {"rate_limit"}, "a simulator setting this harness does not know"
    with MockServer(drift=drift, rate_limit=setup.get("rate_limit")) as mock:
        play(path, mock.url, mock, drift)
    warnings = [r for r in caplog.records if r.name == "alura.drift"]
    if not drift:
        assert not warnings, [r.getMessage() for r in warnings]
    keys = [(r.getMessage().split(":")[0], r.getMessage()) for r in warnings]
    assert len(keys) == len(set(keys)), "each mismatch is logged once"


def _fault_free(scenario: Dict[str, Any]) -> bool:
    """Any backend can play it: no simulator set up for it, no fault, no watch on its clock."""
    return "mock" not in scenario and not any("faults" in s or "watch" in s for s in scenario["steps"])


FAULT_FREE = [p for p in SCENARIOS if _fault_free(json.loads(p.read_text()))]


@pytest.mark.skipif(BACKEND is None, reason="needs ALURA_SCENARIO_BASE_URL: cargo xtask test runs it against tests/nestjs")
@pytest.mark.parametrize("path", FAULT_FREE, ids=[p.stem for p in FAULT_FREE])
def test_scenario_against_a_backend(path: Path) -> None:
    """Every scenario that injects no fault, against a backend we did not write, not strict."""
    assert BACKEND is not None
    play(path, BACKEND, None, drift=True)


def play(path: Path, url: str, mock: Optional[MockServer], drift: bool) -> None:
    """Runs one scenario against `url`; `mock` is the simulator behind it, when it is ours."""
    scenario = json.loads(path.read_text())
    assert set(scenario) <= {"description", "mock", "client", "steps", "requests"}, "a key this harness does not know"
    options = scenario.get("client", {})
    assert set(options) <= {"key", "timeout_ms", "retries"}
    settings: Dict[str, Any] = {
        "base_url": url,
        "private_key": "0x" + secrets.token_hex(32) if options.get("key", True) else None,
        "timeout": options["timeout_ms"] / 1000 if "timeout_ms" in options else None,
        "strict": not drift,
    }
    if "retries" in options:
        settings["max_retries"] = options["retries"]
    client = alura.Client(**settings)
    saved: Dict[str, Any] = {}
    for i, step in enumerate(scenario["steps"], 1):
        here = f"{path.stem}{' (drift)' if drift else ''} step {i}"
        assert set(step) <= STEP_KEYS, here
        for operation, faults in step.get("faults", {}).items():
            assert mock is not None, f"{here}: faults need the simulator"
            mock.inject_faults(operation, faults)
        if "watch" in step or "burst" in step:
            assert mock is not None, f"{here}: needs the simulator"
            streams.play(step, client, alura.AsyncClient(**settings), mock, here)
            continue
        kwargs = {snake(k): v for k, v in substitute(step.get("args", {}), saved).items()}
        expect = step.get("expect", {})
        assert set(expect) <= EXPECT_KEYS, here
        method = getattr(client, step["call"])
        if expect.get("absent"):
            # Nothing there, said as a 404 or as an empty or null answer.
            try:
                assert method(**kwargs) is None, here
            except alura.NotFoundError:
                pass
            continue
        if "error" in expect:
            with pytest.raises(alura.AluraError) as info:
                method(**kwargs)
            err = info.value
            assert type(err).__name__ == expect["error"], f"{here}: {err!r}"
            if "status" in expect:
                assert getattr(err, "status", None) == expect["status"], here
            if "messages" in expect:
                assert getattr(err, "messages") == expect["messages"], here
            if "message_contains" in expect:
                # Arguments are named as Python writes them: profitTarget is profit_target here.
                words = re.sub(r"\b[a-z]+[A-Z]\w*\b", lambda m: snake(m.group(0)), expect["message_contains"])
                assert words in str(err), f"{here}: {err}"
            if "raw_body_contains" in expect:
                assert expect["raw_body_contains"] in (getattr(err, "raw_body") or ""), here
            if "retry_after" in expect:
                assert getattr(err, "retry_after") == expect["retry_after"], here
            if "settle" in expect:
                want = expect["settle"]
                assert set(want) <= {"status", "match"}, here
                settled = err.settle()  # type: ignore[attr-defined]
                assert isinstance(settled, alura.Settlement), here
                assert settled.status == want["status"], f"{here}: {settled!r}"
                if "match" in want:
                    assert matches(settled.result, want["match"], drift), f"{here}: {settled.result}"
            continue
        result = method(**kwargs)
        if "sent" in expect and mock is not None:
            body = mock.requests(step["call"])[-1]["body"]
            fields = sent_fields(body)
            for field, text in expect["sent"].items():
                assert fields.get(field) == text, f"{here}: {field} as sent in {body}"
        for expr, want in expect.get("exact", {}).items():
            got = exact(expr, result, saved)
            assert got is not None or drift, f"{here}: no {expr} in {result}"
            assert got is None or got == Decimal(want), f"{here}: {expr} = {got!r}, not {want}"
        if "match" in expect:
            assert matches(result, substitute(expect["match"], saved), drift), f"{here}: {result}"
        for p, n in expect.get("length", {}).items():
            if drift and at_or_none(result, p) is None:
                continue
            assert len(at(result, p)) == n, f"{here}: length of {p!r}"
        for name, p in step.get("save", {}).items():
            saved[name] = at_or_none(result, p) if drift else at(result, p)
    if mock is not None:
        counters = mock.counters()
        for operation, n in scenario.get("requests", {}).items():
            assert counters.get(operation, 0) == n, f"{path.stem}: requests to {operation}"


def test_drift_mode_is_noticed_and_logged_once_per_mismatch(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="alura")
    with MockServer(drift=True) as mock:
        client = alura.Client(base_url=mock.url, private_key="0x" + secrets.token_hex(32))
        session = client.create_trading_session(budget=100, profit_target=40, asset_index=alura.Asset.BTC)
        trade = client.get_current_trade()
        assert trade["sessionId"] == session["id"]
        client.close_trade(trade["id"])
        for _ in range(3):
            candles = client.get_candles("BTC", "1h", limit=5)
        assert len(candles) == 5
        history = client.candles_df("BTC", "1h", limit=5) if _has_pandas() else None
        if history is not None:
            assert len(history) == 5
    drift = [r for r in caplog.records if r.name == "alura.drift"]
    assert drift, "drift mode's differences were not logged"
    assert all(r.levelno == logging.WARNING for r in drift)
    messages = [r.getMessage() for r in drift]
    assert len(messages) == len(set(messages)), "one warning per operation and mismatch"
    assert any(m.startswith("get_candles:") for m in messages), messages


def _has_pandas() -> bool:
    try:
        import pandas  # noqa: F401
    except ImportError:
        return False
    return True


def at_or_none(value: Any, path: str) -> Any:
    try:
        return at(value, path)
    except (KeyError, IndexError, TypeError):
        return None
