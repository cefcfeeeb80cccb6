"""The layering STYLE.md asks for, held by a test: the domain is pure, nothing imports the CLI,
and only the modules that own a heavy library import it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import kpixl

PACKAGE = Path(kpixl.__file__).parent
# Library -> the only subpackages allowed to import it.
OWNERS = {
    "xlsxwriter": ("workbook", "register", "store", "intake", "export.py"),
    "docx": ("report",),
    "sqlalchemy": ("store",),
    "matplotlib": ("report",),
    "typer": ("cli",),
}


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            found.add(base)
    return found


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_domain_imports_only_the_standard_library() -> None:
    for path in (PACKAGE / "domain").glob("*.py"):
        for name in imports(path):
            top = name.split(".")[0]
            assert name.startswith(".") or top in sys.stdlib_module_names, f"{path.name} imports {name}"
            assert not name.startswith(".."), f"{path.name} reaches outside the domain: {name}"


def test_nothing_imports_the_cli() -> None:
    for path in modules():
        if "cli" in path.relative_to(PACKAGE).parts:
            continue
        for name in imports(path):
            assert "cli" not in name.lstrip(".").split("."), f"{path} imports the CLI ({name})"


def test_heavy_libraries_stay_with_their_owners() -> None:
    for path in modules():
        rel = path.relative_to(PACKAGE).parts
        for name in imports(path):
            top = name.split(".")[0]
            if top in OWNERS:
                assert rel[0] in OWNERS[top], f"{'/'.join(rel)} imports {top}"


def test_help_does_not_import_heavy_libraries() -> None:
    code = ("import sys; from kpixl.cli import app; "
            "heavy = [m for m in ('openpyxl','xlsxwriter','docx','sqlalchemy','matplotlib','rich','yaml') "
            "if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
