"""The indicators of a quarter with their RAG and change, and each one's year-end forecast where its year to date
is known (docs/insight.md): what `kpixl indicators` prints and scripts call."""

from __future__ import annotations

from dataclasses import dataclass, field

from kpixl.domain import Headline, Quarter, assess
from kpixl.domain.outlook import Forecast, count_forecast_to_meet, forecast
from kpixl.problems import Report
from kpixl.register import load_register
from kpixl.steps.workspace import Workspace, find_committee

__all__ = ["Overview", "load_overview"]


@dataclass
class Overview:
    quarter: Quarter
    headlines: list[Headline]
    report: Report = field(default_factory=Report)
    forecasts: dict[str, Forecast | None] = field(default_factory=dict)  # by indicator id; None: no year to date

    @property
    def forecast_to_meet(self) -> int:
        """How many indicators are forecast to meet their annual target."""
        return count_forecast_to_meet(self.forecasts.values())


def load_overview(workspace: Workspace, quarter: Quarter, committee: str | None = None) -> Overview:
    loaded = load_register(workspace.register_path)
    register, report = loaded.register, loaded.report
    indicators = register.indicators  # in the register's order, as the council wrote it
    if committee:
        indicators = register.indicators_of_committee(find_committee(register, committee).id)
    figures = workspace.current_figures([i.id for i in indicators] if committee else None)
    tolerances = workspace.config.tolerances
    headlines = [assess(i, quarter, figures, tolerances) for i in indicators]
    forecasts = {i.id: forecast(i, quarter, figures, tolerances) for i in indicators}
    return Overview(quarter, headlines, report, forecasts)
