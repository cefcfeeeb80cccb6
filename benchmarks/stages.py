"""kpixl's stages as the benchmark calls them, each through kpixl.steps (the layer the CLI calls).

Nothing here re-implements kpixl: each function is one call into it, plus the bookkeeping the benchmark
needs (which files came out).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from kpixl.demo.fill import fill_return
from kpixl.domain import Figure, Quarter, Register
from kpixl.register import load_register as read_register
from kpixl.steps.collect import collect_paths
from kpixl.steps.generate import write_workbooks as generate_workbooks
from kpixl.steps.history import import_history
from kpixl.steps.report import prepare_reports, write_report
from kpixl.steps.workspace import Workspace

__all__ = ["build_reports", "collect_returns", "fill_returns", "import_history_files", "load_register",
           "write_workbooks"]


def load_register(workspace: Workspace) -> Register:
    loaded = read_register(workspace.register_path)
    if not loaded.report.valid:
        problems = "; ".join(str(p) for p in list(loaded.report)[:5])
        raise RuntimeError(f"The synthetic register has problems: {problems}")
    return loaded.register


def import_history_files(workspace: Workspace, paths: Iterable[Path]) -> None:
    """Import the history into the store (kpixl history import)."""
    for path in paths:
        result = import_history(workspace, path)
        if not result.report.valid:
            problems = "; ".join(str(p) for p in list(result.report)[:5])
            raise RuntimeError(f"kpixl refused the synthetic history {path.name}: {problems}")


def write_workbooks(workspace: Workspace, quarter: Quarter, out: Path) -> dict[str, Path]:
    """The 50 collection workbooks (kpixl.steps.generate.write_workbooks): the file written for each service."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {w.service: Path(w.path) for w in generate_workbooks(workspace, quarter, out=out)}
    if not paths or not all(p.is_file() for p in paths.values()):
        raise RuntimeError(f"kpixl.steps.generate.write_workbooks wrote no workbooks into {out}")
    return paths


def fill_returns(workbooks: Mapping[str, Path], figures: Mapping[str, Sequence[Figure]], out: Path) -> list[Path]:
    """Each service's workbook filled in with its figures as its lead would (kpixl.demo.fill.fill_return),
    saved into out under the same name."""
    out.mkdir(parents=True, exist_ok=True)
    returned = []
    for service, workbook in sorted(workbooks.items()):
        target = out / workbook.name
        fill_return(workbook, list(figures.get(service, ())), out=target)
        returned.append(target)
    return returned


def collect_returns(workspace: Workspace, paths: Sequence[Path]) -> Any:
    """Validate, archive and store the returns (kpixl.steps.collect.collect_paths)."""
    return collect_paths(workspace, list(paths))


def build_reports(workspace: Workspace, quarter: Quarter, committees: Sequence[str], out: Path) -> list[Path]:
    """Every committee's report from one load (kpixl.steps.report.prepare_reports, as `kpixl report
    --committee all` does), each written into out; the files written."""
    out.mkdir(parents=True, exist_ok=True)
    for prepared in prepare_reports(workspace, quarter, committees):
        write_report(workspace, prepared, out / f"{prepared.committee.id}.docx")
    paths = sorted(out.glob("*.docx"))
    if len(paths) < len(committees):
        raise RuntimeError(f"kpixl.steps.report.prepare_reports wrote {len(paths)} .docx for "
                           f"{len(committees)} committees")
    return paths
