"""ruff and mypy, run by the test suite so that CI (the README's test command) holds the code to them: the
configuration is in pyproject.toml ([tool.ruff], [tool.mypy]), and the test extra installs both."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import require_module

ROOT = Path(__file__).resolve().parent.parent
CHECKS = {
    "ruff": ("ruff", "check", "kpixl", "benchmarks", "tests"),
    "mypy": ("mypy", "kpixl"),
}


@pytest.mark.parametrize("check", CHECKS)
def test_the_code_is_clean(check: str) -> None:
    module, *args = CHECKS[check]
    require_module(module)
    done = subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True, text=True,
                          check=False, timeout=600)
    if done.returncode != 0:
        pytest.fail(f"python -m {' '.join(CHECKS[check])} reports problems:\n{done.stdout}{done.stderr}",
                    pytrace=False)
