"""Calculated indicators, the year to date and the year-end outlook (docs/insight.md, sections 2 and 3).

A calculated indicator's figure is its numerator over its denominator; its year to date adds the parts up,
never the rates. The forecast outturn is a Forecast, its own type: it is never a Figure, and every text it
gives says "Forecast", so a forecast cannot be mistaken for an actual figure anywhere it is shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from enum import Enum
from typing import Any

from kpixl.domain.figures import Figure, FigureStatus, Rag, rate
from kpixl.domain.indicators import (
    DEFAULT_TOLERANCES,
    Frequency,
    Indicator,
    Tolerances,
    Unit,
    format_value,
)
from kpixl.domain.periods import FinancialYear, Month, Period, Quarter

__all__ = ["ADDITIVE_UNITS", "RATE_PLACES", "Forecast", "ForecastMethod", "YearToDate", "annual_target",
           "calculated_figure", "calculated_rate", "count_forecast_to_meet", "forecast", "months_elapsed",
           "periods_of_year", "year_to_date"]

# Units whose figures add up over periods: a quarter's visits plus the next quarter's are the half year's.
ADDITIVE_UNITS = frozenset({Unit.COUNT, Unit.MONEY, Unit.HOURS, Unit.DAYS})
RATE_PLACES = Decimal("1e-10")  # a calculated rate is kept to 10 places: far beyond any printed figure
MEETS = (Rag.GREEN, Rag.BLUE)

Figures = Mapping[tuple[str, str], Figure]


def _places(value: Decimal) -> Decimal:
    return value.quantize(RATE_PLACES, rounding=ROUND_HALF_EVEN).normalize()


def calculated_rate(indicator: Indicator, numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """numerator / denominator x the indicator's scale, in Decimal; None for a zero denominator (no rate) or
    an indicator that is not calculated."""
    calculation = indicator.calculation
    if calculation is None or denominator == 0:
        return None
    return _places(numerator * calculation.multiplier(indicator.unit) / denominator)


def calculated_figure(indicator: Indicator, period: Period, numerator: Decimal | None,
                      denominator: Decimal | None, status: FigureStatus = FigureStatus.VALIDATED,
                      reason: str = "", commentary: str = "", actions: str = "", action_owner: str = "",
                      action_due: date | None = None) -> Figure:
    """A calculated indicator's figure from its two counts: the value is their rate (None when either is
    missing or the denominator is zero). The return reader calls this once a row has its two input cells."""
    value = None
    if numerator is not None and denominator is not None:
        value = calculated_rate(indicator, numerator, denominator)
    return Figure(indicator.id, period, value, status, reason, commentary, actions, numerator, denominator,
                  action_owner, action_due)


def periods_of_year(indicator: Indicator, year: FinancialYear) -> tuple[Period, ...]:
    """The periods an indicator reports in a financial year: its quarters, or its twelve months."""
    if indicator.frequency is Frequency.MONTHLY:
        return tuple(m for q in year.quarters() for m in q.months())
    return year.quarters()


def months_elapsed(period: Period) -> int:
    """Months of the financial year up to the end of the period: Q2 is 6, September is 6, March is 12."""
    if isinstance(period, Quarter):
        return 3 * period.number
    return len(period.periods_to_date())


@dataclass(frozen=True)
class YearToDate:
    """The year so far up to a period: its value, or None with the periods whose figures are missing."""

    period: Period
    value: Decimal | None
    how: str  # "cumulative figure", "sum of figures", "sum of parts"
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    missing: tuple[str, ...] = ()  # period slugs without a usable figure (or parts)


def year_to_date(indicator: Indicator, period: Period, figures: Figures) -> YearToDate | None:
    """The year to date at a period, or None when the indicator's figures do not add up (a percentage or
    rate without its parts)."""
    if indicator.cumulative:
        current = figures.get((indicator.id, period.slug))
        value = current.usable if current else None
        return YearToDate(period, value, "cumulative figure", current.numerator if current else None,
                          current.denominator if current else None, () if value is not None else (period.slug,))
    so_far = [figures.get((indicator.id, p.slug)) for p in period.periods_to_date()]
    slugs = [p.slug for p in period.periods_to_date()]
    if indicator.calculation is not None:
        missing = tuple(s for s, f in zip(slugs, so_far)
                        if f is None or f.usable is None or f.numerator is None or f.denominator is None)
        if missing:
            return YearToDate(period, None, "sum of parts", missing=missing)
        numerator = sum((f.numerator for f in so_far if f and f.numerator is not None), Decimal(0))
        denominator = sum((f.denominator for f in so_far if f and f.denominator is not None), Decimal(0))
        return YearToDate(period, calculated_rate(indicator, numerator, denominator), "sum of parts",
                          numerator, denominator)
    if indicator.unit not in ADDITIVE_UNITS:
        return None
    missing = tuple(s for s, f in zip(slugs, so_far) if f is None or f.usable is None)
    if missing:
        return YearToDate(period, None, "sum of figures", missing=missing)
    return YearToDate(period, sum((f.usable for f in so_far if f and f.usable is not None), Decimal(0)),
                      "sum of figures")


def annual_target(indicator: Indicator, year: FinancialYear) -> Decimal | None:
    """The target the year's outturn is rated against (docs/insight.md): the last period's for a cumulative
    figure or a rate, the sum of every period's for an additive figure that is not cumulative."""
    periods = periods_of_year(indicator, year)
    if indicator.cumulative or indicator.calculation is not None or indicator.unit not in ADDITIVE_UNITS:
        return indicator.target_for(periods[-1])
    targets = [indicator.target_for(p) for p in periods]
    if any(t is None for t in targets):
        return None
    return sum((t for t in targets if t is not None), Decimal(0))


