"""Numbers as people type them."""

from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpixl.domain.numbers import parse_number, shown_decimal, to_decimal
from kpixl.errors import NotANumber


@pytest.mark.parametrize(
    "raw, value, percent",
    [
        ("1,234", D(1234), False), (" 96 326 ", D(96326), False), ("68%", D("0.68"), True),
        ("1,234,567.5", D("1234567.5"), False), ("£1,250", D(1250), False), ("96\u00a0326", D(96326), False),
        ("-5", D(-5), False), (68, D(68), False), (0.68, D("0.68"), False), ("12.5 %", D("0.125"), True),
    ],
)
def test_typed_numbers(raw: object, value: D, percent: bool) -> None:
    parsed = parse_number(raw)
    assert (parsed.value, parsed.percent_sign) == (value, percent)


@pytest.mark.parametrize("raw", ["n/a", "tbc", "", "1,23", "12-3", True, date(2023, 9, 1), "1e999999999", "x" * 99])
def test_not_numbers_say_so(raw: object) -> None:
    with pytest.raises(NotANumber):
        parse_number(raw)


def test_floats_keep_their_decimal_meaning() -> None:
    assert to_decimal(0.68) == D("0.68")
    assert to_decimal(380018.0) == D(380018)


@pytest.mark.parametrize("cell, stored", [
    # What Excel and LibreOffice show, and so what kpixl stores: the shortest decimal that reads back as the
    # cell's double, rounded to 15 significant digits, halves away from zero (issue 12: these were stored
    # with their 16th and 17th digits, or, below 1e-12, as 0).
    (0.1 + 0.2, "0.3"), (0.7391304347826086, "0.739130434782609"), (1.2345678901234567, "1.23456789012346"),
    (9007199254740993, "9.00719925474099E+15"), (2134798607145905.0, "2.13479860714591E+15"),
    (1e-13, "1E-13"), (5.551115123125783e-17, "5.551E-17"),  # below 1e-5 LibreOffice stops at 20 decimals
    (1.45019048312855e-124, "1.45019048312855E-124"), (-0.0015, "-0.0015"), (-0.0, "0"),
])
def test_a_number_cell_is_stored_as_spreadsheets_show_it(cell: float, stored: str) -> None:
    assert shown_decimal(cell) == to_decimal(cell) == D(stored)
    parsed = parse_number(cell)
    exact = D(cell) if isinstance(cell, int) else D(repr(cell))
    assert parsed.value == D(stored) and parsed.held == (None if exact == D(stored) else exact)


def test_a_whole_number_is_stored_in_its_plain_spelling() -> None:
    """The store keeps a Decimal's own spelling: 351300 typed must not come back as 3.513E+5."""
    assert [str(to_decimal(x)) for x in (351300, 351300.0, 100.0, 9007199254740993)] == [
        "351300", "351300", "100", "9007199254740990"]


def test_the_tie_is_rounded_from_the_shortest_decimal_not_the_binary_value() -> None:
    # 2.134798607145905e16 is 2.1347986071459048e16 in binary: .15g gives ...590, LibreOffice shows ...591.
    assert shown_decimal(2.134798607145905e16) == D("2.13479860714591E+16")
    assert f"{2.134798607145905e16:.15g}" == "2.1347986071459e+16"


@pytest.mark.parametrize("typed", ["\u0661\u0662", "\uff11\uff12", "1\u0662", "\u0967,234", "12.\u0665", "\u0661%"])
def test_only_the_digits_0_to_9_make_a_number(typed: str) -> None:
    """Arabic-Indic, full-width and Devanagari digits matched \\d, and Decimal reads them: "١٢" was stored as
    12, where no spreadsheet reads a number."""
    with pytest.raises(NotANumber):
        parse_number(typed)


@given(st.decimals(min_value=-10**9, max_value=10**9, places=3, allow_nan=False, allow_infinity=False))
def test_formatted_with_grouping_reads_back(value: D) -> None:
    assert parse_number(f"{value:,}").value == value
