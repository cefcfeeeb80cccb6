"""Checks against an indicator's history: a change far outside what it has done before, and a year-to-date
figure that falls. Both are queries: the figure may be right, and the lead says why (docs/problems.md).

An unusual change: with at least HISTORY_MIN earlier changes to compare (each period against its own
comparison period), a change bigger than SPREAD times the largest of them; with fewer, a change of more
than SHORT_SHARE of the comparison figure. A cumulative figure restarts each April, so a previous-period
change across April is not compared.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from kpixl.domain import Comparison, Indicator, Period, Unit, format_value
from kpixl.intake.context import period_of

__all__ = ["HISTORY_MIN", "SHORT_SHARE", "SPREAD", "Unusual", "cumulative_fall", "unusual_change"]

HISTORY_MIN = 4  # earlier changes needed before the indicator's own spread is the yardstick
SPREAD = Decimal(3)  # times the largest earlier change
SHORT_SHARE = Decimal("0.5")  # of the comparison figure, while the history is short
_RUNNING_TOTALS = (Unit.COUNT, Unit.HOURS, Unit.MONEY, Unit.DAYS, Unit.NUMBER)  # a YTD % or rate may fall


@dataclass(frozen=True)
class Unusual:
    previous_period: Period
    previous: Decimal
    change: str  # "+59 (+67%)"
    rule: str


def _comparable(indicator: Indicator, period: Period, earlier: Period) -> bool:
    """Whether a change from earlier to period means anything (not across a cumulative restart)."""
    restart = indicator.cumulative and indicator.comparison is Comparison.PREVIOUS_PERIOD
    return not (restart and earlier.year != period.year)


def _history(indicator: Indicator, period: Period, values: Mapping[str, Decimal]) -> list[Decimal]:
    """The size of each earlier period's change against its comparison period."""
    changes = []
    for slug, value in values.items():
        earlier = period_of(slug)
        if earlier is None or type(earlier) is not type(period) or not earlier < period:  # type: ignore[operator]
            continue
        before = indicator.comparison_period(earlier)
        if before.slug in values and _comparable(indicator, earlier, before):
            changes.append(abs(value - values[before.slug]))
    return changes


def _change_text(change: Decimal, previous: Decimal, unit: Unit) -> str:
    sign = "+" if change > 0 else "-"
    text = sign + format_value(abs(change), unit)
    if unit is Unit.PERCENTAGE:
        return text.replace("%", " percentage points")
    if previous:
        text += f" ({change / abs(previous) * 100:+.0f}%)"
    return text


def unusual_change(indicator: Indicator, period: Period, value: Decimal,
                   values: Mapping[str, Decimal]) -> Unusual | None:
    """The change from the comparison period, when it is far outside the indicator's history."""
    before = indicator.comparison_period(period)
    previous = values.get(before.slug)
    if previous is None or not _comparable(indicator, period, before):
        return None
    change = value - previous
    history = _history(indicator, period, values)
    if len(history) >= HISTORY_MIN and max(history) > 0:
        if abs(change) <= SPREAD * max(history):
            return None
        largest = format_value(max(history), indicator.unit)
        rule = f"more than {SPREAD} times its largest earlier change, {largest}"
    else:
        if not previous or abs(change) <= SHORT_SHARE * abs(previous):
            return None
        rule = f"more than {SHORT_SHARE * 100:.0f}%, with fewer than {HISTORY_MIN} earlier changes to compare"
    return Unusual(before, previous, _change_text(change, previous, indicator.unit), rule)


def cumulative_fall(indicator: Indicator, period: Period, value: Decimal,
                    values: Mapping[str, Decimal]) -> tuple[Period, Decimal] | None:
    """The earlier period of the same year whose year-to-date figure is higher than this one's."""
    if not indicator.cumulative or indicator.unit not in _RUNNING_TOTALS:
        return None
    before = period.previous()
    previous = values.get(before.slug)
    if before.year != period.year or previous is None or value >= previous:
        return None
    return before, previous
