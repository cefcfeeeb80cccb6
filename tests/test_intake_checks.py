"""The pure rules of the returns reader, with boundary tables and properties (the catalogue of their
messages is held in step with docs/problems.md by tests/test_catalogue.py)."""

from __future__ import annotations

import zipfile
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpixl.domain import Comparison, Indicator, Month, Period, Quarter, Unit
from kpixl.intake.book import Cell
from kpixl.intake.rules import cumulative_fall, period_of, read_figure, read_text, unusual_change
from kpixl.problems import Where, explain, is_explained, problem
from kpixl.untrusted.limits import MAX_PART_BYTES, MAX_PARTS, MAX_RATIO, RATIO_FLOOR
from kpixl.untrusted.sniff import zip_limit_hit

HERE = Where("r.xlsx", "Return", "", "36")


def test_an_explained_query_says_so_and_is_no_longer_open() -> None:
    query = problem("CHANGE_UNUSUAL", HERE, shown="1", change="+1", previous_period="Q1", previous="0",
                    rule="r")
    done = explain(query, "A new site opened.\nIt counts twice.")
    assert is_explained(done) and not is_explained(query)
    assert done.message.endswith('The lead explained: "A new site opened. It counts twice."')


# --- Figures --------------------------------------------------------------------------------------------

COUNT = Indicator("36", "Visits", "s", ("c",))
PERCENT = Indicator("198", "Share", "s", ("c",), unit=Unit.PERCENTAGE)
HOURS = Indicator("221", "Hours", "s", ("c",), unit=Unit.HOURS)


@pytest.mark.parametrize(("indicator", "value", "fmt", "expected", "code"), [
    (COUNT, 96326, "#,##0", Decimal(96326), None),
    (COUNT, 96326.0, "General", Decimal(96326), None),
    (COUNT, "96,326", "General", Decimal(96326), "FIGURE_TEXT"),
    (COUNT, "\u00a096\u202f326 ", "General", Decimal(96326), "FIGURE_TEXT"),
    (COUNT, 0, "General", Decimal(0), None),
    (COUNT, 0.5, "General", None, "FIGURE_NOT_WHOLE"),
    (COUNT, -1, "General", None, "FIGURE_NEGATIVE"),
    (PERCENT, 0.68, "0.0%", Decimal("0.68"), None),
    (PERCENT, 0.68, "General", Decimal("0.68"), None),
    (PERCENT, 1, "0%", Decimal(1), None),  # 100% exactly
    (PERCENT, 1.0001, "0.00%", None, "FIGURE_PERCENT_SCALE"),
    (PERCENT, "68%", "General", Decimal("0.68"), "FIGURE_TEXT"),
    (PERCENT, "68", "General", None, "FIGURE_PERCENT_SCALE"),
    (PERCENT, 68, "General", None, "FIGURE_PERCENT_SCALE"),
    (HOURS, 12.5, "General", Decimal("12.5"), None),
    (HOURS, "1e999999", "General", None, "FIGURE_NOT_NUMBER"),
    # No silent change of a value (issue 12): stored as spreadsheets show it, and said so when rounded;
    # a 1 without its % sign is 100%, or a 1% whose sign was left off: asked.
    (HOURS, 1e-13, "General", Decimal("1E-13"), None),  # was stored as 0
    (HOURS, 0.1 + 0.2, "General", Decimal("0.3"), "FIGURE_ROUNDED"),  # was stored as 0.30000000000000004
    (PERCENT, 0.7391304347826086, "0.0%", Decimal("0.739130434782609"), "FIGURE_ROUNDED"),
    (PERCENT, "1", "General", Decimal(1), "FIGURE_PERCENT_ONE"),  # was a warning: "read it as 1"
    (PERCENT, 1, "General", Decimal(1), "FIGURE_PERCENT_ONE"),
    (PERCENT, "\u0661", "General", None, "FIGURE_NOT_NUMBER"),  # an Arabic-Indic 1 is no number to Excel
])
def test_read_figure(indicator: Indicator, value: object, fmt: str, expected: Decimal | None,
                     code: str | None) -> None:
    reading = read_figure(Cell("J2", value, False, fmt), indicator, HERE)
    assert reading.value == expected
    assert [p.code for p in reading.problems] == ([code] if code else [])
    assert all(p.cell == "J2" for p in reading.problems)


