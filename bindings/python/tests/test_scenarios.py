"""The shared scenarios of tests/scenarios/*.json, through the public Client methods."""

from __future__ import annotations

import json
import re
import secrets
from pathlib import Path
from typing import Any, Dict

import pytest

import alura
from alura.testing import MockServer

SCENARIOS = sorted((Path(__file__).parents[3] / "tests" / "scenarios").glob("*.json"))
STEP_KEYS = {"faults", "call", "args", "expect", "save"}
EXPECT_KEYS = {"match", "length", "error", "status", "messages", "message_contains", "retry_after"}


def snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def at(value: Any, path: str) -> Any:
    for key in filter(None, path.split(".")):
        value = value[int(key)] if key.isdigit() else value[key]
    return value


def matches(got: Any, want: Any) -> bool:
    if isinstance(want, dict):
        return isinstance(got, dict) and all(k in got and matches(got[k], v) for k, v in want.items())
    if isinstance(want, list):
        return isinstance(got, list) and len(got) == len(want) and all(map(matches, got, want))
    return bool(got == want)


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


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario(path: Path) -> None:
    scenario = json.loads(path.read_text())
    assert set(scenario) <= {"description", "client", "steps", "requests"}, "a key this harness does not know"
    options = scenario.get("client", {})
    assert set(options) <= {"key", "timeout_ms"}
    with MockServer() as mock:
        key = "0x" + secrets.token_hex(32) if options.get("key", True) else None
        timeout = options["timeout_ms"] / 1000 if "timeout_ms" in options else None
        client = alura.Client(base_url=mock.url, private_key=key, timeout=timeout)
        saved: Dict[str, Any] = {}
        for i, step in enumerate(scenario["steps"], 1):
            here = f"{path.stem} step {i}"
            assert set(step) <= STEP_KEYS, here
            for operation, faults in step.get("faults", {}).items():
                mock.inject_faults(operation, faults)
            kwargs = {snake(k): v for k, v in substitute(step.get("args", {}), saved).items()}
            expect = step.get("expect", {})
            assert set(expect) <= EXPECT_KEYS, here
            method = getattr(client, step["call"])
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
                    assert expect["message_contains"] in str(err), f"{here}: {err}"
                if "retry_after" in expect:
                    assert getattr(err, "retry_after") == expect["retry_after"], here
                continue
            result = method(**kwargs)
            if "match" in expect:
                assert matches(result, substitute(expect["match"], saved)), f"{here}: {result}"
            for p, n in expect.get("length", {}).items():
                assert len(at(result, p)) == n, f"{here}: length of {p!r}"
            for name, p in step.get("save", {}).items():
                saved[name] = at(result, p)
        counters = mock.counters()
        for operation, n in scenario.get("requests", {}).items():
            assert counters.get(operation, 0) == n, f"{path.stem}: requests to {operation}"
