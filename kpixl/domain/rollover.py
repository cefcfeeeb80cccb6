"""A new year's targets from the year before's (docs/insight.md, section 4): `kpixl register roll`.

Each target (or baseline) of the year before moves to the same period of the new year: the same value, or a
set change in the direction for improvement. Baselines are carried forward; targets already set for the new
year are kept; earlier years' targets stay, because past quarters' reports need them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from kpixl.domain.indicators import Direction, Indicator, Kind, Register, Unit, format_value
from kpixl.domain.periods import FinancialYear, Month, Quarter, parse_period
from kpixl.errors import PeriodError

__all__ = ["Rollover", "TargetChange", "next_period", "roll_register", "year_of"]

_WHOLE, _PERCENT, _OTHER = Decimal(1), Decimal("0.0001"), Decimal("0.01")


def year_of(slug: str) -> FinancialYear | None:
    """The financial year a target's period key belongs to ("2023-24", "2023-24-Q2", "2023-09")."""
    try:
        return FinancialYear.parse(slug)
    except PeriodError:
        pass
    try:
        return parse_period(slug).year
    except PeriodError:
        return None


def next_period(slug: str) -> str:
    """The same period a year on: 2023-24 -> 2024-25, 2023-24-Q2 -> 2024-25-Q2, 2024-01 -> 2025-01."""
    try:
        return FinancialYear(FinancialYear.parse(slug).start + 1).slug
    except PeriodError:
        period = parse_period(slug)
    if isinstance(period, Quarter):
        return Quarter(period.fy + 1, period.number).slug
    return Month(period.calendar_year + 1, period.month).slug


@dataclass(frozen=True)
class TargetChange:
    indicator: str
    title: str
    period_from: str
    period_to: str
    before: Decimal | None  # None: nothing to roll (the note says why)
    after: Decimal | None
    unit: Unit
    rule: str  # "same", "raised 5%", "lowered 5%", "baseline carried forward", "kept: ...", ...

    @property
    def before_text(self) -> str:
        return _shown(self.before, self.unit)

    @property
    def after_text(self) -> str:
        return _shown(self.after, self.unit)

    def to_dict(self) -> dict[str, Any]:
        return {"indicator": self.indicator, "title": self.title, "from": self.period_from, "to": self.period_to,
                "before": None if self.before is None else str(self.before),
                "after": None if self.after is None else str(self.after), "unit": self.unit.value,
                "before_text": self.before_text, "after_text": self.after_text,
                "rule": self.rule}


@dataclass(frozen=True)
class Rollover:
    year: FinancialYear
    uplift: Decimal | None  # None: the same targets
    register: Register  # the register with the new year's targets added
    changes: tuple[TargetChange, ...]  # every target proposed, and every indicator left for a person

    @property
    def proposed(self) -> tuple[TargetChange, ...]:
        return tuple(c for c in self.changes if c.after is not None and c.before is not None)

    @property
    def to_review(self) -> tuple[TargetChange, ...]:
        """Indicators the roll could not set: nothing in the year before, or targets already set."""
        return tuple(c for c in self.changes if c.after is None or c.before is None)


def _shown(value: Decimal | None, unit: Unit) -> str:
    """A target as the report prints it, a percentage with the places it has (73.5%, not 74%)."""
    if value is None:
        return ""
    places = None
    if unit is Unit.PERCENTAGE:
        exponent = (value * 100).normalize().as_tuple().exponent
        places = min(-exponent, 2) if isinstance(exponent, int) and exponent < 0 else 0
    return format_value(value, unit, places)


def _rounded(value: Decimal, unit: Unit) -> Decimal:
    if unit is Unit.PERCENTAGE:
        value = min(max(value, Decimal(0)), Decimal(1))
        return value.quantize(_PERCENT, rounding=ROUND_HALF_UP).normalize()
    quantum = _WHOLE if unit is Unit.COUNT else _OTHER
    return value.quantize(quantum, rounding=ROUND_HALF_UP).normalize() + 0  # + 0: -0 reads as 0


def _rolled(indicator: Indicator, value: Decimal, uplift: Decimal | None) -> tuple[Decimal, str]:
    if indicator.kind is not Kind.TARGET:
        return value, "baseline carried forward"
    if uplift is None or uplift == 0:
        return value, "same"
    if indicator.direction is Direction.NONE:
        return value, "same: no direction for improvement to change it in"
    raw = value * (1 + uplift if indicator.direction is Direction.UP else 1 - uplift)
    percent = f"{(uplift * 100).normalize():f}%"
    rule = f"{'raised' if indicator.direction is Direction.UP else 'lowered'} {percent}"
    if indicator.unit is Unit.PERCENTAGE and not 0 <= raw <= 1:
        rule += f", kept at {'100' if raw > 1 else '0'}%"
    return _rounded(raw, indicator.unit), rule


def _roll_indicator(indicator: Indicator, year: FinancialYear,
                    uplift: Decimal | None) -> tuple[Indicator, list[TargetChange]]:
    source = year.previous()
    had = {slug: v for slug, v in indicator.targets.items() if year_of(slug) == source}
    has = sorted(slug for slug in indicator.targets if year_of(slug) == year)
    empty = TargetChange(indicator.id, indicator.title, source.slug, year.slug, None, None, indicator.unit, "")
    if has:
        return indicator, [dataclasses.replace(empty, rule=f"kept: {year} targets are already set ({', '.join(has)})")]
    if not had:
        return indicator, [dataclasses.replace(empty, rule=f"nothing to roll: no target or baseline in {source}; "
                                                           "set one by hand")]
    targets = dict(indicator.targets)
    changes = []
    for slug in sorted(had, key=_order):
        after, rule = _rolled(indicator, had[slug], uplift)
        targets[next_period(slug)] = after
        changes.append(TargetChange(indicator.id, indicator.title, slug, next_period(slug), had[slug], after,
                                    indicator.unit, rule))
    return dataclasses.replace(indicator, targets=targets), changes


def _order(slug: str) -> tuple[int, str]:
    """The year's own target first, then its periods in time order."""
    try:
        FinancialYear.parse(slug)
        return (0, slug)
    except PeriodError:
        return (1, f"{parse_period(slug).start_date.isoformat()}")


def roll_register(register: Register, year: FinancialYear, uplift: Decimal | None = None) -> Rollover:
    """The register with the year's targets proposed from the year before's (uplift 0.05: a 5% change in the
    direction for improvement; None: the same)."""
    indicators = []
    changes: list[TargetChange] = []
    for indicator in register.indicators:
        rolled, found = _roll_indicator(indicator, year, uplift)
        indicators.append(rolled)
        changes.extend(found)
    new = Register(register.services, register.committees, tuple(indicators))
    return Rollover(year, uplift, new, tuple(changes))
