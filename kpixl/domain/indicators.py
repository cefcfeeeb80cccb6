"""Indicators (KPIs), the services that own them and the committees they report to.

Figures are Decimals throughout so that rules are exact at their boundaries. A percentage is held as a
fraction (68% is Decimal("0.68")), as Excel holds it; its unit formats it back to "68%".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum

from kpixl.domain.periods import Month, Period, Quarter, period_start

__all__ = ["DEFAULT_TOLERANCES", "NONE_SET", "Calculation", "Committee", "Comparison", "Direction", "Frequency", "Indicator", "Kind", "Link", "PercentageBasis", "Register", "Service", "Tolerances", "Unit", "ZeroTarget", "format_value", "is_email", "is_safe_url"]

class Direction(str, Enum):
    UP = "up"
    DOWN = "down"
    NONE = "none"

    @property
    def arrow(self) -> str:
        """As the headline table prints it: an arrow, or "NA" where no direction is better."""
        return {"up": "↑", "down": "↓", "none": "NA"}[self.value]

    @property
    def words(self) -> str:
        return {"up": "Higher is better", "down": "Lower is better", "none": "No direction"}[self.value]


class Frequency(str, Enum):
    QUARTERLY = "quarterly"
    MONTHLY = "monthly"

    @property
    def period_word(self) -> str:
        return "Quarter" if self is Frequency.QUARTERLY else "Month"


class Comparison(str, Enum):
    PREVIOUS_PERIOD = "previous_period"
    SAME_PERIOD_LAST_YEAR = "same_period_last_year"


class Kind(str, Enum):
    TARGET = "target"
    BASELINE = "baseline"
    CONTEXTUAL = "contextual"
    IN_DEVELOPMENT = "in_development"

    @property
    def label(self) -> str:
        return {
            "target": "Target",
            "baseline": "Baseline",
            "contextual": "Contextual",
            "in_development": "In Development",
        }[self.value]


class Unit(str, Enum):
    COUNT = "count"
    PERCENTAGE = "percentage"
    HOURS = "hours"
    MONEY = "money"
    RATE = "rate"
    NUMBER = "number"
    DAYS = "days"

    @property
    def words(self) -> str:
        return {
            "count": "a whole number",
            "percentage": "a percentage (68% is typed 68%)",
            "hours": "a number of hours",
            "money": "an amount in pounds",
            "rate": "a rate (per the description)",
            "number": "a number",
            "days": "a number of days",
        }[self.value]

    @property
    def label(self) -> str:
        """As the workbook's Unit column prints it: "Count", "Percentage", "Money (£)"."""
        return "Money (£)" if self is Unit.MONEY else self.value.capitalize()

    @property
    def whole(self) -> bool:
        """Counts are whole numbers; every other unit may carry decimals."""
        return self is Unit.COUNT


class ZeroTarget(str, Enum):
    """What RAG means when the target is zero, where "10% of the target" is no margin at all.

    EXACT (default): meeting zero exactly is Green, any figure on the wrong side is Red and any on the
    right side is Blue. Typical zero targets ("no children placed out of county") are strict.
    """

    EXACT = "exact"


class PercentageBasis(str, Enum):
    """How "off target by 10%" reads for a percentage indicator.

    RELATIVE (default): 10% of the target (target 70%: Amber down to 63%). This is how the key reads for
    every unit, and all the seed's ratings agree with it.
    POINTS: percentage points (target 70%: Amber down to 60%).
    """

    RELATIVE = "relative"
    POINTS = "points"


@dataclass(frozen=True)
class Tolerances:
    """The key's bands. A council may change them, for all indicators or for one.

    red: off target by more than this is Red (10%); off by this or less is Amber.
    blue: over target by more than this is Blue (5%); over by this or less is Green.
    """

    red: Decimal = Decimal("0.10")
    blue: Decimal = Decimal("0.05")
    percentage_basis: PercentageBasis = PercentageBasis.RELATIVE
    zero_target: ZeroTarget = ZeroTarget.EXACT


DEFAULT_TOLERANCES = Tolerances()


NONE_SET = "None set"  # the words for a target or baseline that is not set, everywhere kpixl prints one

