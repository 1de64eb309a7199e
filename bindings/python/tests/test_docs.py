"""Every Python block of the READMEs and docs/, exactly as a reader copies it, run by
pytest-markdown-docs against a fresh simulator per file, with ALURA_BASE_URL and ALURA_PRIVATE_KEY
set as a user's environment would be. A block that is not meant to run is fenced ``python notest``
and starts with a ``# Not run:`` line saying why."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import List, Tuple

import pytest

from alura.testing import MockServer

ROOT = Path(__file__).parents[3]
SOURCES = [ROOT / "README.md", ROOT / "bindings/python/README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(python|py|python3)([^\n]*)\n(.*?)^```", re.M | re.S)


def blocks(path: Path) -> List[Tuple[str, str]]:
    """Each Python block's info string (after the language) and code."""
    return [(m.group(2).strip(), m.group(3)) for m in FENCE.finditer(path.read_text())]


def test_the_docs_have_python_examples_and_each_that_is_not_run_says_why() -> None:
    every = [b for p in SOURCES for b in blocks(p)]
    assert len(every) >= 4, "the Python examples are missing"
    for info, code in every:
        if "notest" in info:
            assert code.startswith("# Not run: "), code


@pytest.mark.parametrize("path", [p for p in SOURCES if blocks(p)], ids=lambda p: str(p.relative_to(ROOT)))
def test_every_python_example_runs_as_written(path: Path, tmp_path: Path) -> None:
    runnable = [code for info, code in blocks(path) if "notest" not in info]
    with MockServer() as mock:
        env = {
            **os.environ,
            "ALURA_BASE_URL": mock.url,
            "ALURA_PRIVATE_KEY": "0x" + secrets.token_hex(32),
            # Token caches and the like go here, not into the user's home.
            "XDG_CACHE_HOME": str(tmp_path),
            "HOME": str(tmp_path),
        }
        env.pop("ALURA_TOKEN", None)
        command = [sys.executable, "-m", "pytest", "--markdown-docs", "-m", "markdown-docs", "-q", "-p", "no:cacheprovider"]
        run = subprocess.run(
            [*command, "--rootdir", str(tmp_path), str(path)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(rf"\b{len(runnable)} passed\b", run.stdout), run.stdout
