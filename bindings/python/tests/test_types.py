"""The stubs and annotations hold: mypy --strict passes the example and catches mistakes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def mypy(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(path)],
        capture_output=True,
        text=True,
        cwd=HERE.parent,
    )


def test_the_typed_example_passes_strict_mypy() -> None:
    result = mypy(HERE.parent / "examples" / "typed_example.py")
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_misspelt_argument_and_a_wrong_enum_fail() -> None:
    result = mypy(HERE / "typing" / "misspelt.py")
    assert result.returncode == 1, result.stdout
    assert 'Unexpected keyword argument "budgett"' in result.stdout
    assert "Reckless" in result.stdout and 'Argument "execution_strategy"' in result.stdout
    assert "Literal['2h']" in result.stdout, "intervals are a Literal everywhere"
    assert 'Unexpected keyword argument "timeot"' in result.stdout, "per-call options are typed keywords"
    assert '"RawResponse", variable has type "int"' in result.stdout, "with_raw_response is typed"
    assert 'expression has type "Client", variable has type "AsyncClient"' in result.stdout, "with_options too"


def test_the_typed_example_runs() -> None:
    result = subprocess.run(
        [sys.executable, str(HERE.parent / "examples" / "typed_example.py")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "last close" in result.stdout and "closed 2 of 2 position(s)" in result.stdout


def test_the_native_stub_matches_the_extension_module() -> None:
    """stubtest imports the built module and holds `_native.pyi` to it: every class, function,
    parameter and default the Rust side has, the stub says, and nothing more."""
    result = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "--ignore-disjoint-bases", "alura._native"],
        capture_output=True,
        text=True,
        cwd=HERE.parent.parent.parent,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_client_options_in_the_constructor_are_the_cores_list() -> None:
    """The constructor and ``ClientOptions`` are generated from the core's list: a config dict
    of options builds a client, and the signature names each one."""
    import inspect

    import alura
    from alura._generated.options import CLIENT_OPTIONS

    parameters = inspect.signature(alura.Client.__init__).parameters
    assert [p for p in CLIENT_OPTIONS if p not in parameters] == []
    assert set(alura.ClientOptions.__annotations__) == set(CLIENT_OPTIONS)
    options: alura.ClientOptions = {"base_url": "http://127.0.0.1:9", "max_retries": 0, "timeout": 1.5}
    client = alura.Client(**options)
    assert client.base_url == "http://127.0.0.1:9"
    import pytest

    with pytest.raises(alura.ValidationError, match="max_retries must be a whole number"):
        alura.Client(base_url="http://127.0.0.1:9", max_retries=-1)
