"""The house's rules, held from the code itself (README, Development): every import goes down the layers,
no module imports another in a cycle, each third-party library lives where the layer table says, and a
step's path stays short.

Imports are read from the source, those inside functions included; only imports under `if TYPE_CHECKING:`
(annotations, never run) are left out.
"""

from __future__ import annotations

import ast
import cProfile
import pstats
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import kpixl

PACKAGE = Path(kpixl.__file__).parent

# The layers, lowest first. A module may import its own part and any part of a lower layer; the formats
# (one layer) know nothing of each other.
LAYERS: list[tuple[str, ...]] = [
    ("errors",),
    ("domain",),
    ("crashpoint", "files", "layout", "catalogue", "problems"),
    ("untrusted",),
    ("register", "intake", "workbook", "report", "mail"),
    ("store",),
    ("steps",),
    ("demo",),
    ("cli",),
]
SIDEWAYS_FORBIDDEN = {"register", "intake", "workbook", "report", "mail"}
# Each third-party library -> the only parts that may import it.
LIBRARIES = {
    "openpyxl": {"register", "intake", "demo"},
    "xlsxwriter": {"workbook"},
    "docx": {"report"},
    "lxml": {"report"},
    "pikepdf": {"report"},  # the PDF's chart alt text and metadata, after LibreOffice (report/pdf_tags.py)
    "sqlalchemy": {"store"},
    "olefile": {"mail"},  # Outlook .msg returns (mail/msg.py); BSD, what extract-msg (GPL-3.0) builds on
    "psycopg": set(),  # only through SQLAlchemy
    "yaml": {"register"},
    "rich": {"cli"},
    "typer": {"cli"},
    "defusedxml": set(),  # openpyxl uses it when installed
    "matplotlib": set(),
}
# What the CLI may import of kpixl: the orchestration layer (and the demo built on it), errors, the one
# helper that makes text from files safe to print, itself.
CLI_MAY_IMPORT = {"steps", "demo", "errors", "problems", "cli"}
MAX_MODULES_ON_COLLECT_PATH = 25


def part(module: str) -> str:
    """kpixl.intake.rows -> intake; kpixl.errors -> errors; kpixl -> the package itself."""
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else ""


def layer(module: str) -> int:
    return next(i for i, parts in enumerate(LAYERS) if part(module) in parts)


def module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
    return ".".join(parts)


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node that runs, skipping the bodies of `if TYPE_CHECKING:`."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from (n for child in node.orelse for n in [child, *_runtime_nodes(child)])
            continue
        yield node
        yield from _runtime_nodes(node)


