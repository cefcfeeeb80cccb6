"""Periods: the UK financial year, quarters and months, and the labels the report prints."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpixl.domain import FinancialYear, Month, Quarter, parse_period, report_month
from kpixl.errors import PeriodError


@pytest.mark.parametrize("text", ["2023/24 Q2", "2023-24-Q2", "2023/24 q2", " 2023-24 Q2 ", "2023/2024 Q2"])
def test_quarter_spellings_parse(text: str) -> None:
    assert parse_period(text) == Quarter(2023, 2)


def test_quarter_prints_both_ways() -> None:
    q = Quarter(2023, 2)
    assert (str(q), q.slug, q.long_label) == ("2023/24 Q2", "2023-24-Q2", "Quarter 2 23/24")


def test_month_spellings() -> None:
    m = parse_period("2023-09")
    assert m == Month(2023, 9)
    assert (m.slug, str(m)) == ("2023-09", "September 2023")


@pytest.mark.parametrize("text", ["", "Q2", "2023/25 Q2", "2023-24-Q5", "2023-13", "next quarter"])
def test_bad_periods_say_what_to_write(text: str) -> None:
    with pytest.raises(PeriodError, match="2023-24-Q2"):
        parse_period(text)


def test_quarters_follow_the_financial_year() -> None:
    assert [m.slug for m in Quarter(2023, 1).months()] == ["2023-04", "2023-05", "2023-06"]
    assert [m.slug for m in Quarter(2023, 4).months()] == ["2024-01", "2024-02", "2024-03"]
    assert Month(2024, 3).quarter() == Quarter(2023, 4)
    assert Month(2023, 4).quarter() == Quarter(2023, 1)
    assert Month(2024, 1).year == FinancialYear(2023)


def test_previous_and_same_period_last_year() -> None:
    assert Quarter(2023, 1).previous() == Quarter(2022, 4)
    assert Quarter(2023, 2).same_period_last_year().long_label == "Quarter 2 22/23"
    assert Month(2023, 1).previous() == Month(2022, 12)
    assert Month(2023, 9).same_period_last_year() == Month(2022, 9)


def test_cumulative_span_restarts_in_april() -> None:
    assert Quarter(2023, 3).periods_to_date() == (Quarter(2023, 1), Quarter(2023, 2), Quarter(2023, 3))
    assert [m.slug for m in Month(2023, 5).periods_to_date()] == ["2023-04", "2023-05"]


def test_financial_year_dates_and_labels() -> None:
    q = Quarter(2023, 4)
    assert (q.start_date, q.end_date) == (date(2024, 1, 1), date(2024, 3, 31))
    assert str(FinancialYear(1999)) == "1999/00"
    assert FinancialYear.parse("2023-24") == FinancialYear(2023)


def test_report_month_is_the_production_month() -> None:
    assert report_month(date(2023, 12, 12)) == "December 2023"


@given(st.integers(2000, 2100), st.integers(1, 4))
def test_quarter_round_trips_through_both_spellings(year: int, number: int) -> None:
    q = Quarter(year, number)
    assert parse_period(q.slug) == q == parse_period(str(q))
    assert q.next().previous() == q
    assert all(m.quarter() == q for m in q.months())


@given(st.integers(2000, 2100), st.integers(1, 12))
def test_month_round_trips(year: int, month: int) -> None:
    m = Month(year, month)
    assert parse_period(m.slug) == m
    assert m.next().previous() == m
    assert m.quarter().fy == m.fy


@pytest.mark.parametrize("text", ["٢٠٢٣-٢٤-Q2", "2023-٢٤-Q2", "２０２３-09", "2023/２４"])
def test_a_period_is_read_with_the_digits_0_to_9_only(text: str) -> None:
    """Other scripts' digits would make a period no target or figure is ever keyed by."""
    with pytest.raises(PeriodError):
        parse_period(text)
