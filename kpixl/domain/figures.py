"""A reported figure and what the rules say of it: the RAG rating and the Change in Performance, exactly
as the seed report's key defines them, the headline the report prints, and where a received figure came from.

Red: off target by more than 10%. Amber: off target by 10% or less. Green: on target, up to 5% over.
Blue: over target by more than 5%. "Off" and "over" follow the direction for improvement.
Baseline, Contextual and In Development come from the indicator's kind, whatever the figure.

Every comparison is done in Decimal by cross-multiplication (off > red x |target|), never by dividing,
so 10.0% off is Amber and 5.0% over is Green with no floating-point surprise. See docs/rag.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from kpixl.domain.indicators import (
    DEFAULT_TOLERANCES,
    Comparison,
    Direction,
    Indicator,
    Kind,
    PercentageBasis,
    Tolerances,
    Unit,
    format_value,
)
from kpixl.domain.periods import Period, Quarter

__all__ = ["NO_FIGURE_REASONS", "Change", "Figure", "FigureStatus", "Headline", "Provenance", "Rag", "ReceivedFigure", "Submission", "assess", "change_in_performance", "rate", "signed_gap"]

class Rag(str, Enum):
    RED = "Red"
    AMBER = "Amber"
    GREEN = "Green"
    BLUE = "Blue"
    BASELINE = "Baseline"
    CONTEXTUAL = "Contextual"
    IN_DEVELOPMENT = "In Development"
    NOT_RATED = "Not rated"  # no figure, no target, or no direction: the report says why

    @property
    def key(self) -> str:
        """A stable word for scripts (--json): "red", "in_development", "not_rated"."""
        return self.name.lower()


class Change(str, Enum):
    IMPROVING = "Improving"
    DECLINING = "Declining"
    UNCHANGED = "Unchanged"
    NOT_APPLICABLE = "N/A"

    @property
    def key(self) -> str:
        """A stable word for scripts (--json): "improving", "not_applicable"."""
        return self.name.lower()


_KIND_RAG = {
    Kind.BASELINE: Rag.BASELINE,
    Kind.CONTEXTUAL: Rag.CONTEXTUAL,
    Kind.IN_DEVELOPMENT: Rag.IN_DEVELOPMENT,
}


def signed_gap(actual: Decimal, target: Decimal, direction: Direction) -> Decimal:
    """How far the figure is on the good side of the target (negative: off target), in the figure's units."""
    return actual - target if direction is Direction.UP else target - actual


def rate(
    kind: Kind,
    actual: Decimal | None,
    target: Decimal | None,
    direction: Direction,
    unit: Unit = Unit.COUNT,
    tolerances: Tolerances = DEFAULT_TOLERANCES,
) -> Rag:
    """The RAG rating of one figure against its target."""
    if kind in _KIND_RAG:
        return _KIND_RAG[kind]
    if actual is None or target is None or direction is Direction.NONE:
        return Rag.NOT_RATED
    gap = signed_gap(actual, target, direction)
    if target == 0:
        # ZeroTarget.EXACT: no band around zero, see Tolerances.
        return Rag.GREEN if gap == 0 else (Rag.BLUE if gap > 0 else Rag.RED)
    # The width of "10%": of the target, or ten percentage points (0.10 as a fraction) for percentages.
    scale = Decimal(1) if unit is Unit.PERCENTAGE and tolerances.percentage_basis is PercentageBasis.POINTS else abs(target)
    if gap < 0:
        return Rag.RED if -gap > tolerances.red * scale else Rag.AMBER
    return Rag.BLUE if gap > tolerances.blue * scale else Rag.GREEN


def change_in_performance(
    current: Decimal | None, comparison: Decimal | None, direction: Direction
) -> Change:
    """Improving, Declining or Unchanged in the direction for improvement; N/A without one or a figure."""
    if current is None or comparison is None or direction is Direction.NONE:
        return Change.NOT_APPLICABLE
    gap = signed_gap(current, comparison, direction)
    if gap == 0:
        return Change.UNCHANGED
    return Change.IMPROVING if gap > 0 else Change.DECLINING


@dataclass(frozen=True)
class Provenance:
    file_hash: str  # SHA-256 of the file as received; the archive keeps it under this name
    file_name: str
    sheet: str = ""
    cell: str = ""  # A1 reference of the figure's cell


@dataclass(frozen=True)
class ReceivedFigure:
    figure: Figure
    provenance: Provenance
    target: str = ""  # the target (or baseline) the workbook showed, as text; "" when none
    revision_reason: str = ""  # set when this figure revises an earlier period's


@dataclass(frozen=True)
class Submission:
    """One file received: who it claims to be from, for which quarter, and whether it was accepted."""

    file_hash: str
    file_name: str
    received_at: datetime
    service: str  # service id, "" when it could not be identified
    period: str  # quarter slug, "" when it could not be identified
    accepted: bool
    source: str = "return"  # "return" (a collection workbook) or "history" (an import)
    sent_at: datetime | None = None  # when it was sent: its message's Date, else the file's modification time
    sender: str = ""  # a return that came by email: the message's From address,
    subject: str = ""  # its Subject,
    message_id: str = ""  # its Message-ID,
    attachment: str = ""  # and the attachment's name in it


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
    # A calculated indicator's two counts; value is then their rate (outlook.calculated_figure).
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    # For the exception list: who owns the corrective action, and by when (docs/insight.md).
    action_owner: str = ""
    action_due: date | None = None

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
        if self.indicator.kind is Kind.IN_DEVELOPMENT or self.target is None:
            return self.indicator.figure_text
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
