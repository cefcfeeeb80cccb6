"""Shared fixtures: the seed example workspace, created fresh for each test that asks for it; and the
hypothesis profile every run uses.

Property tests run with a fixed seed (derandomize: the examples follow from each test's own code), no example
database and no deadline, so two runs, here or in CI, try the same examples and give the same result. A
failure prints the blob that reproduces it (@reproduce_failure). A test that writes files sets a small
max_examples of its own (the fixed seed buys its coverage once, not every run). To hunt for new bugs with
random examples instead, run `.venv/bin/python -m pytest -p no:cacheprovider tests --hypothesis-profile=explore`
a few times (never in CI), and pin what it finds with @example.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from kpixl.register import load_register
from kpixl.steps.create import init_workspace
from kpixl.steps.workspace import Workspace

settings.register_profile("fixed-seed", derandomize=True, database=None, print_blob=True, deadline=None)
settings.register_profile("explore", parent=settings.get_profile("fixed-seed"), derandomize=False,
                          max_examples=1000)
settings.load_profile("fixed-seed")


@pytest.fixture
def example_ws(tmp_path: Path) -> Workspace:
    """A workspace holding the seed example (Cambridgeshire, CSMI committee, 2023/24 Q2)."""
    return init_workspace(tmp_path / "ws", "cambridgeshire")


@pytest.fixture
def calculated_ws(example_ws: Workspace) -> Workspace:
    """The example with 220 (deaths registered within 5 days) calculated from its two counts."""
    path = example_ws.register_path
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('  - id: "220"\n', '  - id: "220"\n    numerator: Deaths registered within 5 days\n'
                                                    '    denominator: Deaths registered\n'), encoding="utf-8")
    assert load_register(path).report.valid
    return example_ws


def require_tool(name: str) -> str:
    """The path of an external tool, or skip; in CI (env CI set) a missing tool fails instead of skipping."""
    path = shutil.which(name)
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail(f"{name} is required in CI but is not installed: .ci/run must install it")
    pytest.skip(f"{name} is not installed")


def require_module(name: str) -> None:
    """Skip unless a Python module is installed (as `pip install -e '.[test]'` installs it); in CI (env CI set)
    a missing module fails instead of skipping."""
    if importlib.util.find_spec(name) is not None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{name} is required in CI but is not installed: the test extra of pyproject.toml lists it")
    pytest.skip(f"{name} is not installed (pip install -e '.[test]')")
