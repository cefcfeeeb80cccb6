"""build_report(): a committee's report for a quarter, from the workspace to a .docx file; build_reports():
every committee's (or those named), from one load of the register and the figures.

A report is a draft unless final is asked for: the draft says DRAFT and lists what is outstanding; the final
paper is built only when the committee's services are complete and signed off and no query is waiting
(steps.readiness), and its cover records the sign-offs and the director's approval. The report prints
the team's approved commentary edits in place of the lead's (steps.review). Each build is logged
(report-built). docs/review.md.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from kpixl.domain import Committee, Figure, Quarter, Register, parse_period
from kpixl.domain.outlook import forecast
from kpixl.domain.review import REPORT_BUILT
from kpixl.errors import NotReady, ReportError
from kpixl.files import safe_child, safe_stem
from kpixl.problems import count
from kpixl.report.html import render_html
from kpixl.report.model import ReportModel, Standing, build_model, by_service, long_date
from kpixl.report.pdf import convert_to_pdf
from kpixl.report.render_docx import render
from kpixl.steps.comparators import benchmarks_for
from kpixl.steps.readiness import Readiness, not_ready, quarter_state, readiness
from kpixl.steps.review import approved_commentary
from kpixl.steps.workspace import Workspace, bundled_path, find_committee

Figures = dict[tuple[str, str], Figure]  # (indicator, period slug) -> figure, as the store gives them

__all__ = ["PreparedReport", "build_report", "build_reports", "default_output", "prepare_report",
           "prepare_reports", "reference_document", "write_html", "write_pdf", "write_report"]


@dataclass
class PreparedReport:
    model: ReportModel
    committee: Committee
    quarter: Quarter
    readiness: Readiness | None = None  # what the final paper waits for, and its sign-offs and approval

    @property
    def final(self) -> bool:
        return self.model.standing is not None and self.model.standing.final

    @property
    def incomplete(self) -> str:
        """The warning for a report built before every figure came in ("" when none is missing). A warning,
        not a failure: a report may go out incomplete, and its cover and pages say so."""
        missing = self.model.outstanding
        if not missing:
            return ""
        return (f"The {self.committee.name} report for {self.quarter} is incomplete: no figure yet for "
                f"{count(len(missing), 'indicator')} of {len(self.model.pages)}, from {by_service(missing)}. "
                "Its cover and those pages say so. Run 'kpixl status' to see whom to chase, and build the "
                "report again when the returns are in.")


@dataclass(frozen=True)
class _Review:
    """What the store says of a committee's paper beyond its figures: review and sign-off."""

    readiness: Readiness
    commentary: dict[str, str]  # approved commentary edits, by indicator


def _quarter(value: Quarter | str) -> Quarter:
    period = parse_period(value) if isinstance(value, str) else value
    return period if isinstance(period, Quarter) else period.quarter()


def _load(workspace: Workspace, committees: Sequence[str | None] | None, quarter: Quarter
          ) -> tuple[Register, list[Committee], Figures, dict[str, _Review]]:
    """The register, the committees named (None: every one; [None]: the register's only one), the current
    figures of their indicators, and each committee's review and sign-off: a register with errors stops here,
    before any file is written. Loaded once however many committees' reports are built from them (the load is
    most of a report's cost). Every committee is looked up before the figures are read, so a wrong name stops
    the run at once. The figures come from the store, where only accepted returns put them."""
    register = workspace.valid_register()
    found = list(register.committees) if committees is None else [find_committee(register, c) for c in committees]
    # Only the figures the reports show: one committee's report reads its own indicators, not the council's.
    wanted = None if committees is None else {i.id for c in found for i in register.indicators_of_committee(c.id)}
    with workspace.open_store() as store:
        figures = store.current_figures(wanted)
        state = quarter_state(store, quarter, figures)  # read once, for every committee
    edits = approved_commentary(state.annotations)
    review = {c.id: _Review(readiness(state, register, c, quarter, figures), edits) for c in found}
    return register, found, figures, review


def _standing(ready: Readiness, final: bool) -> Standing:
    """What the paper says of itself: a draft lists what is outstanding; the final paper, who signed it off."""
    if not final:
        return Standing(False, ready.blocking + ready.notes)
    signed = tuple(f"{service.name}: {s.by}{', ' + s.role if s.role else ''}, {long_date(s.at.date())}"
                   for service, s in ready.signed_off)
    approval = ready.approval
    approved = ""
    if approval is not None:
        role = str(approval.detail.get("role", ""))
        approved = f"Approved by {approval.actor}{', ' + role + ',' if role else ''} on {long_date(approval.at.date())}"
    return Standing(True, (), signed, approved)


def _insight(workspace: Workspace, register: Register, figures: Figures, found: Committee,
             when: Quarter) -> dict[str, Any]:
    """Issue 17's inputs to a committee's report (docs/insight.md): each indicator's rank among the group
    (from imported comparators; none without [comparators]), its year-end forecast, and the director's
    comments on this quarter's exceptions ([director_comments] in kpixl.toml, by indicator id in any case)."""
    indicators = register.indicators_of_committee(found.id)
    tolerances = workspace.config.tolerances
    comments = {}
    for ident, text in workspace.config.director_comments.get(when.slug, {}).items():
        indicator = register.indicator(ident)
        if indicator is not None:
            comments[indicator.id] = text
    return {"benchmarks": benchmarks_for(workspace, indicators, when, figures),
            "forecasts": {i.id: forecast(i, when, figures, tolerances) for i in indicators},
            "comments": comments}


