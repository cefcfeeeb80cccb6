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
from datetime import date
from decimal import Decimal

from kpixl.domain import Figure, FigureStatus, Indicator, Period, Quarter, Service, Unit
from kpixl.domain.figures import Provenance, ReceivedFigure
from kpixl.domain.outlook import calculated_figure, calculated_rate
from kpixl.intake.book import SheetRow
from kpixl.intake.rules import (
    FigureReading,
    IntakeContext,
    as_stored,
    check_action_owner,
    check_actions,
    check_commentary,
    check_context,
    check_texts,
    period_of,
    read_count,
    read_due_date,
    read_figure,
    read_text,
)
from kpixl.layout.returns import (
    ACTIONS_MAX,
    ALL_COLUMNS,
    COMMENTARY_MAX,
    INPUT_KEYS,
    OWNER_MAX,
    REASON_MAX,
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
                               ("actions", "actions", ACTIONS_MAX), ("action_owner", "action owner", OWNER_MAX),
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
    if ind.calculation is not None and not reading.blank:  # never a typed rate: its counts make it
        typed = row.get("revised")
        return [], [problem("CALC_REVISION", where.at(typed.ref if typed else ""), indicator=ind.id,
                            period=str(earlier or meta.revise_period))]
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


_HEADERS = {c.key: c.header for c in ALL_COLUMNS}


def _printed(ctx: IntakeContext, ind: Indicator, period: Period, meta: RowMeta) -> dict[str, str]:
    """The text context cells as kpixl wrote them in this row (the indicator aside: it matched the row)."""
    compared, revise = period_of(meta.comparison_period), period_of(meta.revise_period)
    last = ctx.known.get((ind.id, period.previous().slug))
    texts = context_texts(ind, period, compared or ind.comparison_period(period), revise or period.previous(),
                          last.commentary if last else "")
    del texts["indicator"]
    return texts


def _asks_counts(ind: Indicator, row: SheetRow) -> bool:
    """Whether the row gives a calculated indicator's two counts: it has their columns, and the counts are
    typed or the figure is kpixl's formula. A row of an older workbook (or one written before the indicator
    was calculated) asks for the figure itself, and its figure is read as typed."""
    if ind.calculation is None or not (row.get("numerator") or row.get("denominator")):
        return False
    current = row.get("current")
    counts = (row.get("numerator"), row.get("denominator"))
    return any(c is not None and not c.blank for c in counts) or (current is not None and current.formula)


@dataclass(frozen=True)
class _Counts:
    reading: FigureReading  # the rate, as a figure reading
    numerator: Decimal | None = None
    denominator: Decimal | None = None


def _counts(ind: Indicator, row: SheetRow, where: Where) -> _Counts:
    """A calculated indicator's figure from its two count cells (never from a typed rate)."""
    calculation = ind.calculation
    assert calculation is not None
    cells = {key: row.get(key) for key in ("numerator", "denominator")}
    found = {key: read_count(cell, _HEADERS[key], getattr(calculation, key), where) for key, cell in cells.items()}
    problems = [p for r in found.values() for p in r.problems]
    if not all(r.ok for r in found.values()):
        return _Counts(FigureReading(None, False, problems))
    numerator, denominator = found["numerator"].value, found["denominator"].value
    if numerator is None and denominator is None:
        return _Counts(FigureReading(None, True, problems))
    labels = {"numerator": shown(calculation.numerator), "denominator": shown(calculation.denominator)}
    if numerator is None or denominator is None:
        missing = "numerator" if numerator is None else "denominator"
        cell = cells[missing]
        return _Counts(FigureReading(None, False, problems + [problem(
            "CALC_COUNTS", where.at(cell.ref if cell else ""), missing=missing, label=labels[missing],
            indicator=ind.id)]))
    if denominator == 0:
        cell = cells["denominator"]
        return _Counts(FigureReading(None, False, problems + [problem(
            "CALC_COUNTS/zero", where.at(cell.ref if cell else ""), label=labels["denominator"])]))
    value = calculated_rate(ind, numerator, denominator)
    if value is not None and ind.unit is Unit.PERCENTAGE and value > 1:
        cell = cells["numerator"]
        return _Counts(FigureReading(None, False, problems + [problem(
            "CALC_COUNTS/over", where.at(cell.ref if cell else ""), numerator=_count(numerator),
            denominator=_count(denominator), rate=as_stored(value, ind.unit), **{f"{k}_label": v for k, v in
                                                                                labels.items()})]))
    return _Counts(FigureReading(value, False, problems), numerator, denominator)


def _count(value: Decimal) -> str:
    return f"{value.normalize():,f}"


def _figure_of(ind: Indicator, row: SheetRow, where: Where, reason: str) -> tuple[_Counts, list[Problem]]:
    """The row's figure, from its two counts or as typed, with the problems on the way."""
    current = row.get("current")
    if _asks_counts(ind, row):
        counts = _counts(ind, row, where)
        typed = [] if current is None or current.blank or current.formula else [problem(
            "CALC_RATE_TYPED", where.at(current.ref), typed=shown(current.value))]
        return counts, typed
    reading = read_figure(current, ind, where, reason_given=bool(reason))
    extra = []
    if ind.calculation is not None and reading.value is not None and current is not None:
        extra = [problem("CALC_NO_COUNTS", where.at(current.ref), indicator=ind.id,
                         numerator=shown(ind.calculation.numerator), denominator=shown(ind.calculation.denominator))]
    return _Counts(reading), extra


def check_row(ctx: IntakeContext, ind: Indicator, period: Period, meta: RowMeta, row: SheetRow, where: Where,
              provenance: Provenance) -> RowResult:
    """Read and check one row; the history checks come later, once every row's figure is known."""
    where = where.at(indicator=ind.id, period=period.slug)
    result = RowResult(ind, period, row)
    reporting = ind.reporting_period(ctx.quarter) == period
    texts, text_problems = _texts(row, where)
    due, due_problems = read_due_date(row.get("action_due"), where)
    result.commentary = texts["commentary"]
    target = Decimal(meta.target) if meta.target else None
    problems = (check_texts(row.cells, _printed(ctx, ind, period, meta), _HEADERS, where)
                + check_context(row.get("target"), meta.target, _HEADERS["target"], ind, where)
                + check_context(row.get("comparison"), meta.comparison, _HEADERS["comparison"], ind, where))
    counts, figure_problems = _figure_of(ind, row, where, texts["reason"])
    reading = counts.reading
    problems += reading.problems + figure_problems + text_problems + due_problems
    if reading.blank and not texts["reason"]:
        problems += _no_figure(ctx, ind, period, reporting, row, where)
    if reporting:
        problems += check_commentary(texts["commentary"], row.get("commentary"), str(period), where)
    problems += check_actions(ind, reading.value, target, texts["actions"], row.get("actions"),
                              ctx.tolerances, where)
    problems += check_action_owner(ind, reading.value, target, texts["actions"], texts["action_owner"], due,
                                   row.cells, ctx.tolerances, where)
    cell = row.get("current")
    here = Provenance(provenance.file_hash, provenance.file_name, provenance.sheet, cell.ref if cell else "")
    if reading.ok and (reading.value is not None or texts["reason"]):
        result.received.append(ReceivedFigure(_figure(ind, period, reading.value, counts, texts, due), here,
                                              meta.target))
        result.value = reading.value
    revisions, revision_problems = _revision(ctx, ind, meta, row, texts["revision_reason"], where, here)
    result.received = revisions + result.received  # the row's own figure last: it wins over a revision
    result.problems = problems + revision_problems
    return result


def _figure(ind: Indicator, period: Period, value: Decimal | None, counts: _Counts, texts: dict[str, str],
            due: date | None) -> Figure:
    """The figure the store keeps: a calculated one through the domain's calculated_figure, from its counts."""
    status = (FigureStatus.NOT_AVAILABLE if value is None
              else FigureStatus.PROVISIONAL if texts["reason"] else FigureStatus.VALIDATED)
    if counts.numerator is not None and counts.denominator is not None:
        return calculated_figure(ind, period, counts.numerator, counts.denominator, status, texts["reason"],
                                 texts["commentary"], texts["actions"], texts["action_owner"], due)
    return Figure(ind.id, period, value, status, texts["reason"], texts["commentary"], texts["actions"],
                  action_owner=texts["action_owner"], action_due=due)
