"""The RAG preview as an Excel formula, built for one row's indicator so that it gives exactly what
kpixl.domain.figures.rate gives for the same figure and target.

The formula shows "" while the figure is empty (the preview appears as the lead types), the kind's word
(Baseline, Contextual, In Development) for indicators without a target, "Not rated" where rate() would not
rate (no target, no direction), and otherwise Red, Amber, Green or Blue by the key's bands.

Floating point: Excel holds 98.7% as the double nearest 0.987, so 98.7% - 94% is 0.04700000000000004
while 5% x 94% is 0.047: exactly 5% over would be Blue. Both sides of every band comparison are rounded to 9 decimal places
(ROUND(x, 9)) before comparing, which recovers the exact decimal for any figure with up to 9 places, so
10.0% off is Amber and 5.0% over is Green as in kpixl's Decimal rules. A zero target needs no rounding:
a difference from zero is exact in binary.

A calculated indicator's figure is a formula too (rate_formula): numerator / denominator x the scale,
rounded to 10 places as kpixl's calculated_rate rounds it, so the preview rates the figure kpixl will store.
"""

from __future__ import annotations

from decimal import Decimal

from kpixl.domain import Direction, Indicator, Kind, PercentageBasis, Tolerances, Unit

__all__ = ["BOTH_COUNTS", "NOT_A_NUMBER", "NOT_RATED", "NO_RATE", "rag_formula", "rate_formula"]

NOT_A_NUMBER = "Not a number"
NOT_RATED = "Not rated"
BOTH_COUNTS = "Needs both counts"
NO_RATE = "No rate: the denominator is 0"
PLACES = 9
RATE_PLACES = 10  # kpixl.domain.outlook.RATE_PLACES


def _num(value: Decimal) -> str:
    """A Decimal as a formula literal: plain digits, never an exponent."""
    text = format(value.normalize(), "f")
    return text if text not in ("-0", "") else "0"


def _banded(gap: str, target: str, unit: Unit, tolerances: Tolerances) -> str:
    points = unit is Unit.PERCENTAGE and tolerances.percentage_basis is PercentageBasis.POINTS
    scale = "1" if points else f"ABS({target})"
    red = f"ROUND({_num(tolerances.red)}*{scale},{PLACES})"
    blue = f"ROUND({_num(tolerances.blue)}*{scale},{PLACES})"
    rounded = f"ROUND({gap},{PLACES})"
    return (f'IF({rounded}<0,IF(-{rounded}>{red},"Red","Amber"),'
            f'IF({rounded}>{blue},"Blue","Green"))')


def _rated(indicator: Indicator, target_value: Decimal | None, figure: str, target: str,
           tolerances: Tolerances) -> str:
    """The rating of a present, numeric figure, as a formula expression."""
    if indicator.kind is not Kind.TARGET:
        return f'"{indicator.kind.label}"'
    if target_value is None or indicator.direction is Direction.NONE:
        return f'"{NOT_RATED}"'
    up = indicator.direction is Direction.UP
    gap = f"({figure}-{target})" if up else f"({target}-{figure})"
    if target_value == 0:
        return f'IF({figure}={target},"Green",IF({gap}>0,"Blue","Red"))'
    return _banded(gap, target, indicator.unit, tolerances)


def rag_formula(indicator: Indicator, target_value: Decimal | None, figure_cell: str, target_cell: str,
                tolerances: Tolerances) -> str:
    """The preview formula for a row whose figure is in figure_cell and target in target_cell (A1 refs).

    target_value is the target written in target_cell: it decides the formula's shape (none, zero, banded),
    while the formula reads the number itself from the cell, so the lead sees what it is compared with."""
    rated = _rated(indicator, target_value, figure_cell, target_cell, tolerances)
    return (f'=IF({figure_cell}="","",IF(NOT(ISNUMBER({figure_cell})),"{NOT_A_NUMBER}",{rated}))')


def rate_formula(indicator: Indicator, numerator_cell: str, denominator_cell: str) -> str:
    """A calculated indicator's figure from its two count cells: "" while both are empty, words while it
    cannot be worked out (the RAG preview then says "Not a number"), else the rate as kpixl calculates it."""
    calculation = indicator.calculation
    if calculation is None:
        raise ValueError(f"indicator {indicator.id} is not calculated")
    n, d = numerator_cell, denominator_cell
    multiplier = calculation.multiplier(indicator.unit)
    scaled = f"{n}/{d}" if multiplier == 1 else f"{n}/{d}*{_num(multiplier)}"
    return (f'=IF(AND({n}="",{d}=""),"",IF(OR({n}="",{d}=""),"{BOTH_COUNTS}",'
            f'IF(OR(NOT(ISNUMBER({n})),NOT(ISNUMBER({d}))),"{NOT_A_NUMBER}",'
            f'IF({d}=0,"{NO_RATE}",ROUND({scaled},{RATE_PLACES})))))')
