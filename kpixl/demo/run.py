"""The whole quarterly cycle on the bundled seed example, as `kpixl demo DIR` runs it.

1. create the example workspace (Cambridgeshire, CSMI committee) holding only the figures from before
   2023/24 Q2 (the comparison figures the seed prints);
2. write the Q2 collection workbooks, one per service;
3. fill each as its service lead would, through the workbook file: the seed's Q2 figures, commentary and
   actions; a provisional figure gets the dropdown's "Awaiting validation", as a lead in Excel must choose
   from the list (the seed's commentary already says why);
4. collect the returns (validate, archive, store);
5. build the committee report, which opens with its summary and exceptions, and its PDF where LibreOffice is
   installed.

Only the seed's own figures are typed. Where the quarter asks for a figure the seed does not print (the July
row of monthly indicator 221), the lead says so with a reason, never with an invented figure. The seed names
no one who owns a Red indicator's actions, so none is typed: collect raises a query for each, and the
report's exceptions table says "Not given".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from kpixl.demo.fill import fill_return
from kpixl.domain import Figure, FigureStatus, Quarter, Register
from kpixl.errors import KpixlError
from kpixl.intake.history_csv import read_figures_csv
from kpixl.problems import count
from kpixl.register import load_register
from kpixl.report.pdf import convert_to_pdf, find_soffice
from kpixl.steps.collect import collect_paths
from kpixl.steps.create import init_workspace
from kpixl.steps.generate import write_workbooks
from kpixl.steps.report import prepare_report, write_report
from kpixl.steps.workspace import Workspace

if TYPE_CHECKING:
    from kpixl.steps.generate import WrittenWorkbook

__all__ = ["DemoResult", "run_demo", "seed_returns"]

EXAMPLE = "cambridgeshire"
COMMITTEE = "csmi"
PROVISIONAL_CHOICE = "Awaiting validation"
NOT_IN_SEED_REASON = "Other (explain in commentary)"
NOT_IN_SEED_COMMENTARY = ("The seed report prints only the current and previous month for this indicator; "
                          "this month's figure is not in it.")

Step = Callable[[str], None]


@dataclass
class DemoResult:
    workspace: Workspace
    quarter: Quarter
    workbooks: list[Path] = field(default_factory=list)
    returns: list[Path] = field(default_factory=list)
    accepted: int = 0
    refused: int = 0
    queries: int = 0
    report: Path | None = None
    pdf: Path | None = None
    pdf_skipped: str = ""  # why no PDF was made


def seed_returns(workspace: Workspace, register: Register, quarter: Quarter) -> dict[str, list[Figure]]:
    """Per service, the figures its lead types for the quarter: the example's, as a lead can enter them."""

    figures, problems = read_figures_csv(workspace.path("history") / "figures.csv", register)
    if problems:
        raise KpixlError(f"The example's figures have problems: {problems[0]}")
    typed = {(f.indicator, f.period.slug): _as_typed(f) for f in figures if f.period.quarter() == quarter}
    by_service: dict[str, list[Figure]] = {}
    for indicator in register.indicators:
        for period in indicator.periods_in(quarter):
            figure = typed.get((indicator.id, period.slug)) or Figure(
                indicator.id, period, None, FigureStatus.NOT_AVAILABLE, NOT_IN_SEED_REASON, NOT_IN_SEED_COMMENTARY)
            by_service.setdefault(indicator.service, []).append(figure)
    return by_service


def _as_typed(figure: Figure) -> Figure:
    """The reason column is a dropdown: a provisional figure's lead picks 'Awaiting validation'."""
    if figure.status is FigureStatus.PROVISIONAL:
        return replace(figure, reason=PROVISIONAL_CHOICE)
    return figure


def _fill(workspace: Workspace, register: Register, quarter: Quarter, workbooks: list[WrittenWorkbook],
          step: Step) -> list[Path]:

    folder = workspace.path("returns") / quarter.slug
    folder.mkdir(parents=True, exist_ok=True)
    figures = seed_returns(workspace, register, quarter)
    filled = []
    for written in workbooks:
        mine = figures.get(written.service, [])
        filled.append(fill_return(written.path, mine, folder / written.path.name))
        step(f"  {written.service_name}: {count(len(mine), 'figure')} typed into {written.path.name}")
    return filled


def _pdf(result: DemoResult, step: Step) -> None:

    if result.report is None:
        return
    if find_soffice() is None:
        result.pdf_skipped = "LibreOffice is not installed (apt-get install libreoffice-writer), so no PDF"
        step(result.pdf_skipped)
        return
    result.pdf = convert_to_pdf(result.report)
    step(f"Converted the report to {result.pdf}")


def run_demo(target: Path, step: Step = lambda text: None, pdf: bool = True) -> DemoResult:
    """Run the whole cycle in a new workspace at target; step(text) is told what happens as it happens."""

    workspace = init_workspace(target, EXAMPLE, include_current=False)
    quarter = workspace.period_or_default(None)
    result = DemoResult(workspace, quarter)
    step(f"Created the example workspace {workspace.root} ({workspace.config.council}), with the figures "
         f"reported before {quarter}")
    register = load_register(workspace.register_path).register
    written = write_workbooks(workspace, quarter)
    result.workbooks = [w.path for w in written]
    step(f"Wrote {len(written)} collection workbooks for {quarter} in {result.workbooks[0].parent}")
    step("Service leads fill in their workbooks with the seed report's figures, commentary and actions:")
    result.returns = _fill(workspace, register, quarter, written, step)
    collected = collect_paths(workspace, result.returns)
    result.accepted = sum(r.accepted for r in collected)
    result.refused = len(collected) - result.accepted
    result.queries = sum(1 for r in collected for p in r.report if p.severity.value == "query")
    step(f"Collected {count(len(collected), 'return')}: {result.accepted} accepted, {result.refused} refused, "
         f"{count(result.queries, 'query')} for the team to review")
    prepared = prepare_report(workspace, quarter, COMMITTEE)
    result.report = write_report(workspace, prepared)
    step(f"Built the committee report {result.report}")
    if prepared.model.summary_section is not None:
        step(f"It opens with its summary and exceptions: {prepared.model.summary_section.attention}")
    if pdf:
        _pdf(result, step)
    return result
