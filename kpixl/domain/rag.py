"""The RAG rating and the Change in Performance, exactly as the seed report's key defines them.

Red: off target by more than 10%. Amber: off target by 10% or less. Green: on target, up to 5% over.
Blue: over target by more than 5%. "Off" and "over" follow the direction for improvement.
Baseline, Contextual and In Development come from the indicator's kind, whatever the figure.

Every comparison is done in Decimal by cross-multiplication (off > red x |target|), never by dividing,
so 10.0% off is Amber and 5.0% over is Green with no floating-point surprise. See docs/rag.md.
"""

from __future__ import annotations

from decimal import Decimal
from enum import Enum

from kpixl.domain.indicators import DEFAULT_TOLERANCES, Direction, Kind, PercentageBasis, Tolerances, Unit

__all__ = ["Change", "Rag", "change_in_performance", "rate", "signed_gap"]


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
    def order(self) -> int:
        """Worst first, for sorting a summary."""
        return list(Rag).index(self)


class Change(str, Enum):
    IMPROVING = "Improving"
    DECLINING = "Declining"
    UNCHANGED = "Unchanged"
    NOT_APPLICABLE = "N/A"


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
