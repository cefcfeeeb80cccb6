"""One matched row of a return: its figure (or reason for none), texts and revision, with every problem.

The row knows what kpixl printed in it (RowMeta: indicator, period, target, comparison, the period it may
revise); the lead's cells are read by checks.py and become the Figure the store keeps, with the cell it
came from. A figure given with a reason is kept as provisional with that reason (the seed's "validation
delayed" figures); no figure with a reason is "not available", which is not a problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from kpixl.domain import Figure, FigureStatus, Indicator, Period
from kpixl.domain.returns import Provenance, ReceivedFigure
from kpixl.intake.checks import check_actions, check_commentary, check_context, read_figure, read_text
from kpixl.intake.context import IntakeContext, period_of
from kpixl.intake.messages import Where, problem
from kpixl.intake.read_return import SheetRow
from kpixl.layout import ACTIONS_MAX, COMMENTARY_MAX, REASON_MAX, RowMeta
from kpixl.problems import Problem

__all__ = ["RowResult", "check_row"]

_REVISION_HEADER = "Reason for revision"


@dataclass
class RowResult:
    indicator: Indicator
    period: Period
    row: SheetRow
    received: list[ReceivedFigure] = field(default_factory=list)  # the figure, and a revision if any
    problems: list[Problem] = field(default_factory=list)
    value: Decimal | None = None  # this period's usable figure, for the history checks
    commentary: str = ""


def _texts(row: SheetRow, where: Where) -> tuple[dict[str, str], list[Problem]]:
    texts, problems = {}, []
    for key, column, limit in (("reason", "reason", REASON_MAX), ("commentary", "commentary", COMMENTARY_MAX),
                               ("actions", "actions", ACTIONS_MAX),
                               ("revision_reason", "reason for revision", REASON_MAX)):
        texts[key], found = read_text(row.get(key), column, limit, where)
        problems.extend(found)
    return texts, problems


def _missing(ctx: IntakeContext, ind: Indicator, period: Period, reporting: bool, row: SheetRow,
             where: Where) -> list[Problem]:
    cell = row.get("current")
    at = where.at(cell.ref if cell else "")
    if reporting:
        return [problem("FIGURE_MISSING", at, period=str(period), reason_header="Reason if no figure")]
    if (ind.id, period.slug) in ctx.known:  # an earlier month kpixl already has: nothing is lost
        return []
    reported = ind.reporting_period(ctx.quarter)
    return [problem("FIGURE_MISSING_MONTH", at, period=str(period), reporting=str(reported))]


def _revision(ctx: IntakeContext, ind: Indicator, meta: RowMeta, row: SheetRow, reason: str,
              where: Where, provenance: Provenance) -> tuple[list[ReceivedFigure], list[Problem]]:
    """The revised figure of the earlier period, kept beside the earlier one (never over it)."""
    reading = read_figure(row.get("revised"), ind, where)
    reason_cell = row.get("revision_reason")
    earlier = period_of(meta.revise_period)
    if reading.blank:
        if reason and earlier is not None:
            return [], [problem("REVISION_NO_FIGURE", where.at(reason_cell.ref if reason_cell else ""),
                                period=str(earlier))]
        return [], []
    if reading.value is None or not reading.ok or earlier is None:
        return [], reading.problems
    if not reason:
        cell = reason_cell.ref if reason_cell else row.get("revised").ref  # type: ignore[union-attr]
        return [], reading.problems + [problem("REVISION_NO_REASON", where.at(cell), period=str(earlier),
                                               header=_REVISION_HEADER)]
    known = ctx.known.get((ind.id, earlier.slug))
    if known is not None and known.usable == reading.value:
        return [], reading.problems  # the same figure again: nothing is revised
    figure = Figure(ind.id, earlier, reading.value, FigureStatus.VALIDATED, "",
                    known.commentary if known else "", known.actions if known else "")
    target = ind.target_for(earlier)
    cell = row.get("revised")
    at = Provenance(provenance.file_hash, provenance.file_name, provenance.sheet, cell.ref if cell else "")
    return [ReceivedFigure(figure, at, "" if target is None else str(target), reason)], reading.problems


def check_row(ctx: IntakeContext, ind: Indicator, period: Period, meta: RowMeta, row: SheetRow, where: Where,
              provenance: Provenance) -> RowResult:
    """Read and check one row; the history checks come later, once every row's figure is known."""
    where = where.at(indicator=ind.id)
    result = RowResult(ind, period, row)
    reporting = ind.reporting_period(ctx.quarter) == period
    texts, text_problems = _texts(row, where)
    result.commentary = texts["commentary"]
    target = Decimal(meta.target) if meta.target else None
    problems = (check_context(row.get("target"), meta.target, "target", ind, where)
                + check_context(row.get("comparison"), meta.comparison, "comparison figure", ind, where))
    reading = read_figure(row.get("current"), ind, where, reason_given=bool(texts["reason"]))
    problems += reading.problems + text_problems
    if reading.blank and not texts["reason"]:
        problems += _missing(ctx, ind, period, reporting, row, where)
    if reporting:
        problems += check_commentary(texts["commentary"], row.get("commentary"), str(period), where)
    problems += check_actions(ind, reading.value, target, texts["actions"], row.get("actions"),
                              ctx.tolerances, where)
    cell = row.get("current")
    here = Provenance(provenance.file_hash, provenance.file_name, provenance.sheet, cell.ref if cell else "")
    if reading.ok and (reading.value is not None or texts["reason"]):
        status = (FigureStatus.NOT_AVAILABLE if reading.value is None
                  else FigureStatus.PROVISIONAL if texts["reason"] else FigureStatus.VALIDATED)
        figure = Figure(ind.id, period, reading.value, status, texts["reason"], texts["commentary"],
                        texts["actions"])
        result.received.append(ReceivedFigure(figure, here, meta.target))
        result.value = reading.value
    revisions, revision_problems = _revision(ctx, ind, meta, row, texts["revision_reason"], where, here)
    result.received = revisions + result.received  # the row's own figure last: it wins over a revision
    result.problems = problems + revision_problems
    return result
