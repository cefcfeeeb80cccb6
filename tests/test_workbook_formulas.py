"""The RAG preview formula against kpixl.domain.figures.rate, without a spreadsheet: the formula is evaluated
in Python with IEEE doubles and exact comparisons (as strict as any spreadsheet can be; LibreOffice itself
compares approximately), on every shape and at the exact band edges, where floating point bites."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.workbook import indicator

from kpixl.domain import Direction, Kind, PercentageBasis, Rag, Tolerances, Unit, rate
from kpixl.workbook.formulas import NOT_A_NUMBER, NOT_RATED, rag_formula


def _round(x: float, places: int) -> float:  # Excel's ROUND: half away from zero, on the shown decimal
    return float(Decimal(repr(x)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


FUNCTIONS = {"IF": lambda c, a, b: a if c else b, "ROUND": _round, "ABS": abs, "NOT": lambda x: not x,
             "ISNUMBER": lambda x: isinstance(x, float)}


def evaluate(formula: str, figure: Any, target: float | None) -> str:
    """Our formulas' subset of Excel: IF (eager, so only for numeric figures), ROUND, ABS, NOT, ISNUMBER."""
    assert formula.startswith("=")
    expr = re.sub(r'(?<![<>])=(?!=)', "==", formula[1:])
    expr = re.sub(r"\b([A-Z]+[0-9]+)\b", lambda m: f"cells[{m.group(1)!r}]", expr)
    return str(eval(expr, {"__builtins__": {}}, {**FUNCTIONS, "cells": {"J2": figure, "G2": target}}))


def expected(ind: Any, figure: Decimal, target: Decimal | None, tol: Tolerances) -> str:
    rag = rate(ind.kind, figure, target, ind.direction, ind.unit, tol)
    return NOT_RATED if rag is Rag.NOT_RATED else rag.value


DEFAULT = Tolerances()


def _both(ind: Any, figure: Decimal, target: Decimal | None, tol: Tolerances = DEFAULT) -> tuple[str, str]:
    formula = rag_formula(ind, target, "J2", "G2", tol)
    got = evaluate(formula, float(figure), None if target is None else float(target))
    return got, expected(ind, figure, target, tol)


EDGES = [  # unit, direction, target, figure, rating
    (Unit.PERCENTAGE, Direction.UP, "0.7", "0.63", "Amber"), (Unit.PERCENTAGE, Direction.UP, "0.7", "0.735", "Green"),
    (Unit.PERCENTAGE, Direction.UP, "0.94", "0.846", "Amber"), (Unit.PERCENTAGE, Direction.UP, "0.94", "0.987", "Green"),
    (Unit.COUNT, Direction.UP, "475381", "427843", "Amber"), (Unit.MONEY, Direction.UP, "1250.5", "1125.45", "Amber"),
    (Unit.HOURS, Direction.DOWN, "50", "55", "Amber"), (Unit.HOURS, Direction.DOWN, "50", "47.5", "Green"),
    (Unit.RATE, Direction.DOWN, "0.3", "0.33", "Amber"), (Unit.RATE, Direction.DOWN, "0.3", "0.285", "Green"),
    (Unit.COUNT, Direction.UP, "0", "0", "Green"), (Unit.COUNT, Direction.DOWN, "0", "1", "Red"),
]


@pytest.mark.parametrize(("unit", "direction", "target", "figure", "rating"), EDGES)
def test_exact_edges(unit: Unit, direction: Direction, target: str, figure: str, rating: str) -> None:
    got, want = _both(indicator("1", unit=unit, direction=direction), Decimal(figure), Decimal(target))
    assert got == want == rating


def test_unrounded_doubles_would_get_the_edges_wrong() -> None:
    """Why the formula rounds: in doubles 98.7% is more than 5% over 94%, and 0.33 more than 10% off 0.3."""
    assert 0.987 - 0.94 > 0.05 * 0.94
    assert 0.33 - 0.3 > 0.1 * 0.3


def test_kinds_words_and_not_rated() -> None:
    for kind, word in ((Kind.BASELINE, "Baseline"), (Kind.CONTEXTUAL, "Contextual"),
                       (Kind.IN_DEVELOPMENT, "In Development")):
        assert _both(indicator("1", kind=kind), Decimal(5), Decimal(7)) == (word, word)
    assert _both(indicator("1"), Decimal(5), None) == (NOT_RATED, NOT_RATED)
    assert _both(indicator("1", direction=Direction.NONE), Decimal(5), Decimal(7)) == (NOT_RATED, NOT_RATED)


def test_empty_and_text_figures() -> None:
    formula = rag_formula(indicator("1"), Decimal(10), "J2", "G2", Tolerances())
    assert formula.startswith('=IF(J2="","",IF(NOT(ISNUMBER(J2)),"' + NOT_A_NUMBER + '",')
    assert evaluate('=IF(J2="","",IF(NOT(ISNUMBER(J2)),"x","y"))', "", 10.0) == ""
    assert evaluate('=IF(J2="","",IF(NOT(ISNUMBER(J2)),"x","y"))', "n/a", 10.0) == "x"


