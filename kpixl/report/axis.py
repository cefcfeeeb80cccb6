"""The value axis of every trend chart, by one rule (docs/report.md, "Charts"): the Word chart and the HTML
edition's chart both draw the ValueAxis chosen here, so no chart starts at zero while another does not.

- "zero" (the default): the axis starts at 0 and ends at the first round step at or above the highest figure
  or target; percentages run 0% to 100% (further only when a figure is above 100%). A bar of 2.4 points on a
  47.5-51.5% axis looks like a collapse; on 0-100% it looks like what it is.
- "data" (kpixl.toml [report] value_axis = "data", for a council whose indicators move in narrow bands):
  both ends are the round steps around the figures and targets. The axis's labels then say where it starts.

Either way a negative figure takes the axis below zero. Steps are 1, 2, 2.5 or 5 times a power of ten, at
most MAX_STEPS of them. Pure: no XML, no file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from enum import Enum

from kpixl.domain import Unit

__all__ = ["AxisRule", "ValueAxis", "value_axis"]

MAX_STEPS = 5
_NICE = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))


class AxisRule(str, Enum):
    ZERO = "zero"
    DATA = "data"


@dataclass(frozen=True)
class ValueAxis:
    minimum: Decimal
    maximum: Decimal
    step: Decimal  # between gridlines and labels

    def ticks(self) -> list[Decimal]:
        count = int((self.maximum - self.minimum) / self.step)
        return [self.minimum + self.step * n for n in range(count + 1)]


def _step(span: Decimal) -> Decimal:
    """The smallest round step that covers span in at most MAX_STEPS steps."""
    raw = span / MAX_STEPS
    power = Decimal(10) ** raw.adjusted()  # raw = d.ddd x 10^adjusted
    return next(power * nice for nice in _NICE if power * nice >= raw)


def _down(value: Decimal, step: Decimal) -> Decimal:
    return (value / step).to_integral_value(ROUND_FLOOR) * step


def _up(value: Decimal, step: Decimal) -> Decimal:
    return (value / step).to_integral_value(ROUND_CEILING) * step


def value_axis(values: Iterable[Decimal | None], unit: Unit, rule: AxisRule = AxisRule.ZERO) -> ValueAxis:
    """The axis that shows every value (figures and targets; None is a gap) by the rule."""
    known = [v for v in values if v is not None]
    low, high = (min(known), max(known)) if known else (Decimal(0), Decimal(0))
    rule = rule if known else AxisRule.ZERO
    if rule is AxisRule.ZERO:
        low = min(low, Decimal(0))
        high = max(high, Decimal(1) if unit is Unit.PERCENTAGE else Decimal(0))
    if high == low:  # one flat value (or none): a step of its own size around it
        size = abs(high) or Decimal(1)
        low, high = (low - size, high + size) if rule is AxisRule.DATA else (low, high + size)
        if rule is AxisRule.DATA and known and min(known) >= 0:
            low = max(low, Decimal(0))
    for _ in range(3):  # rounding the ends can widen the span past MAX_STEPS steps: widen the step
        step = _step(high - low)
        minimum, maximum = _down(low, step), _up(high, step)
        if (maximum - minimum) / step <= MAX_STEPS:
            break
        high, low = maximum, minimum
    return ValueAxis(minimum, maximum, step)