@pytest.mark.parametrize(("indicator", "value", "fmt", "words"), [
    (PERCENT, "47.9%", "General", "'47.9%' was typed as text; kpixl read it as 47.9%."),  # was "as 48%"
    (PERCENT, "0.68", "General", "'0.68' was typed as text; kpixl read it as 68%."),  # was "as 0.68"
    (PERCENT, "1", "General", "'1' has no % sign, so kpixl read it as 100%"),  # was "as 1"
    (COUNT, "1,234.0", "General", "kpixl read it as 1,234."),
    (HOURS, "12.345", "General", "kpixl read it as 12.345."),  # the report shows 12.35
    (HOURS, 0.7391304347826086, "General", ("The cell holds 0.7391304347826086, more digits than a spreadsheet "
                                            "shows; kpixl stored 0.739130434782609, the 15 significant digits")),
])
def test_each_message_quotes_the_value_stored_with_all_its_digits(indicator: Indicator, value: object, fmt: str,
                                                                  words: str) -> None:
    [found] = read_figure(Cell("J2", value, False, fmt), indicator, HERE).problems
    assert words in found.message, found.message


@given(st.integers(min_value=0, max_value=10**12))
def test_a_count_typed_as_a_number_or_as_grouped_text_reads_the_same(n: int) -> None:
    as_number = read_figure(Cell("J2", n), COUNT, HERE)
    as_text = read_figure(Cell("J2", f"{n:,}"), COUNT, HERE)
    assert as_number.value == as_text.value == Decimal(n)


@given(st.decimals(min_value=0, max_value=1, places=4))
def test_a_percentage_as_a_fraction_or_as_percent_text_reads_the_same(d: Decimal) -> None:
    as_number = read_figure(Cell("J2", float(d), False, "0.00%"), PERCENT, HERE)
    as_text = read_figure(Cell("J2", f"{d * 100}%"), PERCENT, HERE)
    assert as_number.value == as_text.value == d


def test_read_text_normalises_line_endings_and_refuses_formulas() -> None:
    assert read_text(Cell("M2", "a\r\nb\rc "), "commentary", 100, HERE) == ("a\nb\nc", [])
    text, problems = read_text(Cell("M2", "=A1", True), "commentary", 100, HERE)
    assert text == "" and [p.code for p in problems] == ["TEXT_FORMULA"]


# --- History rules --------------------------------------------------------------------------------------

Q = [Quarter(2022, n) for n in (1, 2, 3, 4)] + [Quarter(2023, n) for n in (1, 2, 3, 4)]


def series(*values: int) -> dict[Period, Decimal]:
    return {q: Decimal(v) for q, v in zip(Q, values, strict=False)}


@pytest.mark.parametrize(("values", "current", "unusual"), [
    ((100,), 150, False),  # +50% exactly, short history: not unusual
    ((100,), 151, True),
    ((100,), 49, True),  # -51%
    ((0,), 500, False),  # no share of zero to measure against
    ((100, 110, 100, 110, 100), 130, False),  # 4 earlier changes of 10: 30 is 3 times, not more
    ((100, 110, 100, 110, 100), 131, True),
    ((100, 100, 100, 100, 100), 140, False),  # no spread at all: falls back to the 50% rule
])
def test_unusual_change(values: tuple[int, ...], current: int, unusual: bool) -> None:
    period = Q[len(values)]
    found = unusual_change(COUNT, period, Decimal(current), series(*values))
    assert (found is not None) is unusual