def test_points_basis_scales_by_one_and_relative_by_the_target() -> None:
    points = Tolerances(percentage_basis=PercentageBasis.POINTS)
    assert "ROUND(0.1*1,9)" in rag_formula(indicator("1", unit=Unit.PERCENTAGE), Decimal("0.7"), "J2", "G2", points)
    assert "ROUND(0.1*ABS(G2),9)" in rag_formula(indicator("1", unit=Unit.COUNT), Decimal(7), "J2", "G2", points)


_units = st.sampled_from([Unit.COUNT, Unit.PERCENTAGE, Unit.HOURS, Unit.MONEY, Unit.RATE])
_places = st.integers(0, 4)
_tolerances = st.builds(Tolerances, st.sampled_from([Decimal("0.1"), Decimal("0.05"), Decimal("0.2"), Decimal(0)]),
                        st.sampled_from([Decimal("0.05"), Decimal("0.1"), Decimal(0)]),
                        st.sampled_from(list(PercentageBasis)))


def _decimal(units: int, places: int) -> Decimal:
    return Decimal(units).scaleb(-places)


@given(_units, st.sampled_from([Direction.UP, Direction.DOWN]), st.integers(0, 10**7), st.integers(0, 10**7),
       _places, _tolerances)
def test_any_figure_and_target(unit: Unit, direction: Direction, t: int, f: int, places: int, tol: Tolerances) -> None:
    scale = 6 if unit is Unit.PERCENTAGE else places  # percentages are fractions: up to 4 places of a per cent
    target, figure = _decimal(t, scale), _decimal(f, scale)
    got, want = _both(indicator("1", unit=unit, direction=direction), figure, target, tol)
    assert got == want, (figure, target)


@given(_units, st.sampled_from([Direction.UP, Direction.DOWN]), st.integers(1, 10**6), _places, _tolerances,
       st.sampled_from(["red", "blue"]), st.sampled_from([-1, 0, 1]))
def test_at_and_beside_every_band_edge(unit: Unit, direction: Direction, t: int, places: int, tol: Tolerances,
                                       band: str, nudge: int) -> None:
    target = _decimal(t, places + (2 if unit is Unit.PERCENTAGE else 0))
    points = unit is Unit.PERCENTAGE and tol.percentage_basis is PercentageBasis.POINTS
    width = (tol.red if band == "red" else tol.blue) * (Decimal(1) if points else target)
    sign = 1 if (band == "blue") == (direction is Direction.UP) else -1
    figure = target + sign * width + nudge * Decimal("0.0001")
    if figure < 0:
        return
    got, want = _both(indicator("1", unit=unit, direction=direction), figure, target, tol)
    assert got == want, (figure, target)


def _rate_cells(formula: str, numerator: float, denominator: float) -> Any:
    functions = {**FUNCTIONS, "AND": lambda *a: all(a), "OR": lambda *a: any(a)}
    expr = re.sub(r'(?<![<>])=(?!=)', "==", formula[1:])
    expr = re.sub(r"\b([A-Z]+[0-9]+)\b", lambda m: f"cells[{m.group(1)!r}]", expr)
    return eval(expr, {"__builtins__": {}}, {**functions, "cells": {"I2": numerator, "J2": denominator}})


@given(st.integers(0, 10**6), st.integers(1, 10**6), st.sampled_from([("100", Unit.PERCENTAGE),
                                                                      ("1000", Unit.RATE), ("1", Unit.NUMBER)]))
def test_the_calculated_figure_is_kpixls_rate_of_the_two_counts(numerator: int, denominator: int,
                                                               scaled: tuple[str, Unit]) -> None:
    """rate_formula in doubles, rounded to 10 places, is calculated_rate's Decimal to within a rounding step;
    the RAG preview then rates the same figure."""
    from kpixl.domain.indicators import Calculation
    from kpixl.domain.outlook import calculated_rate
    from kpixl.workbook.formulas import rate_formula

    scale, unit = scaled
    ind = indicator("1", unit=unit, calculation=Calculation("Met", "All", Decimal(scale)))
    got = _rate_cells(rate_formula(ind, "I2", "J2"), float(numerator), float(denominator))
    want = calculated_rate(ind, Decimal(numerator), Decimal(denominator))
    assert want is not None and abs(Decimal(repr(got)) - want) <= Decimal("1e-10") * max(1, abs(want))


def test_the_calculated_figure_says_why_there_is_none() -> None:
    from kpixl.domain.indicators import Calculation
    from kpixl.workbook.formulas import BOTH_COUNTS, rate_formula

    formula = rate_formula(indicator("1", unit=Unit.PERCENTAGE, calculation=Calculation("A", "B", Decimal(100))), "I2", "J2")
    assert formula.startswith('=IF(AND(I2="",J2=""),"",IF(OR(I2="",J2=""),"' + BOTH_COUNTS)
    assert "IF(J2=0," in formula and "ROUND(I2/J2,10)" in formula  # a percentage divides without scaling
    with pytest.raises(ValueError, match="not calculated"):
        rate_formula(indicator("2"), "I2", "J2")
