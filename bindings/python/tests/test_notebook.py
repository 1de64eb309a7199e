"""The example notebook runs, headless, from top to bottom."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK = Path(__file__).parent.parent / "examples" / "quickstart.ipynb"


def test_the_quickstart_notebook_executes() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    outputs = "".join(
        o.get("text", "") for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])
    )
    assert "closed 1 position(s)" in outputs
    assert "refused before sending: invalid input: create_trading_session(): budget must not be less than 10" in outputs
    images = [o for cell in notebook.cells for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
    assert images, "the plot cell draws a chart"


def test_the_notebook_extra_installs_what_the_notebook_imports() -> None:
    import re
    import sys

    if sys.version_info < (3, 11):
        pytest.skip("tomllib is 3.11+")
    import tomllib

    extras = tomllib.loads((NOTEBOOK.parents[1] / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    wanted = {re.split(r"[<>=\[ ]", r)[0] for r in extras["notebook"]}
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    imported = set(re.findall(r"^(?:import|from) (\w+)", code, re.M)) - set(sys.stdlib_module_names) - {"alura"}
    # candles_df imports pandas for the notebook.
    assert imported | {"pandas"} <= wanted, f"pip install 'alura[notebook]' misses {imported | {'pandas'} - wanted}"