def test_unusual_change_compares_the_same_quarter_last_year_when_the_indicator_does() -> None:
    yearly = Indicator("136", "YTD", "s", ("c",), comparison=Comparison.SAME_PERIOD_LAST_YEAR,
                       cumulative=True)
    values = {Quarter(2022, 2): Decimal(1107)}
    found = unusual_change(yearly, Quarter(2023, 2), Decimal(500), values)
    assert found is not None and found.previous_period == Quarter(2022, 2) and found.change == "-607 (-55%)"


def test_a_cumulative_indicator_is_not_compared_across_april() -> None:
    ytd = Indicator("179", "YTD", "s", ("c",), cumulative=True)
    assert unusual_change(ytd, Quarter(2023, 1), Decimal(10), {Quarter(2022, 4): Decimal(400)}) is None
    assert cumulative_fall(ytd, Quarter(2023, 1), Decimal(10), {Quarter(2022, 4): Decimal(400)}) is None


@pytest.mark.parametrize(("indicator", "current", "falls"), [
    (Indicator("179", "YTD", "s", ("c",), cumulative=True), 87, True),
    (Indicator("179", "YTD", "s", ("c",), cumulative=True), 88, False),
    (Indicator("179", "YTD", "s", ("c",), cumulative=False), 10, False),
    (Indicator("138", "YTD %", "s", ("c",), cumulative=True, unit=Unit.PERCENTAGE), 10, False),
])
def test_cumulative_fall(indicator: Indicator, current: int, falls: bool) -> None:
    earlier = {Quarter(2023, 1): Decimal(88)}
    found = cumulative_fall(indicator, Quarter(2023, 2), Decimal(current), earlier)
    assert (found is not None) is falls


def test_cumulative_months_fall_within_the_quarter_too() -> None:
    monthly = Indicator("221", "YTD hours", "s", ("c",), cumulative=True, unit=Unit.HOURS)
    found = cumulative_fall(monthly, Month(2023, 9), Decimal(5), {Month(2023, 8): Decimal(9)})
    assert found == (Month(2023, 8), Decimal(9))


# --- Periods and limits ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "slug"), [
    ("2023/24 Q2", "2023-24-Q2"), ("2023-24-Q2", "2023-24-Q2"), ("September 2023", "2023-09"),
    ("  september   2023 ", "2023-09"), ("2023-09", "2023-09"), ("Sept 2023", None), ("", None), ("Q2", None),
    ("September \u00b2\u2070\u00b2\u00b3", None),  # superscript digits: str.isdigit() takes them, int() refuses
])
def test_period_of_reads_what_the_workbook_prints(text: str, slug: str | None) -> None:
    found = period_of(text)
    assert (found.slug if found else None) == slug


def _info(size: int, compressed: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo("xl/part.xml")
    info.file_size, info.compress_size = size, compressed
    return info


@pytest.mark.parametrize(("infos", "hit"), [
    ([_info(RATIO_FLOOR, 1)], ""),  # small parts may compress as much as they like
    ([_info(RATIO_FLOOR + 1, (RATIO_FLOOR + 1) // MAX_RATIO + 1)], ""),
    ([_info(RATIO_FLOOR + MAX_RATIO, (RATIO_FLOOR + MAX_RATIO) // MAX_RATIO - 1)], "zip bomb"),
    ([_info(MAX_PART_BYTES + 1, MAX_PART_BYTES)], "limit 25 MB"),
    ([_info(20 * 2**20, 20 * 2**20), _info(21 * 2**20, 21 * 2**20)], "limit 40 MB"),
    ([_info(1, 1)] * (MAX_PARTS + 1), "parts inside"),
])
def test_zip_limits(infos: list[zipfile.ZipInfo], hit: str) -> None:
    found = zip_limit_hit(infos)
    assert (hit in found) if hit else found == ""
