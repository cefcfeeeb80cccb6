"""The indicators of a quarter with their RAG and change: what `kpixl indicators` prints and scripts call."""

from __future__ import annotations

from dataclasses import dataclass, field

from kpixl.domain import Headline, Quarter, assess
from kpixl.problems import Report
from kpixl.register import load_register
from kpixl.steps.workspace import Workspace, find_committee

__all__ = ["Overview", "load_overview"]


@dataclass
class Overview:
    quarter: Quarter
    headlines: list[Headline]
    report: Report = field(default_factory=Report)


def load_overview(workspace: Workspace, quarter: Quarter, committee: str | None = None) -> Overview:
    loaded = load_register(workspace.register_path)
    register, report = loaded.register, loaded.report
    indicators = register.indicators  # in the register's order, as the council wrote it
    if committee:
        indicators = register.indicators_of_committee(find_committee(register, committee).id)
    figures = workspace.current_figures([i.id for i in indicators] if committee else None)
    headlines = [assess(i, quarter, figures, workspace.config.tolerances) for i in indicators]
    return Overview(quarter, headlines, report)