_EMAIL = re.compile(r"[^@\s<>(),;:\"]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
_URL = re.compile(r"https?://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(:[0-9]+)?([/?#][^\s]*)?")


def is_email(text: str) -> bool:
    return bool(_EMAIL.fullmatch(text.strip()))


def is_safe_url(text: str) -> bool:
    """Only web addresses and mail links go into a report: http, https, mailto."""
    text = text.strip()
    if text.lower().startswith("mailto:"):
        return is_email(text[7:].split("?")[0])
    return bool(_URL.fullmatch(text))


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Calculation:
    """A calculated indicator: its figure is numerator / denominator x scale, from two counts (docs/insight.md).

    scale is as the register says it: 100 for a percentage (kpixl holds 68% as 0.68, so a percentage's rate is
    the plain fraction), 1000 for a rate per 1,000, 1 for a plain ratio.
    """

    numerator: str  # what the workbook row asks for, e.g. "Courses achieved"
    denominator: str  # e.g. "Courses completed"
    scale: Decimal = Decimal(1)

    def multiplier(self, unit: Unit) -> Decimal:
        """What numerator / denominator is multiplied by to give the figure kpixl keeps."""
        return self.scale / 100 if unit is Unit.PERCENTAGE else self.scale


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    lead_name: str = ""
    lead_email: str = ""
    directorate: str = ""
    # Who else may send the return, and is copied into reminders after the deadline ([reminders] copy).
    deputy_name: str = ""
    deputy_email: str = ""
    cc: tuple[str, ...] = ()  # addresses copied into reminders after the deadline (a lead's manager)

    def may_send(self, address: str) -> bool:
        """Whether a return from this address comes from the service's lead or deputy."""
        known = {a.strip().casefold() for a in (self.lead_email, self.deputy_email) if a.strip()}
        return address.strip().casefold() in known


@dataclass(frozen=True)
class Committee:
    id: str
    name: str


@dataclass(frozen=True)
class Indicator:
    id: str
    title: str
    service: str
    committees: tuple[str, ...]
    unit: Unit = Unit.COUNT
    direction: Direction = Direction.UP
    frequency: Frequency = Frequency.QUARTERLY
    comparison: Comparison = Comparison.PREVIOUS_PERIOD
    cumulative: bool = False
    kind: Kind = Kind.TARGET
    # Target (kind TARGET) or baseline (other kinds) by period slug ("2023-24-Q2" or "2023-09"). A figure
    # under the financial year's slug ("2023-24") applies to every period of that year without its own.
    targets: dict[str, Decimal] = field(default_factory=dict, hash=False, compare=True)
    description: str = ""
    links: tuple[Link, ...] = ()
    links_note: str = ""  # e.g. "There is no public facing data available for this KPI"
    data_source: str = ""
    decimals: int | None = None  # places shown; None: the unit's default
    tolerances: Tolerances | None = None  # None: the council's defaults
    statistical_neighbours_mean: Decimal | None = None
    england_mean: Decimal | None = None
    calculation: Calculation | None = None  # None: the figure is typed, not calculated from two counts
    benchmark_metric: str = ""  # the published metric that compares with it (an LG Inform metric id)

    @property
    def number(self) -> str:
        return self.id

    @property
    def target_word(self) -> str:
        """The headline table's first heading: "Target" or "Baseline"."""
        return "Target" if self.kind in (Kind.TARGET, Kind.IN_DEVELOPMENT) else "Baseline"

    @property
    def in_development(self) -> bool:
        """Its measure is still being defined: its workbook row offers no target, and every page says "In
        Development" where a target would be."""
        return self.kind is Kind.IN_DEVELOPMENT

    @property
    def carries_forward(self) -> bool:
        """A baseline stands until a new one is set (the seed's baselines come from the year before); a
        target is for its own period only, since targets are set each year and may be profiled."""
        return self.kind in (Kind.BASELINE, Kind.CONTEXTUAL)

    def target_for(self, period: Period) -> Decimal | None:
        """The target (or baseline) of a period: its own, else its quarter's, else its year's; for a
        baseline, else the latest one set for an earlier period. The one rule the workbook, `kpixl
        indicators` and the report all use."""
        keys = [period.slug]
        if isinstance(period, Month):
            keys.append(period.quarter().slug)
        keys.append(period.year.slug)
        for key in keys:
            if key in self.targets:
                return self.targets[key]
        return self._carried(period) if self.carries_forward else None

    def _carried(self, period: Period) -> Decimal | None:
        """The baseline set for the latest period that starts before this one (a year counts from April)."""
        latest: tuple[date, Decimal] | None = None
        for key, value in self.targets.items():
            start = period_start(key)
            if start is not None and start < period.start_date and (latest is None or start >= latest[0]):
                latest = (start, value)
        return None if latest is None else latest[1]

    @property
    def figure_text(self) -> str:
        """What the workbook, `kpixl indicators` and the report print where no target (or baseline) is
        set: the seed's "In Development" for that kind, else "None set"."""
        return "In Development" if self.in_development else NONE_SET

    def comparison_period(self, period: Period) -> Period:
        if self.comparison is Comparison.SAME_PERIOD_LAST_YEAR:
            return period.same_period_last_year()
        return period.previous()

    def periods_in(self, quarter: Quarter) -> tuple[Period, ...]:
        """The periods a quarter's return asks for: the quarter, or each of its months."""
        if self.frequency is Frequency.MONTHLY:
            return quarter.months()
        return (quarter,)

    def reporting_period(self, quarter: Quarter) -> Period:
        """The period whose figure a quarter's report shows: the quarter, or its last month."""
        return self.periods_in(quarter)[-1]


_QUANTA = tuple(Decimal(1).scaleb(-places) for places in range(12))  # 1, 0.1, 0.01, ...: made once


def _group_thousands(value: Decimal, places: int) -> str:
    quantum = _QUANTA[places] if 0 <= places < len(_QUANTA) else Decimal(1).scaleb(-places)
    rounded = value.quantize(quantum, rounding=ROUND_HALF_UP)
    return f"{rounded:,.{places}f}"


def format_value(value: Decimal | None, unit: Unit, decimals: int | None = None) -> str:
    """A figure as the report prints it: "380,018", "68%", "£1,250", "12.5 hours" is "12.5"."""
    if value is None:
        return "Not available"
    if unit is Unit.PERCENTAGE:
        places = 0 if decimals is None else decimals
        return _group_thousands(value * 100, places) + "%"
    if unit is Unit.MONEY:
        places = 0 if decimals is None else decimals
        text = _group_thousands(abs(value), places)
        return ("-£" if value < 0 else "£") + text
    if decimals is None:
        decimals = 0 if value == value.to_integral_value() else min(2, max(1, -value.as_tuple().exponent))  # type: ignore[operator]
    return _group_thousands(value, decimals)


@dataclass(frozen=True)
class Register:
    """Services, committees and indicators in the order the council wrote them: workbooks, `kpixl
    indicators` and reports list indicators in that order. Ids are kept as written; looking one up ignores
    case ("r03" finds R03), and the register check refuses two ids that differ only in case."""

    services: tuple[Service, ...] = ()
    committees: tuple[Committee, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    _by_id: dict[str, Indicator] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for indicator in self.indicators:  # the first of a duplicated id wins; the check reports the rest
            self._by_id.setdefault(indicator.id.casefold(), indicator)

    def indicator(self, indicator_id: str) -> Indicator | None:
        """The indicator with this id, whatever its case ("r03" finds R03)."""
        return self._by_id.get(indicator_id.strip().casefold())

    def service(self, service_id: str) -> Service | None:
        """The service with this id, whatever its case."""
        wanted = service_id.strip().casefold()
        return next((s for s in self.services if s.id.casefold() == wanted), None)

    def committee(self, name_or_id: str) -> Committee | None:
        """A committee by its id or its name, ignoring case (people type either)."""
        wanted = name_or_id.strip().casefold()
        return next((c for c in self.committees if wanted in (c.id.casefold(), c.name.casefold())), None)

    def indicators_of_service(self, service_id: str) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.service == service_id)

    def indicators_of_committee(self, committee_id: str) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if committee_id in i.committees)

    def services_reporting(self, quarter: Quarter) -> tuple[Service, ...]:
        """Services with at least one indicator (every indicator reports every quarter)."""
        owners = {i.service for i in self.indicators}
        return tuple(s for s in self.services if s.id in owners)
