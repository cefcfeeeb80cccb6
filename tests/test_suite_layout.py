"""The test suite's own house rules: tests/test_*.py hold tests, tests/support/ holds what they share (no
tests), and no test module imports from another one or a private name from anywhere in tests/."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
SUPPORT = TESTS / "support"


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


def _defines_tests(path: Path) -> bool:
    return any(isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_")
               for node in ast.walk(_tree(path)))


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every import in a file, those inside functions included."""
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.module, [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
    return found


def test_every_module_in_tests_is_a_test_module_conftest_or_a_helper_in_support() -> None:
    loose = {p.name for p in TESTS.glob("*.py")} - {"conftest.py"}
    assert {name for name in loose if not name.startswith("test_")} == set(), "put helpers in tests/support/"
    assert [p.name for p in TESTS.glob("test_*.py") if not _defines_tests(p)] == [], \
        "a module named test_* holds no test: move it to tests/support/"
    assert [p.name for p in SUPPORT.glob("*.py") if _defines_tests(p)] == [], "tests belong in tests/test_*.py"


def test_no_module_imports_from_a_test_module_or_a_private_name_from_tests() -> None:
    local = {p.stem for p in TESTS.glob("*.py")} | {"support"}
    wrong = []
    for path in sorted([*TESTS.glob("*.py"), *SUPPORT.glob("*.py")]):
        for module, names in _imports(path):
            top = module.split(".")[0]
            if top.startswith("test_"):
                wrong.append(f"{path.name} imports {module}: move what it shares to tests/support/")
            elif top in local and any(name.startswith("_") for name in names):
                wrong.append(f"{path.name} imports a private name from {module}: make it public there")
    assert wrong == []