def _prepare(workspace: Workspace, register: Register, figures: Figures, found: Committee, when: Quarter,
             produced_on: date | None, review: _Review | None = None, final: bool = False) -> PreparedReport:
    config = workspace.config
    model = build_model(register, found, when, figures, council=config.council, team=config.team,
                        produced_on=produced_on or config.produced_on or date.today(),
                        tolerances=config.tolerances, show_both_comparisons=config.show_both_comparisons,
                        axis_rule=config.axis_rule,
                        standing=_standing(review.readiness, final) if review else None,
                        commentary=review.commentary if review else None,
                        **_insight(workspace, register, figures, found, when))
    return PreparedReport(model, found, when, review.readiness if review else None)


def _final_gate(found: list[Committee], review: dict[str, _Review]) -> None:
    """NotReady, listing what each committee's final paper waits for, unless every one is ready."""
    waiting = [review[c.id].readiness for c in found if not review[c.id].readiness.ready]
    if len(waiting) == 1:
        raise not_ready(waiting[0])
    if waiting:
        lines = tuple(f"{r.committee.name}: {line}" for r in waiting for line in r.blocking)
        listed = "\n".join(f"  - {line}" for line in lines)
        raise NotReady(f"{len(waiting)} committees' papers for {waiting[0].quarter} cannot be final yet:\n{listed}",
                       lines)


def prepare_report(workspace: Workspace, quarter: Quarter | str, committee: str | None,
                   produced_on: date | None = None, final: bool = False) -> PreparedReport:
    """The report's content, a draft unless final: a register with errors stops here, before any file is
    written, and so does a final paper that is not ready (NotReady, listing what it waits for)."""
    when = _quarter(quarter)
    register, found, figures, review = _load(workspace, [committee], when)
    if final:
        _final_gate(found, review)
    return _prepare(workspace, register, figures, found[0], when, produced_on, review[found[0].id], final)


def prepare_reports(workspace: Workspace, quarter: Quarter | str, committees: Sequence[str] | None = None,
                    produced_on: date | None = None, final: bool = False) -> Iterator[PreparedReport]:
    """Each committee's report content (committees=None: every committee in the register), from one load
    of the register and the figures. Every committee is looked up (and, for final papers, found ready) before
    the first is prepared, so a wrong name stops the run before any file is written."""
    when = _quarter(quarter)
    register, found, figures, review = _load(workspace, committees, when)
    if final:
        _final_gate(found, review)
    for committee in found:
        yield _prepare(workspace, register, figures, committee, when, produced_on, review[committee.id], final)


def reference_document(workspace: Workspace) -> Path:
    """The council's reference .docx ([report] reference_docx, relative to the workspace), else kpixl's."""
    if not workspace.config.report_reference:
        return bundled_path("workbook_templates") / "reference.docx"
    path = workspace.root / workspace.config.report_reference
    if not path.is_file():
        raise ReportError(f"The reference document {path} named in kpixl.toml ([report] reference_docx) "
                          "does not exist. Correct the path, or set reference_docx = \"\" to use kpixl's.")
    return path


def default_output(workspace: Workspace, committee: Committee, quarter: Quarter) -> Path:
    """reports/<committee id>_<quarter slug>.docx, e.g. reports/csmi_2023-24-Q2.docx. The id comes from
    the register: one that is not a safe file name ("../minutes") is made one, inside reports/."""

    name = f"{safe_stem(committee.id, 'committee')}_{quarter.slug}.docx"
    return safe_child(workspace.path("reports"), name)


def write_report(workspace: Workspace, prepared: PreparedReport, out: Path | None = None) -> Path:
    """Write a prepared report as .docx (default: reports/<committee>_<quarter>.docx), log it (report-built,
    draft or final) and return its path."""

    target = out or default_output(workspace, prepared.committee, prepared.quarter)
    path = render(prepared.model, reference_document(workspace), target)
    with workspace.open_store() as store:
        store.add_event(REPORT_BUILT, actor=store.actor, period=prepared.quarter.slug, detail={
            "committee": prepared.committee.id, "final": prepared.final, "file": path.name,
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest()})
    return path


def build_reports(workspace: Workspace, quarter: Quarter | str, committees: Sequence[str] | None = None,
                  produced_on: date | None = None, pdf: bool = False, final: bool = False) -> list[Path]:
    """Build several committees' reports (None: all) from one load, each to its default path
    (reports/<committee>_<quarter>.docx), and a PDF beside each when pdf; return the .docx written."""

    paths = []
    for prepared in prepare_reports(workspace, quarter, committees, produced_on, final):
        paths.append(write_report(workspace, prepared))
        if pdf:
            convert_to_pdf(paths[-1])
    return paths


def build_report(workspace: Workspace, quarter: Quarter | str, committee: str | None,
                 produced_on: date | None = None, out: Path | None = None, final: bool = False) -> Path:
    """Build the committee's performance report for the quarter (a draft, unless final) and return the .docx
    written."""
    return write_report(workspace, prepare_report(workspace, quarter, committee, produced_on, final), out)


def write_html(prepared: PreparedReport, docx: Path) -> Path:
    """The report's HTML edition beside its .docx (same name, .html): one self-contained accessible page."""
    return render_html(prepared.model, docx.with_suffix(".html"))


def write_pdf(docx: Path) -> Path:
    """The report's PDF beside it, converted by LibreOffice; ReportError when it cannot be."""
    return convert_to_pdf(docx)
