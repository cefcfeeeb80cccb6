"""RAG and Change in Performance: every seed figure DOMAIN.md pins, the exact boundaries, and properties."""

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpixl.domain import (
    Change,
    Direction,
    Kind,
    PercentageBasis,
    Rag,
    Tolerances,
    Unit,
    change_in_performance,
    rate,
)

UP, DOWN, NONE = Direction.UP, Direction.DOWN, Direction.NONE


@pytest.mark.parametrize(
    "indicator, target, actual, unit, expected",
    [
        ("198", "0.70", "0.68", Unit.PERCENTAGE, Rag.AMBER),
        ("220", "0.60", "0.55", Unit.PERCENTAGE, Rag.AMBER),
        ("222", "0.65", "0.51", Unit.PERCENTAGE, Rag.RED),
        ("219", "0.74", "0.99", Unit.PERCENTAGE, Rag.BLUE),
        ("37", "475381", "380018", Unit.COUNT, Rag.RED),
        ("221", "291", "296", Unit.HOURS, Rag.GREEN),
    ],
)
def test_seed_ratings(indicator: str, target: str, actual: str, unit: Unit, expected: Rag) -> None:
    assert rate(Kind.TARGET, D(actual), D(target), UP, unit) is expected, indicator


@pytest.mark.parametrize(
    "current, comparison, direction, expected",
    [
        ("380018", "351220", UP, Change.IMPROVING),  # 37
        ("608", "1107", UP, Change.DECLINING),  # 136
        ("120", "120", UP, Change.UNCHANGED),  # 174
        ("789", "944", NONE, Change.NOT_APPLICABLE),  # 175
        ("5", "7", DOWN, Change.IMPROVING),
        (None, "7", UP, Change.NOT_APPLICABLE),
    ],
)
def test_seed_changes(current: str | None, comparison: str, direction: Direction, expected: Change) -> None:
    value = None if current is None else D(current)
    assert change_in_performance(value, D(comparison), direction) is expected


@pytest.mark.parametrize(
    "actual, expected",
    [
        ("89.99", Rag.RED), ("90", Rag.AMBER), ("90.01", Rag.AMBER), ("99.99", Rag.AMBER),
        ("100", Rag.GREEN), ("105", Rag.GREEN), ("105.01", Rag.BLUE),
    ],
)
def test_boundaries_are_exact_up(actual: str, expected: Rag) -> None:
    assert rate(Kind.TARGET, D(actual), D(100), UP) is expected


@pytest.mark.parametrize(
    "actual, expected",
    [("110.01", Rag.RED), ("110", Rag.AMBER), ("100", Rag.GREEN), ("95", Rag.GREEN), ("94.99", Rag.BLUE)],
)
def test_boundaries_are_exact_down(actual: str, expected: Rag) -> None:
    assert rate(Kind.TARGET, D(actual), D(100), DOWN) is expected


def test_boundaries_hold_for_awkward_decimals() -> None:
    # 10% off a 70% target is 63%: floats make 0.7 - 0.07 = 0.6300000000000001; Decimals do not.
    assert rate(Kind.TARGET, D("0.63"), D("0.7"), UP, Unit.PERCENTAGE) is Rag.AMBER
    assert rate(Kind.TARGET, D("0.735"), D("0.7"), UP, Unit.PERCENTAGE) is Rag.GREEN


def test_percentage_points_basis_is_settable() -> None:
    points = Tolerances(percentage_basis=PercentageBasis.POINTS)
    # 70% target, 61%: 12.9% off relatively (Red), 9 points off (Amber).
    assert rate(Kind.TARGET, D("0.61"), D("0.70"), UP, Unit.PERCENTAGE) is Rag.RED
    assert rate(Kind.TARGET, D("0.61"), D("0.70"), UP, Unit.PERCENTAGE, points) is Rag.AMBER
    assert rate(Kind.TARGET, D("0.60"), D("0.70"), UP, Unit.PERCENTAGE, points) is Rag.AMBER
    assert rate(Kind.TARGET, D("0.5999"), D("0.70"), UP, Unit.PERCENTAGE, points) is Rag.RED


def test_tolerances_are_settable() -> None:
    strict = Tolerances(red=D("0.05"), blue=D("0.02"))
    assert rate(Kind.TARGET, D(94), D(100), UP, tolerances=strict) is Rag.RED
    assert rate(Kind.TARGET, D(103), D(100), UP, tolerances=strict) is Rag.BLUE


@pytest.mark.parametrize(
    "actual, direction, expected",
    [("0", DOWN, Rag.GREEN), ("1", DOWN, Rag.RED), ("0", UP, Rag.GREEN), ("1", UP, Rag.BLUE)],
)
def test_zero_target(actual: str, direction: Direction, expected: Rag) -> None:
    assert rate(Kind.TARGET, D(actual), D(0), direction) is expected


@pytest.mark.parametrize("kind, expected", [(Kind.BASELINE, Rag.BASELINE), (Kind.CONTEXTUAL, Rag.CONTEXTUAL),
                                            (Kind.IN_DEVELOPMENT, Rag.IN_DEVELOPMENT)])
def test_kind_decides_for_untargeted_indicators(kind: Kind, expected: Rag) -> None:
    assert rate(kind, D(1), D(100), UP) is expected
    assert rate(kind, None, None, NONE) is expected


def test_no_figure_no_target_or_no_direction_is_not_rated() -> None:
    assert rate(Kind.TARGET, None, D(1), UP) is Rag.NOT_RATED
    assert rate(Kind.TARGET, D(1), None, UP) is Rag.NOT_RATED
    assert rate(Kind.TARGET, D(1), D(1), NONE) is Rag.NOT_RATED


decimals = st.decimals(min_value=-10**6, max_value=10**6, places=4, allow_nan=False, allow_infinity=False)
units = st.sampled_from([Unit.COUNT, Unit.PERCENTAGE])
bases = st.sampled_from(list(PercentageBasis))
GOODNESS = [Rag.RED, Rag.AMBER, Rag.GREEN, Rag.BLUE]


@given(decimals, decimals, units, bases)
def test_mirrored_direction_gives_the_same_rating(actual: D, target: D, unit: Unit, basis: PercentageBasis) -> None:
    tol = Tolerances(percentage_basis=basis)
    up = rate(Kind.TARGET, actual, target, UP, unit, tol)
    # Mirror every figure around zero: a lower-is-better indicator of the negated figures.
    down = rate(Kind.TARGET, -actual, -target, DOWN, unit, tol)
    assert up is down


@given(decimals, decimals, decimals, st.sampled_from([UP, DOWN]), units, bases)
def test_a_better_figure_never_worsens_the_rating(a: D, b: D, target: D, direction: Direction, unit: Unit,
                                                  basis: PercentageBasis) -> None:
    tol = Tolerances(percentage_basis=basis)
    worse, better = sorted((a, b)) if direction is UP else sorted((a, b), reverse=True)
    r_worse = rate(Kind.TARGET, worse, target, direction, unit, tol)
    r_better = rate(Kind.TARGET, better, target, direction, unit, tol)
    assert GOODNESS.index(r_better) >= GOODNESS.index(r_worse)


@given(decimals, decimals, st.sampled_from([UP, DOWN]))
def test_change_is_antisymmetric(a: D, b: D, direction: Direction) -> None:
    forward, backward = change_in_performance(a, b, direction), change_in_performance(b, a, direction)
    flipped = {Change.IMPROVING: Change.DECLINING, Change.DECLINING: Change.IMPROVING,
               Change.UNCHANGED: Change.UNCHANGED}
    assert backward is flipped[forward]