class ForecastMethod(str, Enum):
    PROFILE = "last year's profile"
    RUN_RATE = "run rate"
    RATE_SO_FAR = "rate so far"
    YEAR_COMPLETE = "year complete"


@dataclass(frozen=True)
class Forecast:
    """A forecast outturn for the financial year: never an actual figure, and labelled so in every text."""

    indicator: Indicator
    period: Period  # the year so far ends with this period
    year_to_date: Decimal
    value: Decimal  # the forecast outturn
    method: ForecastMethod
    months: int  # months of the year elapsed
    annual_target: Decimal | None
    rag: Rag  # of the forecast against the annual target

    LABEL = "Forecast"

    @property
    def meets_target(self) -> bool:
        return self.rag in MEETS

    def _shown(self, value: Decimal | None) -> str:
        return format_value(value, self.indicator.unit, self.indicator.decimals)

    @property
    def value_text(self) -> str:
        """ "Forecast: 1,216": the value with its label, never the bare number."""
        return f"{self.LABEL}: {self._shown(self.value)}"

    @property
    def text(self) -> str:
        """ "Forecast year-end: 1,216 (run rate from 608 in 6 months)", for a page or a table."""
        return (f"{self.LABEL} year-end: {self._shown(self.value)} ({self.method.value} from "
                f"{self._shown(self.year_to_date)} in {self.months} months)")

    def to_dict(self) -> dict[str, Any]:
        """JSON with every key saying forecast: it can be merged into a figure's record without confusion."""
        return {
            "forecast_outturn": str(self.value), "forecast_text": self.value_text,
            "forecast_method": self.method.value, "forecast_year_to_date": str(self.year_to_date),
            "forecast_months_elapsed": self.months,
            "forecast_annual_target": None if self.annual_target is None else str(self.annual_target),
            "forecast_rag": self.rag.value, "forecast_meets_target": self.meets_target,
        }


def forecast(indicator: Indicator, quarter: Quarter | Month, figures: Figures,
             tolerances: Tolerances = DEFAULT_TOLERANCES) -> Forecast | None:
    """The forecast outturn of the indicator's year, from the year so far up to its reporting period in the
    quarter (or up to the month given); None when the year to date is not known."""
    period = indicator.reporting_period(quarter) if isinstance(quarter, Quarter) else quarter
    so_far = year_to_date(indicator, period, figures)
    if so_far is None or so_far.value is None:
        return None
    months = months_elapsed(period)
    value, method = _outturn(indicator, period, so_far.value, months, figures)
    target = annual_target(indicator, period.year)
    rag = rate(indicator.kind, value, target, indicator.direction, indicator.unit,
               indicator.tolerances or tolerances)
    return Forecast(indicator, period, so_far.value, value, method, months, target, rag)


def _outturn(indicator: Indicator, period: Period, ytd: Decimal, months: int,
             figures: Figures) -> tuple[Decimal, ForecastMethod]:
    if months >= 12:
        return ytd, ForecastMethod.YEAR_COMPLETE
    if indicator.calculation is not None or indicator.unit not in ADDITIVE_UNITS:
        return ytd, ForecastMethod.RATE_SO_FAR
    last_year = year_to_date(indicator, period.same_period_last_year(), figures)
    outturn = year_to_date(indicator, periods_of_year(indicator, period.year.previous())[-1], figures)
    if last_year and outturn and last_year.value and outturn.value is not None:
        return _places(ytd * outturn.value / last_year.value), ForecastMethod.PROFILE
    return _places(ytd * 12 / months), ForecastMethod.RUN_RATE


def count_forecast_to_meet(forecasts: Iterable[Forecast | None]) -> int:
    """How many indicators are forecast to meet their annual target (Green or Blue)."""
    return sum(1 for f in forecasts if f is not None and f.meets_target)
