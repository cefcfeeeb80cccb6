"""The indicators of a quarter with their RAG and change: what `kpixl indicators` prints and scripts call."""

from __future__ import annotations

from dataclasses import dataclass, field

from .domain import Figure, Headline, Quarter, Register, assess, indicator_sort_key
from .errors import WorkspaceError
from .intake.figures_csv import read_figures_csv
from .problems import Report
from .register import load_register
from .workspace import Workspace

__all__ = ["Overview", "load_overview", "load_figures"]


@dataclass
class Overview:
    quarter: Quarter
    headlines: list[Headline]
    report: Report = field(default_factory=Report)


def load_figures(workspace: Workspace, register: Register, report: Report) -> dict[tuple[str, str], Figure]:
    """Every figure the workspace holds, keyed by (indicator, period slug); a later file wins."""
    figures: dict[tuple[str, str], Figure] = {}
    for path in sorted(workspace.path("history").glob("*.csv")):
        found, problems = read_figures_csv(path, register)
        report.extend(problems)
        figures.update({(f.indicator, f.period.slug): f for f in found})
    return figures


def load_overview(workspace: Workspace, quarter: Quarter, committee: str | None = None) -> Overview:
    loaded = load_register(workspace.register_path)
    register, report = loaded.register, loaded.report
    indicators = tuple(sorted(register.indicators, key=lambda i: indicator_sort_key(i.id)))
    if committee:
        found = register.committee(committee)
        if found is None:
            names = ", ".join(f"{c.id} ({c.name})" for c in register.committees) or "none"
            raise WorkspaceError(f"No committee '{committee}' in the register. Committees: {names}")
        indicators = register.indicators_of_committee(found.id)
    figures = load_figures(workspace, register, report)
    headlines = [assess(i, quarter, figures, workspace.config.tolerances) for i in indicators]
    return Overview(quarter, headlines, report)
