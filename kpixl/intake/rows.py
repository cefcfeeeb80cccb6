"""The Return sheet's rows: each matched to the row kpixl wrote, by indicator number and period, never by
position (leads delete, duplicate, paste over and re-sort rows), then checked: its figure (or reason for
none), texts and revision, with every problem.

Each row found is paired with what kpixl printed in it (its RowMeta: indicator, period, target, comparison,
the period it may revise); what is missing, doubled or foreign is a problem at its row. The lead's cells are
read by rules.py and become the Figure the store keeps, with its provenance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from kpixl.domain import Figure, FigureStatus, Indicator, Period, Quarter, Service
from kpixl.domain.figures import Provenance, ReceivedFigure
from kpixl.intake.book import SheetRow
from kpixl.intake.rules import (
    IntakeContext,
    check_actions,
    check_commentary,
    check_context,
    check_texts,
    period_of,
    read_figure,
    read_text,
)
from kpixl.layout.returns import (
    ACTIONS_MAX,
    COMMENTARY_MAX,
    INPUT_KEYS,
    REASON_MAX,
    RETURN_COLUMNS,
    RowMeta,
    context_texts,
)
from kpixl.problems import Problem, Where, problem, shown

__all__ = ["Matched", "RowResult", "check_row", "match_rows"]

_INDICATOR_HEADER = "Indicator"


@dataclass(frozen=True)
class Matched:
    meta: RowMeta  # what kpixl wrote for this indicator and period
    row: SheetRow  # where the lead's entries are now


def _period_text(slug: str) -> str:
    found = period_of(slug)
    return str(found) if found else slug


def _candidate(row: SheetRow, candidates: list[RowMeta]) -> RowMeta | None:
    """The expected row this sheet row is: its period cell decides, or it is the indicator's only one."""
    text = row.text("period")
    period = period_of(text)
    if period is not None:
        return next((c for c in candidates if c.period == period.slug), None)
    return candidates[0] if len(candidates) == 1 else None


def _has_entries(row: SheetRow) -> bool:
    return any(not cell.blank for key, cell in row.cells.items() if key in INPUT_KEYS)


def match_rows(rows: Sequence[SheetRow], expected: Sequence[RowMeta], where: Where, service: Service,
               quarter: Quarter) -> tuple[list[Matched], list[Problem]]:
    """Pair sheet rows with expected rows; problems for missing, duplicated, unknown and re-ordered rows."""
    by_indicator: dict[str, list[RowMeta]] = {}
    for expected_row in expected:
        by_indicator.setdefault(expected_row.indicator.casefold(), []).append(expected_row)
    position = {(m.indicator, m.period): i for i, m in enumerate(expected)}
    matched: dict[tuple[str, str], Matched] = {}
    problems: list[Problem] = []
    for row in rows:
        ident = row.indicator
        cell = row.get("indicator")
        at = where.at(cell.ref if cell else f"row {row.row}", ident)
        if not ident:
            if _has_entries(row):
                problems.append(problem("ROW_NO_INDICATOR", at, row=row.row, header=_INDICATOR_HEADER))
            continue
        meta = _candidate(row, by_indicator.get(ident.casefold(), []))  # "r03" typed over R03 is R03
        if meta is None:
            problems.append(problem("ROW_UNKNOWN", at.at(indicator=shown(ident)), row=row.row,
                                    indicator=shown(ident), period=shown(row.text("period")) or "no period",
                                    service_name=service.name, quarter=str(quarter)))
            continue
        key = (meta.indicator, meta.period)
        if key in matched:
            problems.append(problem("ROW_DUPLICATE", at.at(period=meta.period), indicator=ident,
                                    period=_period_text(meta.period),
                                    first=matched[key].row.row))
            continue
        matched[key] = Matched(meta, row)
    problems.extend(_rows_missing(expected, matched, where))
    problems.extend(_reordered(list(matched.values()), position, where))
    return list(matched.values()), problems


def _rows_missing(expected: Sequence[RowMeta], matched: dict[tuple[str, str], Matched],
             where: Where) -> list[Problem]:
    return [problem("ROW_MISSING", where.at("", m.indicator, m.period), indicator=m.indicator,
                    period=_period_text(m.period))
            for m in expected if (m.indicator, m.period) not in matched]


def _reordered(found: list[Matched], position: dict[tuple[str, str], int], where: Where) -> list[Problem]:
    """One warning at the first row found before a row kpixl wrote ahead of it."""
    highest = -1
    for item in found:  # in sheet order
        index = position[(item.meta.indicator, item.meta.period)]
        if index < highest:
            cell = item.row.get("indicator")
            return [problem("ROWS_REORDERED", where.at(cell.ref if cell else "", item.meta.indicator),
                            row=item.row.row)]
        highest = index
    return []


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


def _no_figure(ctx: IntakeContext, ind: Indicator, period: Period, reporting: bool, row: SheetRow,
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


_HEADERS = {c.key: c.header for c in RETURN_COLUMNS}


def _printed(ctx: IntakeContext, ind: Indicator, period: Period, meta: RowMeta) -> dict[str, str]:
    """The text context cells as kpixl wrote them in this row (the indicator aside: it matched the row)."""
    compared, revise = period_of(meta.comparison_period), period_of(meta.revise_period)
    last = ctx.known.get((ind.id, period.previous().slug))
    texts = context_texts(ind, period, compared or ind.comparison_period(period), revise or period.previous(),
                          last.commentary if last else "")
    del texts["indicator"]
    return texts


def check_row(ctx: IntakeContext, ind: Indicator, period: Period, meta: RowMeta, row: SheetRow, where: Where,
              provenance: Provenance) -> RowResult:
    """Read and check one row; the history checks come later, once every row's figure is known."""
    where = where.at(indicator=ind.id, period=period.slug)
    result = RowResult(ind, period, row)
    reporting = ind.reporting_period(ctx.quarter) == period
    texts, text_problems = _texts(row, where)
    result.commentary = texts["commentary"]
    target = Decimal(meta.target) if meta.target else None
    problems = (check_texts(row.cells, _printed(ctx, ind, period, meta), _HEADERS, where)
                + check_context(row.get("target"), meta.target, _HEADERS["target"], ind, where)
                + check_context(row.get("comparison"), meta.comparison, _HEADERS["comparison"], ind, where))
    reading = read_figure(row.get("current"), ind, where, reason_given=bool(texts["reason"]))
    problems += reading.problems + text_problems
    if reading.blank and not texts["reason"]:
        problems += _no_figure(ctx, ind, period, reporting, row, where)
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
