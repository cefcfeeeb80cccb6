"""Comparators: published benchmark values, the council's comparison group, and where the council stands in
it (docs/insight.md, section 1).

Published data come by financial year, quarter, month, calendar year or academic year, labelled as their
publisher prints them ("2022/23", "2022/23 Q2", "Sep 2023", "cal_2013", "2018/19 (academic)"): a
BenchmarkPeriod reads all of these and keeps a slug that reads back to the same period.

The rank is direction-aware (1 is the best), ties share the better rank, and the quartile follows from the
rank; everything is Decimal, and a group too small to rank says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from kpixl.domain.figures import Figure
from kpixl.domain.indicators import Direction, Indicator, Unit
from kpixl.domain.periods import MONTH_NAMES, FinancialYear, Month, Quarter
from kpixl.errors import PeriodError

__all__ = ["MIN_RANKED", "NATIONAL", "Benchmark", "BenchmarkPeriod", "ComparatorValue", "ComparisonGroup",
           "PublishedValue", "benchmark", "choose_period", "current_values", "ordinal", "own_figures",
           "parse_benchmark_period", "rank_of"]

NATIONAL = ("E92000001", "England")
MIN_RANKED = 4  # areas with a value (the council among them) needed for a rank and a quartile
QUARTILE_WORDS = ("first", "second", "third", "fourth")


@dataclass(frozen=True, order=True)
class BenchmarkPeriod:
    end: date  # first, so that periods sort by when they end
    start: date
    slug: str  # "2022-23", "2022-23-Q2", "2023-09", "2022", "2022-23-AY"
    label: str  # "2022/23", "2022/23 Q2", "September 2023", "2022", "2022/23 (academic)"

    def __str__(self) -> str:
        return self.label


def _financial_year(year: FinancialYear) -> BenchmarkPeriod:
    return BenchmarkPeriod(date(year.start + 1, 3, 31), date(year.start, 4, 1), year.slug, str(year))


def _quarter(q: Quarter) -> BenchmarkPeriod:
    return BenchmarkPeriod(q.end_date, q.start_date, q.slug, q.label)


def _month(m: Month) -> BenchmarkPeriod:
    return BenchmarkPeriod(m.end_date, m.start_date, m.slug, m.label)


def _calendar_year(year: int) -> BenchmarkPeriod:
    return BenchmarkPeriod(date(year, 12, 31), date(year, 1, 1), str(year), str(year))


def _academic_year(year: FinancialYear) -> BenchmarkPeriod:
    return BenchmarkPeriod(date(year.start + 1, 8, 31), date(year.start, 9, 1), f"{year.slug}-AY",
                           f"{year} (academic)")


_Y = r"([0-9]{4})"
_FY = _Y + r"\s*[/-]\s*([0-9]{2}|[0-9]{4})"
_MONTHS = {name[:3].lower(): i for i, name in enumerate(MONTH_NAMES, start=1)}
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p, re.IGNORECASE), kind) for p, kind in (
    (r"cal_" + _Y, "calendar"),
    (r"fin_" + _Y + r"_([0-9]{2})", "year"),
    (r"fin_q([1-4])_" + _Y + r"_([0-9]{2})", "quarter_first"),
    (r"aca_" + _Y + r"_([0-9]{2})", "academic"),
    (_FY + r"\s*\(academic\)", "academic"),
    (_FY + r"\s*-?\s*AY", "academic"),
    (_FY + r"\s*[- ]?\s*Q([1-4])", "quarter"),
    (r"Q([1-4])\s+" + _FY, "quarter_first"),
    (_FY + r"(\s*\(financial\))?", "year"),
    (_Y, "calendar"),
    (_Y + r"-([0-9]{1,2})", "month"),
    (r"([A-Za-z]{3,9})\.?\s+" + _Y, "month_name"),
))


def parse_benchmark_period(text: str) -> BenchmarkPeriod:
    """A published period as its publisher labels or identifies it, or its slug; PeriodError otherwise."""
    cleaned = " ".join(text.split())
    for pattern, kind in _PATTERNS:
        match = pattern.fullmatch(cleaned)
        if match:
            try:
                found = _period(kind, match.groups())
            except PeriodError:  # "2023-09" looks like a financial year 2023/09, which is none: read on
                continue
            if found is not None:
                return found
    raise PeriodError(f"'{cleaned[:40]}' is not a period kpixl can read: write a financial year as 2022/23, a "
                      "quarter as 2022/23 Q2, a month as 2023-09 or September 2023, a calendar year as 2022")


def _year(start: str, end: str) -> FinancialYear:
    return FinancialYear.parse(f"{start}/{end}")


def _period(kind: str, groups: tuple[Any, ...]) -> BenchmarkPeriod | None:
    if kind == "calendar":
        return _calendar_year(int(groups[0]))
    if kind == "year":
        return _financial_year(_year(groups[0], groups[1]))
    if kind == "academic":
        return _academic_year(_year(groups[0], groups[1]))
    if kind == "quarter":
        return _quarter(Quarter(_year(groups[0], groups[1]).start, int(groups[2])))
    if kind == "quarter_first":
        return _quarter(Quarter(_year(groups[1], groups[2]).start, int(groups[0])))
    if kind == "month":
        return _month(Month(int(groups[0]), int(groups[1])))
    number = _MONTHS.get(groups[0][:3].lower())
    if number is None or not MONTH_NAMES[number - 1].lower().startswith(groups[0].lower()):
        return None
    return _month(Month(int(groups[1]), number))


@dataclass(frozen=True)
class ComparisonGroup:
    """The council's area and the areas it compares itself with (kpixl.toml [comparators])."""

    area: str  # the council's own area code
    members: tuple[str, ...]  # the neighbours' area codes
    name: str = "statistical neighbours"
    area_name: str = ""
    national: str = NATIONAL[0]
    national_name: str = NATIONAL[1]

    @property
    def neighbours(self) -> tuple[str, ...]:
        """The members as ranked: the council is never its own neighbour, and a code listed twice counts once."""
        return tuple(dict.fromkeys(m for m in self.members if m != self.area))


