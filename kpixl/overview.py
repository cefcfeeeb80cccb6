"""The indicators of a quarter with their RAG and change: what `kpixl indicators` prints and scripts call."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from .domain import Figure, Headline, Quarter, Register, assess, indicator_sort_key
from .errors import WorkspaceError
from .problems import Report
from .register import load_register
from .store.current import current_figures
from .workspace import Workspace

__all__ = ["Overview", "load_figures", "load_overview"]


@dataclass
class Overview:
    quarter: Quarter
    headlines: list[Headline]
    report: Report = field(default_factory=Report)


def load_figures(workspace: Workspace, register: Register, report: Report,
                 indicators: Collection[str] | None = None) -> dict[tuple[str, str], Figure]:
    """The current figures of the workspace's store (of the indicators named: None, all), keyed by
    (indicator, period slug).

    Figures enter the store by `kpixl collect` and `kpixl history import` (which check them), so there is
    nothing left to report here; register and report stay for callers that pass them.
    """
    return current_figures(workspace, indicators)


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
    figures = load_figures(workspace, register, report, [i.id for i in indicators] if committee else None)
    headlines = [assess(i, quarter, figures, workspace.config.tolerances) for i in indicators]
    return Overview(quarter, headlines, report)
