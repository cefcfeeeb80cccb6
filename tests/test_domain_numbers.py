"""Numbers as people type them."""

from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpixl.domain.numbers import parse_number, to_decimal
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
    assert to_decimal(0.1 + 0.2) == D("0.30000000000000004")
    assert to_decimal(0.68) == D("0.68")
    assert to_decimal(380018.0) == D(380018)


@given(st.decimals(min_value=-10**9, max_value=10**9, places=3, allow_nan=False, allow_infinity=False))
def test_formatted_with_grouping_reads_back(value: D) -> None:
    assert parse_number(f"{value:,}").value == value