@dataclass(frozen=True)
class ComparatorValue:
    """One published value, in kpixl's terms (a percentage as a fraction), for one area and period."""

    area_code: str
    area_name: str
    period: BenchmarkPeriod
    value: Decimal
    source: str = ""


@dataclass(frozen=True)
class PublishedValue:
    """One value of a comparator file as read (and as the store keeps it), in the file's own terms."""

    line: int  # the file's line it is on
    metric: str  # the source's metric id ("" when the file names the kpixl indicator)
    indicator: str  # the kpixl indicator the file names ("" when it names a metric)
    area_code: str
    area_name: str
    period: BenchmarkPeriod
    value: Decimal
    per_cent: bool = False  # a percentage is written as a number of per cent (68.2 for 68.2%)
    source: str = ""  # the publisher, as named on import

    def belongs_to(self, indicator: Indicator) -> bool:
        """Named for the indicator, or for the published metric the register maps to it."""
        if self.indicator:
            return self.indicator == indicator.id
        return bool(indicator.benchmark_metric) and self.metric == indicator.benchmark_metric

    def for_indicator(self, indicator: Indicator) -> ComparatorValue:
        """The value in kpixl's terms for the indicator: a percentage as a fraction, as kpixl holds 68%."""
        value = self.value / 100 if self.per_cent and indicator.unit is Unit.PERCENTAGE else self.value
        return ComparatorValue(self.area_code, self.area_name, self.period, value, self.source)


def current_values(indicator: Indicator, published: Iterable[PublishedValue]) -> list[ComparatorValue]:
    """The indicator's values in kpixl's terms, the latest import of each area and period (published is in the
    order imported: a file imported later, a revision by its publisher, wins)."""
    latest: dict[tuple[str, str], PublishedValue] = {}
    for value in published:
        if value.belongs_to(indicator):
            latest[(value.area_code, value.period.slug)] = value
    return [v.for_indicator(indicator) for v in latest.values()]


def own_figures(indicator: Indicator, figures: Mapping[tuple[str, str], Figure]) -> dict[str, Decimal]:
    """The council's own figures by period slug, to stand in for its published value: each period's, and for a
    cumulative indicator each financial year's (its last period's figure, the year's outturn)."""
    own: dict[str, Decimal] = {}
    for (ident, slug), figure in figures.items():
        value = figure.usable
        if ident != indicator.id or value is None:
            continue
        own[slug] = value
        period = figure.period
        last = period.number == 4 if isinstance(period, Quarter) else period.month == 3
        if indicator.cumulative and last:
            own[period.year.slug] = value
    return own


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def rank_of(value: Decimal, values: Iterable[Decimal], direction: Direction) -> tuple[int, bool]:
    """Competition rank of value among values (which include it), 1 the best in the direction for improvement,
    and whether another value ties with it."""
    values = list(values)
    better = sum(1 for v in values if (v > value if direction is Direction.UP else v < value))
    tied = sum(1 for v in values if v == value) > 1
    return better + 1, tied


