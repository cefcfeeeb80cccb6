"""A reported figure and what the report says of it: its status, RAG, change and headline labels."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from kpixl.domain.indicators import DEFAULT_TOLERANCES, Comparison, Indicator, Kind, Tolerances, format_value
from kpixl.domain.periods import Period, Quarter
from kpixl.domain.rag import Change, Rag, change_in_performance, rate

__all__ = ["NO_FIGURE_REASONS", "Figure", "FigureStatus", "Headline", "assess"]


class FigureStatus(str, Enum):
    VALIDATED = "validated"
    PROVISIONAL = "provisional"  # shown, rated, and printed with its caveat
    NOT_AVAILABLE = "not_available"  # no figure: no RAG, no change, the reason printed


# The reasons a lead can choose when no figure can be given, or the figure given is provisional (the
# workbook's dropdown offers these). A figure with a reason is provisional; a reason alone, not available.
NO_FIGURE_REASONS = (
    "Awaiting validation",
    "Data delayed",
    "System change",
    "Not collected this period",
    "Other (explain in commentary)",
)


@dataclass(frozen=True, slots=True)  # a store holds thousands: no __dict__ each, half the objects
class Figure:
    indicator: str
    period: Period
    value: Decimal | None
    status: FigureStatus = FigureStatus.VALIDATED
    reason: str = ""  # why there is no figure, or why it is provisional
    commentary: str = ""
    actions: str = ""

    @property
    def usable(self) -> Decimal | None:
        """The value the rules may use: none when the figure is not available."""
        return None if self.status is FigureStatus.NOT_AVAILABLE else self.value


@dataclass(frozen=True)
class Headline:
    """One indicator's headline row for a period, with every word the report prints."""

    indicator: Indicator
    period: Period
    target: Decimal | None
    current: Figure | None
    comparison_period: Period
    comparison: Figure | None
    rag: Rag
    change: Change

    @property
    def target_text(self) -> str:
        if self.indicator.kind is Kind.IN_DEVELOPMENT:
            return "In Development"
        if self.target is None:
            return "None set"
        return self.value_text(self.target)

    def value_text(self, value: Decimal | None) -> str:
        return format_value(value, self.indicator.unit, self.indicator.decimals)

    @property
    def current_text(self) -> str:
        return self.value_text(self.current.usable if self.current else None)

    @property
    def comparison_text(self) -> str:
        return self.value_text(self.comparison.usable if self.comparison else None)

    @property
    def current_label(self) -> str:
        word = self.indicator.frequency.period_word
        return _cumulative(f"Current {word}", self.indicator.cumulative)

    @property
    def comparison_label(self) -> str:
        if self.indicator.comparison is Comparison.SAME_PERIOD_LAST_YEAR:
            label = self.comparison_period.long_label
        else:
            label = f"Previous {self.indicator.frequency.period_word}"
        return _cumulative(label, self.indicator.cumulative)


def _cumulative(label: str, cumulative: bool) -> str:
    return f"{label} (cumulative)" if cumulative else label


def assess(
    indicator: Indicator,
    quarter: Quarter,
    figures: Mapping[tuple[str, str], Figure],
    tolerances: Tolerances = DEFAULT_TOLERANCES,
) -> Headline:
    """The headline of an indicator for a quarter's report, from figures keyed by (indicator, period slug)."""
    period = indicator.reporting_period(quarter)
    previous = indicator.comparison_period(period)
    current = figures.get((indicator.id, period.slug))
    comparison = figures.get((indicator.id, previous.slug))
    target = indicator.target_for(period)
    value = current.usable if current else None
    rag = rate(indicator.kind, value, target, indicator.direction, indicator.unit,
               indicator.tolerances or tolerances)
    change = change_in_performance(value, comparison.usable if comparison else None, indicator.direction)
    return Headline(indicator, period, target, current, previous, comparison, rag, change)
