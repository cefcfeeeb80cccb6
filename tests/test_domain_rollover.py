"""A new year's targets from last year's (docs/insight.md, section 4)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from support.insight import indicator

from kpixl.domain import Direction, Frequency, Kind, Register, Unit
from kpixl.domain.periods import FinancialYear
from kpixl.domain.rollover import next_period, roll_register

NEW = FinancialYear(2024)


@pytest.mark.parametrize("slug, expected", [("2023-24", "2024-25"), ("2023-24-Q2", "2024-25-Q2"),
                                            ("2023-09", "2024-09"), ("2024-01", "2025-01")])
def test_each_period_moves_on_a_year(slug: str, expected: str) -> None:
    assert next_period(slug) == expected


def roll(*indicators, uplift=None):  # type: ignore[no-untyped-def]
    return roll_register(Register(indicators=tuple(indicators)), NEW, uplift)


def test_same_targets_by_default_and_earlier_years_kept() -> None:
    ind = indicator("37", targets={"2022-23-Q2": D(400000), "2023-24-Q2": D(475381), "2023-24": D(1900000)})
    result = roll(ind)
    rolled = result.register.indicator("37")
    assert rolled is not None and rolled.targets == {"2022-23-Q2": D(400000), "2023-24-Q2": D(475381),
                                                     "2023-24": D(1900000), "2024-25-Q2": D(475381),
                                                     "2024-25": D(1900000)}
    assert [(c.period_from, c.period_to, c.rule) for c in result.proposed] == \
        [("2023-24", "2024-25", "same"), ("2023-24-Q2", "2024-25-Q2", "same")]


@pytest.mark.parametrize("direction, unit, before, after, rule", [
    (Direction.UP, Unit.COUNT, "475381", "499150", "raised 5%"),  # 499,150.05 rounded to a whole count
    (Direction.DOWN, Unit.HOURS, "291", "276.45", "lowered 5%"),
    (Direction.UP, Unit.PERCENTAGE, "0.7", "0.735", "raised 5%"),
    (Direction.UP, Unit.PERCENTAGE, "0.99", "1", "raised 5%, kept at 100%"),
    (Direction.NONE, Unit.COUNT, "10", "10", "same: no direction for improvement to change it in"),
    (Direction.UP, Unit.COUNT, "0", "0", "raised 5%"),
])
def test_an_uplift_follows_the_direction_for_improvement(direction: Direction, unit: Unit, before: str,
                                                         after: str, rule: str) -> None:
    result = roll(indicator("1", direction=direction, unit=unit, targets={"2023-24-Q1": D(before)}),
                  uplift=D("0.05"))
    [change] = result.proposed
    assert (change.after, change.rule) == (D(after), rule)


def test_baselines_are_carried_forward_unchanged() -> None:
    result = roll(indicator("179", kind=Kind.CONTEXTUAL, targets={"2023-24-Q2": D(98)}), uplift=D("0.1"))
    [change] = result.proposed
    assert (change.after, change.rule) == (D(98), "baseline carried forward")


def test_monthly_targets_roll_month_by_month() -> None:
    ind = indicator("221", frequency=Frequency.MONTHLY, targets={"2023-09": D(291), "2024-03": D(280)})
    result = roll(ind)
    assert [(c.period_from, c.period_to) for c in result.proposed] == [("2023-09", "2024-09"),
                                                                       ("2024-03", "2025-03")]


def test_what_the_roll_cannot_set_is_left_for_review() -> None:
    has = indicator("1", targets={"2023-24-Q1": D(5), "2024-25-Q1": D(7)})
    none = indicator("2", targets={"2021-22-Q1": D(5)})
    result = roll(has, none)
    assert result.proposed == ()
    assert [(c.indicator, c.rule) for c in result.to_review] == [
        ("1", "kept: 2024/25 targets are already set (2024-25-Q1)"),
        ("2", "nothing to roll: no target or baseline in 2023/24; set one by hand")]
    assert result.register.indicator("1") == has