def imports(path: Path) -> set[str]:
    """The modules a file imports at run time, as absolute dotted names (relative imports resolved)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join([*base, node.module] if node.module else base)
            # "from kpixl.store import queries" imports the module kpixl.store.queries, not the package's names
            submodules = {f"{module}.{alias.name}" for alias in node.names if _is_module(f"{module}.{alias.name}")}
            found |= submodules
            if len(submodules) < len(node.names):
                found.add(module)
    return found


def _is_module(dotted: str) -> bool:
    candidate = PACKAGE.parent / Path(*dotted.split("."))
    return candidate.with_suffix(".py").is_file() or (candidate / "__init__.py").is_file()


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def kpixl_edges() -> dict[str, set[str]]:
    known = modules()
    return {name: {m for m in imports(path) if m in known and m != name} for name, path in known.items()}


def test_every_part_of_kpixl_is_in_the_layer_table() -> None:
    tabled = {p for parts in LAYERS for p in parts}
    assert {part(m) for m in modules()} - {""} <= tabled


def test_every_import_goes_down_the_layers_and_no_format_imports_another() -> None:
    wrong = []
    for module, targets in kpixl_edges().items():
        if module == "kpixl":
            continue
        for target in targets:
            if target == "kpixl" or part(target) == part(module):
                continue
            if layer(target) > layer(module) or (layer(target) == layer(module)
                                                 and part(module) in SIDEWAYS_FORBIDDEN):
                wrong.append(f"{module} imports {target}")
    assert wrong == []


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), or a module importing itself."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle_between_modules() -> None:
    edges = {m: {t for t in targets if t != "kpixl"} for m, targets in kpixl_edges().items()}
    assert _cycles(edges) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_each_library_is_imported_only_where_the_layer_table_says() -> None:
    wrong = []
    for module, path in modules().items():
        for name in imports(path):
            top = name.split(".")[0]
            if top in LIBRARIES and part(module) not in LIBRARIES[top]:
                wrong.append(f"{module} imports {name}")
    assert wrong == []


def test_the_domain_imports_only_the_standard_library_and_kpixl_errors() -> None:
    for module, path in modules().items():
        if part(module) != "domain":
            continue
        for name in imports(path):
            top = name.split(".")[0]
            assert top in sys.stdlib_module_names or name == "kpixl.errors" or part(name) == "domain", \
                f"{module} imports {name}"


def test_the_cli_imports_only_the_steps() -> None:
    for module, targets in kpixl_edges().items():
        if part(module) == "cli":
            assert {part(t) for t in targets} <= CLI_MAY_IMPORT, module


def test_intake_knows_nothing_of_the_store_the_archive_or_the_workspace() -> None:
    for module, targets in kpixl_edges().items():
        if part(module) == "intake":
            assert not {part(t) for t in targets} & {"store", "steps"}, module


def test_help_does_not_import_heavy_libraries() -> None:
    """Nor the domain: kpixl --help has 150 ms (issue 6), and the domain's classes take about 15 ms to build."""
    code = ("import sys; from kpixl.cli import app; "
            "heavy = [m for m in ('openpyxl','xlsxwriter','docx','sqlalchemy','rich','yaml','kpixl.domain') "
            "if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_yaml_register_and_a_report_without_pdf_import_neither_openpyxl_nor_pikepdf() -> None:
    """openpyxl is for a register kept as a workbook, pikepdf for the PDF (benchmarks/README.md, "Imports"):
    the report and workbooks steps, with a YAML register loaded, import neither."""
    register = PACKAGE.parent / "examples" / "cambridgeshire-csmi" / "register.yaml"
    code = ("import sys; import kpixl.steps.report, kpixl.steps.generate; from kpixl.register import load_register; "
            f"assert load_register(__import__('pathlib').Path({str(register)!r})).report.valid; "
            "print([m for m in ('openpyxl', 'pikepdf') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def _modules_run(args: list[str]) -> set[str]:
    """The kpixl modules whose functions run during one command, every module imported beforehand so that
    import-time code does not count."""
    import importlib
    import pkgutil

    from typer.main import get_command

    for info in pkgutil.walk_packages(kpixl.__path__, "kpixl."):
        importlib.import_module(info.name)
    from kpixl.cli import app

    command = get_command(app)
    profile = cProfile.Profile()
    profile.enable()
    try:
        command.main(args, standalone_mode=False)
    finally:
        profile.disable()
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    return {Path(file).resolve().relative_to(PACKAGE).as_posix() for (file, _, _) in stats
            if Path(file).resolve().is_relative_to(PACKAGE)}


def test_collecting_one_return_runs_code_in_at_most_25_kpixl_modules(tmp_path: Path) -> None:
    """Reading one step means reading a few modules: the README's Development section lists this path."""
    from support.intake import make_filled

    filled = make_filled(tmp_path)
    one = tmp_path / "one"
    one.mkdir()
    shutil.copy(filled.filled["libraries"], one / "return.xlsx")
    ran = _modules_run(["collect", str(one), "--workspace", str(filled.ws.root), "--json"])
    assert "steps/collect.py" in ran and "store/queries.py" in ran  # the path was followed to the store
    assert len(ran) <= MAX_MODULES_ON_COLLECT_PATH, sorted(ran)


@pytest.mark.parametrize("module", ["kpixl.cli", "kpixl.steps.collect"])
def test_imports_are_read_inside_functions_too(module: str) -> None:
    """The rule sees an import inside a function: the CLI's lazy imports of the steps are edges."""
    edges = kpixl_edges()
    assert edges[module]
