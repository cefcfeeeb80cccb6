"""Matching the Return sheet's rows to the rows kpixl wrote, by indicator number and period, never by
position: leads delete, duplicate, paste over and re-sort rows. Each row found is paired with what kpixl
printed in it (its RowMeta); what is missing, doubled or foreign is a problem at its row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kpixl.domain import Quarter, Service
from kpixl.intake.context import period_of
from kpixl.intake.messages import Where, problem, shown
from kpixl.intake.read_return import SheetRow
from kpixl.layout import INPUT_KEYS, RowMeta
from kpixl.problems import Problem

__all__ = ["Matched", "match_rows"]

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
        by_indicator.setdefault(expected_row.indicator, []).append(expected_row)
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
        meta = _candidate(row, by_indicator.get(ident, []))
        if meta is None:
            problems.append(problem("ROW_UNKNOWN", at.at(indicator=shown(ident)), row=row.row,
                                    indicator=shown(ident), period=shown(row.text("period")) or "no period",
                                    service_name=service.name, quarter=str(quarter)))
            continue
        key = (meta.indicator, meta.period)
        if key in matched:
            problems.append(problem("ROW_DUPLICATE", at, indicator=ident, period=_period_text(meta.period),
                                    first=matched[key].row.row))
            continue
        matched[key] = Matched(meta, row)
    problems.extend(_missing(expected, matched, where))
    problems.extend(_reordered(list(matched.values()), position, where))
    return list(matched.values()), problems


def _missing(expected: Sequence[RowMeta], matched: dict[tuple[str, str], Matched],
             where: Where) -> list[Problem]:
    return [problem("ROW_MISSING", where.at("", m.indicator), indicator=m.indicator,
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