@dataclass(frozen=True)
class Benchmark:
    """Where the council stands for one indicator, at the most recent published period."""

    indicator: Indicator
    group: ComparisonGroup
    period: BenchmarkPeriod | None  # None: nothing published for the group up to the reporting period
    council: Decimal | None = None
    council_source: str = ""  # "published" (the file's row for the council) or "kpixl" (its own figure)
    group_mean: Decimal | None = None
    group_count: int = 0  # neighbours with a value
    national: Decimal | None = None
    rank: int | None = None
    of: int = 0  # areas ranked: the council and its neighbours with a value
    tied: bool = False
    quartile: int | None = None  # 1 the best
    note: str = ""  # why there is no rank
    source: str = ""  # where the values came from ("LG Inform")

    @property
    def rank_text(self) -> str:
        """ "4th of 16 statistical neighbours", "joint 4th of 16 statistical neighbours", or ""."""
        if self.rank is None:
            return ""
        return f"{'joint ' if self.tied else ''}{ordinal(self.rank)} of {self.of} {self.group.name}"

    @property
    def quartile_text(self) -> str:
        return "" if self.quartile is None else f"{QUARTILE_WORDS[self.quartile - 1]} quartile"

    @property
    def text(self) -> str:
        """ "4th of 16 statistical neighbours, first quartile", or why there is no rank."""
        if self.rank is None:
            return self.note
        return f"{self.rank_text}, {self.quartile_text}"

    def to_dict(self) -> dict[str, Any]:
        def number(value: Decimal | None) -> str | None:
            return None if value is None else str(value)

        return {"indicator": self.indicator.id, "period": self.period.slug if self.period else None,
                "period_label": self.period.label if self.period else None, "group": self.group.name,
                "council": number(self.council), "council_source": self.council_source,
                "group_mean": number(self.group_mean), "group_count": self.group_count,
                "national": number(self.national), "national_name": self.group.national_name,
                "rank": self.rank, "of": self.of, "tied": self.tied, "quartile": self.quartile,
                "text": self.text, "source": self.source}


def choose_period(values: Iterable[ComparatorValue], group: ComparisonGroup,
                  up_to: date | None) -> BenchmarkPeriod | None:
    """The most recent published period ending by up_to (None: any) with at least one neighbour's value."""
    members = set(group.neighbours)
    periods = {v.period for v in values if v.area_code in members and (up_to is None or v.period.end <= up_to)}
    return max(periods) if periods else None


def benchmark(indicator: Indicator, group: ComparisonGroup, values: Iterable[ComparatorValue],
              up_to: date | None = None, own: Mapping[str, Decimal] | None = None) -> Benchmark:
    """Where the council stands at the most recent period ending by up_to. values: the indicator's published
    values, already in kpixl's terms; own: the council's own figures by period slug, used when the published
    data lack the council's row."""
    values = list(values)
    period = choose_period(values, group, up_to)
    if period is None:
        return Benchmark(indicator, group, None, note=f"No published values for the {group.name} yet.")
    at = {v.area_code: v for v in values if v.period == period}
    neighbours = [at[m].value for m in group.neighbours if m in at]
    mean = sum(neighbours, Decimal(0)) / len(neighbours)
    council, source = (at[group.area].value, "published") if group.area in at else (None, "")
    if council is None and own and period.slug in own:
        council, source = own[period.slug], "kpixl"
    national = at[group.national].value if group.national in at else None
    sources = sorted({v.source for v in at.values() if v.source})
    result = Benchmark(indicator, group, period, council, source, mean, len(neighbours), national,
                       source=", ".join(sources))
    return _ranked(result, neighbours)


def _ranked(result: Benchmark, neighbours: list[Decimal]) -> Benchmark:
    name, direction, council = result.group.name, result.indicator.direction, result.council
    if council is None:
        return _with_note(result, f"No figure for the council for {result.period}: not ranked.")
    if direction is Direction.NONE:
        return _with_note(result, "No direction for improvement: not ranked.")
    ranked = [council, *neighbours]
    if len(ranked) < MIN_RANKED:
        return _with_note(result, f"Too few {name} with a value for {result.period} to rank "
                                  f"({len(ranked)} with the council; {MIN_RANKED} needed).")
    rank, tied = rank_of(council, ranked, direction)
    quartile = -(-4 * rank // len(ranked))  # ceil(4 x rank / N): the best quarter of ranks is the first
    return replace(result, rank=rank, of=len(ranked), tied=tied, quartile=quartile)


def _with_note(result: Benchmark, note: str) -> Benchmark:
    return replace(result, note=note)
