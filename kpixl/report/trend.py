"""An indicator's recent figures for its trend chart, and the chart's alt text in words.

Pure: the chart renderer (charts.py) draws a Trend; nothing here knows about XML.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from kpixl.domain import Comparison, Figure, FigureStatus, Headline, Kind, Month, Unit, format_value
from kpixl.domain.periods import Period
from kpixl.report.axis import AxisRule, ValueAxis, value_axis

__all__ = ["GroupMark", "Trend", "TrendPoint", "axis_label", "build_trend"]


class TrendPoint(NamedTuple):  # a tuple: a report builds thousands, and a tuple is made in a fifth of the time
    label: str  # the category axis: "2023/24 Q1", "Sep 2023"
    value: Decimal | None  # None: a gap in the line (no figure, or not available)
    target: Decimal | None
    provisional: bool = False
    group: Decimal | None = None  # the comparison group's mean published for this period (issue 17)


class GroupMark(NamedTuple):
    """The comparison group's mean, to mark on the chart at the period it was published for."""

    period: str  # the period's slug, as the chart's periods have them
    value: Decimal
    name: str  # the series' name, as a heading: "Statistical neighbours mean", "CIPFA neighbours mean"


@dataclass(frozen=True)
class Trend:
    title: str
    value_name: str  # the figure's series name: "Actual"
    target_name: str  # "Target" or "Baseline"
    unit: Unit
    decimals: int | None
    points: tuple[TrendPoint, ...]
    summary: str  # the trend in words: "351,220 in 2023/24 Q1, 380,018 in 2023/24 Q2, target 475,381. Up ..."
    axis: ValueAxis  # the value axis every rendering of the chart draws (axis.py's rule)
    group_name: str = ""  # the group mean's series name, when a point has one

    @property
    def has_group(self) -> bool:
        return any(p.group is not None for p in self.points)

    @property
    def alt_text(self) -> str:
        """The chart's alt text: what it is, then the trend in words."""
        return f"Line chart of {self.title.rstrip('. ')}: {self.summary}"

    @property
    def has_target(self) -> bool:
        return any(p.target is not None for p in self.points)


def axis_label(period: Period) -> str:
    return period.start_date.strftime("%b %Y") if isinstance(period, Month) else str(period)


def build_trend(h: Headline, figures: Mapping[tuple[str, str], Figure], max_periods: int,
                axis_rule: AxisRule = AxisRule.ZERO, group: GroupMark | None = None) -> Trend | None:
    """Up to max_periods periods ending with the reported one, starting at the first with a figure.

    Where history is short the chart shows what there is; with no figure at all there is no chart. The
    group's mean is marked at its period when the chart shows that period, and the axis takes it in.
    """
    ind = h.indicator
    periods = _window(h.period, max_periods)
    known = [figures.get((ind.id, p.slug)) for p in periods]
    first = next((n for n, f in enumerate(known) if f is not None and f.usable is not None), None)
    if first is None:
        return None
    with_target = ind.kind is not Kind.IN_DEVELOPMENT
    points = tuple(
        TrendPoint(axis_label(p), f.usable if f else None, ind.target_for(p) if with_target else None,
                   f is not None and f.status is FigureStatus.PROVISIONAL,
                   group.value if group is not None and group.period == p.slug else None)
        for p, f in zip(periods[first:], known[first:])
    )
    axis = value_axis([v for p in points for v in (p.value, p.target, p.group)], ind.unit, axis_rule)
    trend = Trend(ind.title, "Actual", ind.target_word, ind.unit, ind.decimals, points, "", axis,
                  group.name if group is not None else "")
    return replace(trend, summary=summary(trend, periods[first:], h))


def _window(last: Period, count: int) -> tuple[Period, ...]:
    periods: list[Period] = [last]
    while len(periods) < count:
        periods.insert(0, periods[0].previous())
    return tuple(periods)


def summary(trend: Trend, periods: Sequence[Period], h: Headline) -> str:
    """ "351,220 in 2023/24 Q1, 380,018 in 2023/24 Q2, target 475,381. Up 8.2% on the previous quarter." """
    shown = [f"{_fmt(trend, p.value)} in {period}" + (" (provisional)" if p.provisional else "")
             for p, period in zip(trend.points, periods) if p.value is not None]
    text = ", ".join(shown)
    targets = [(p.target, period) for p, period in zip(trend.points, periods) if p.target is not None]
    if targets:
        name = trend.target_name.lower()
        if len({t for t, _ in targets}) == 1:
            text += f", {name} {_fmt(trend, targets[0][0])}"
        else:
            text += (f", {name} {_fmt(trend, targets[0][0])} in {targets[0][1]} "
                     f"to {_fmt(trend, targets[-1][0])} in {targets[-1][1]}")
    name = trend.group_name
    group = name[:1].lower() + name[1:] if name[1:2].islower() else name  # mid-sentence: "statistical ..."
    text += "".join(f", {group} {_fmt(trend, p.group)} in {period}"
                    for p, period in zip(trend.points, periods) if p.group is not None)
    return f"{text}. {change_sentence(h)}".strip()


def change_sentence(h: Headline) -> str:
    """The change on the comparison figure, in numbers: "Up 8.2% on the previous quarter." """
    current = h.current.usable if h.current else None
    previous = h.comparison.usable if h.comparison else None
    if current is None:
        return f"No figure for {h.period}."
    if previous is None:
        return ""
    word = h.indicator.frequency.period_word.lower()
    against = (f"the same {word} last year" if h.indicator.comparison is Comparison.SAME_PERIOD_LAST_YEAR
               else f"the previous {word}")
    if current == previous:
        return f"Unchanged on {against}."
    way = "Up" if current > previous else "Down"
    gap = abs(current - previous)
    if h.indicator.unit is Unit.PERCENTAGE:
        points = _round(gap * 100)
        return f"{way} {points} percentage point{'' if points == '1' else 's'} on {against}."
    if previous == 0:
        return f"{way} from 0 on {against}."
    return f"{way} {_round(gap * 100 / abs(previous))}% on {against}."


def _round(value: Decimal) -> str:
    text = f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):,}"
    return text.removesuffix(".0")


def _fmt(trend: Trend, value: Decimal | None) -> str:
    return format_value(value, trend.unit, trend.decimals)
