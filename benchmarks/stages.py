"""kpixl's stages as the benchmark calls them, each through kpixl's public API.

A stage whose API has not landed yet raises StageMissing (the harness reports it as "not available yet"
instead of crashing). Nothing here re-implements kpixl: each function is one call into it, plus the
bookkeeping the benchmark needs (which files came out).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from kpixl.domain import Figure, Quarter, Register
from kpixl.steps.workspace import Workspace

__all__ = ["StageMissing", "api", "build_reports", "collect_returns", "fill_returns", "import_history_files",
           "load_register", "write_workbooks"]


class StageMissing(RuntimeError):
    """A stage's API is not in kpixl yet."""


def api(module: str, name: str) -> Callable[..., Any]:
    """kpixl's function module.name, or StageMissing saying which one is absent."""
    try:
        found = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise StageMissing(f"{module}.{name} is not available yet ({exc.__class__.__name__}: {exc})") from None
    return found  # type: ignore[no-any-return]


def load_register(workspace: Workspace) -> Register:
    from kpixl.register import load_register as load

    loaded = load(workspace.register_path)
    if not loaded.report.valid:
        problems = "; ".join(str(p) for p in list(loaded.report)[:5])
        raise RuntimeError(f"The synthetic register has problems: {problems}")
    return loaded.register


def import_history_files(workspace: Workspace, paths: Iterable[Path]) -> bool:
    """Import the history into the store (kpixl history import); False when kpixl has no import yet."""
    try:
        import_history = api("kpixl.steps.history", "import_history")
    except StageMissing:
        return False
    for path in paths:
        result = import_history(workspace, path)
        if not result.report.valid:
            problems = "; ".join(str(p) for p in list(result.report)[:5])
            raise RuntimeError(f"kpixl refused the synthetic history {path.name}: {problems}")
    return True


def write_workbooks(workspace: Workspace, quarter: Quarter, out: Path) -> dict[str, Path]:
    """The 50 collection workbooks (kpixl.workbook.write_workbooks): the file written for each service id."""
    write = api("kpixl.steps.generate", "write_workbooks")
    out.mkdir(parents=True, exist_ok=True)
    written = write(workspace, quarter, out=out)
    paths = {w.service: Path(w.path) for w in written}
    if not paths or not all(p.is_file() for p in paths.values()):
        raise RuntimeError(f"kpixl.workbook.write_workbooks wrote no workbooks into {out}")
    return paths


def fill_returns(workbooks: Mapping[str, Path], figures: Mapping[str, Sequence[Figure]], out: Path) -> list[Path]:
    """Each service's workbook filled in with its figures as its lead would (kpixl.demo.fill.fill_return),
    saved into out under the same name."""
    fill = api("kpixl.demo.fill", "fill_return")
    out.mkdir(parents=True, exist_ok=True)
    returned = []
    for service, workbook in sorted(workbooks.items()):
        target = out / workbook.name
        fill(workbook, list(figures.get(service, ())), out=target)
        returned.append(target)
    return returned


def collect_returns(workspace: Workspace, paths: Sequence[Path]) -> Any:
    """Validate and store the returns (kpixl.steps.collect.collect_paths)."""
    collect = api("kpixl.steps.collect", "collect_paths")
    return collect(workspace, list(paths))


def build_reports(workspace: Workspace, quarter: Quarter, committees: Sequence[str], out: Path) -> list[Path]:
    """Every committee's report from one load (kpixl.report.prepare_reports, as `kpixl report --committee
    all` does), each written into out; the files written."""
    prepare, write = api("kpixl.steps.report", "prepare_reports"), api("kpixl.steps.report", "write_report")
    out.mkdir(parents=True, exist_ok=True)
    for prepared in prepare(workspace, quarter, committees):
        write(workspace, prepared, out / f"{prepared.committee.id}.docx")
    paths = sorted(out.glob("*.docx"))
    if len(paths) < len(committees):
        raise RuntimeError(f"kpixl.report.prepare_reports wrote {len(paths)} .docx for {len(committees)} committees")
    return paths
