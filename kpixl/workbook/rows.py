"""What each row of a service's Return sheet says: the plan the writer lays out and the metadata signs.

Pure: no xlsxwriter here. One row per indicator and period (a monthly indicator gets a row per month of
the quarter), in the register's order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from kpixl.domain import Figure, Indicator, Kind, Period, Quarter, Register, Tolerances
from kpixl.layout import FIRST_ROW, RowMeta

__all__ = ["ReturnRow", "plan_rows"]


@dataclass(frozen=True)
class ReturnRow:
    row: int  # 1-based sheet row
    indicator: Indicator
    period: Period
    target: Decimal | None
    comparison_period: Period
    comparison: Decimal | None
    revise_period: Period
    last_commentary: str
    tolerances: Tolerances

    @property
    def target_text(self) -> str:
        """What the target cell shows when it holds no number."""
        return "In Development" if self.indicator.kind is Kind.IN_DEVELOPMENT else ""

    def meta(self) -> RowMeta:
        return RowMeta(self.row, self.indicator.id, self.period.slug, _text(self.target),
                       self.comparison_period.slug, _text(self.comparison), self.revise_period.slug)


def _text(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def _usable(figures: Mapping[tuple[str, str], Figure], indicator: str, period: Period) -> Figure | None:
    return figures.get((indicator, period.slug))


def _row(number: int, indicator: Indicator, period: Period, figures: Mapping[tuple[str, str], Figure],
         tolerances: Tolerances) -> ReturnRow:
    compared = indicator.comparison_period(period)
    comparison = _usable(figures, indicator.id, compared)
    previous = period.previous()
    last = _usable(figures, indicator.id, previous)
    target = None if indicator.kind is Kind.IN_DEVELOPMENT else indicator.target_for(period)
    return ReturnRow(number, indicator, period, target, compared, comparison.usable if comparison else None,
                     previous, last.commentary if last else "", indicator.tolerances or tolerances)


def plan_rows(register: Register, service_id: str, quarter: Quarter,
              figures: Mapping[tuple[str, str], Figure], tolerances: Tolerances) -> list[ReturnRow]:
    """The rows of a service's return for a quarter, numbered from layout.FIRST_ROW."""
    rows: list[ReturnRow] = []
    for indicator in register.indicators_of_service(service_id):
        for period in indicator.periods_in(quarter):
            rows.append(_row(FIRST_ROW + len(rows), indicator, period, figures, tolerances))
    return rows
