"""A page's issue 17 lines, as plain values: its rank among the council's comparator group and the values it
is ranked on, where the group's mean goes on its chart, and the year-end forecast with its rating against the
annual target, every word of which says it is a forecast (docs/insight.md). report/model.py puts them on
the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kpixl.domain import Rag, format_value
from kpixl.domain.comparators import Benchmark
from kpixl.domain.outlook import Forecast, periods_of_year
from kpixl.domain.periods import FinancialYear
from kpixl.report.trend import GroupMark

__all__ = ["PageInsight", "page_insight"]


@dataclass(frozen=True)
class PageInsight:
    benchmark: str  # the rank in words
    benchmark_values: tuple[tuple[str, str], ...]  # (label, value) the rank is on, the council's first
    forecast: str
    benchmark_line: str  # "Rank: 3rd of 5 ...", with the values' period and source
    forecast_rating: str
    group_mark: GroupMark | None  # the group's mean on the chart; None where the periods differ


def page_insight(found: Benchmark | None, outlook: Forecast | None, council: str) -> PageInsight | None:
    """The page's rank and forecast lines; None when it has neither."""
    if found is None and outlook is None:
        return None
    values: tuple[tuple[str, str], ...] = ()
    mark = None
    if found is not None and found.period is not None:
        indicator, when = found.indicator, found.period.label
        shown = ((f"{found.group.area_name or council}, {when}", found.council),
                 (f"{_heading(found.group.name)} mean, {when}", found.group_mean),
                 (f"{found.group.national_name}, {when}", found.national))
        values = tuple((label, format_value(value, indicator.unit, indicator.decimals))
                       for label, value in shown if value is not None)
        mark = _group_mark(found)
    return PageInsight(found.text if found else "", values, outlook.text if outlook else "",
                       _benchmark_line(found), _forecast_rating(outlook), mark)


def _benchmark_line(found: Benchmark | None) -> str:
    """ "Rank: 3rd of 5 synthetic neighbours, third quartile (2022/23; source: LG Inform)." or the note."""
    if found is None:
        return ""
    if found.rank is None:
        return found.note
    source = f"; source: {found.source}" if found.source else ""
    when = f" ({found.period.label}{source})" if found.period is not None else ""
    return f"Rank: {found.text}{when}."


def _forecast_rating(outlook: Forecast | None) -> str:
    """The forecast's rating against the annual target, every word saying it is a forecast."""
    if outlook is None:
        return ""
    if outlook.rag in (Rag.BASELINE, Rag.CONTEXTUAL, Rag.IN_DEVELOPMENT):
        return f"Forecast rating: none: {outlook.rag.value} indicators have no target to meet."
    if outlook.annual_target is None:
        return "Forecast rating: none, as there is no annual target to rate the forecast against."
    if outlook.rag is Rag.NOT_RATED:
        return "Forecast rating: none, as the indicator has no direction for improvement."
    target = format_value(outlook.annual_target, outlook.indicator.unit, outlook.indicator.decimals)
    verdict = "forecast to meet it" if outlook.meets_target else "forecast not to meet it"
    return f"Forecast rating against the annual target of {target}: {outlook.rag.value} ({verdict})."


def _group_mark(found: Benchmark) -> GroupMark | None:
    """Where the group's mean goes on the chart: at the chart's period the published period is (the same
    quarter or month; a financial year is a cumulative indicator's last period of that year). None where the
    periods differ (a year's mean beside quarters' figures would mislead)."""
    if found.period is None or found.group_mean is None:
        return None
    slug, indicator = found.period.slug, found.indicator
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}", slug):
        if not indicator.cumulative:
            return None
        slug = periods_of_year(indicator, FinancialYear.parse(slug))[-1].slug
    return GroupMark(slug, found.group_mean, f"{_heading(found.group.name)} mean")


def _heading(name: str) -> str:
    """A name as a heading starts: "statistical neighbours" -> "Statistical neighbours", "CIPFA" as written."""
    return name[:1].upper() + name[1:]
