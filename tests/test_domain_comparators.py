"""Comparators: published periods, the council's rank and quartile among its group, the group's mean and the
national value (docs/insight.md, section 1). Values here are synthetic."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.insight import indicator

from kpixl.domain import Direction
from kpixl.domain.comparators import (
    Benchmark,
    ComparatorValue,
    ComparisonGroup,
    benchmark,
    ordinal,
    parse_benchmark_period,
    rank_of,
)
from kpixl.errors import PeriodError


@pytest.mark.parametrize("text, slug, label, end", [
    ("2022/23", "2022-23", "2022/23", date(2023, 3, 31)),
    ("2022-23", "2022-23", "2022/23", date(2023, 3, 31)),
    ("fin_2022_23", "2022-23", "2022/23", date(2023, 3, 31)),
    ("2022/23 Q2", "2022-23-Q2", "2022/23 Q2", date(2022, 9, 30)),
    ("Q2 2022/23", "2022-23-Q2", "2022/23 Q2", date(2022, 9, 30)),
    ("2022-23-Q2", "2022-23-Q2", "2022/23 Q2", date(2022, 9, 30)),
    ("2023-09", "2023-09", "September 2023", date(2023, 9, 30)),
    ("Sep 2023", "2023-09", "September 2023", date(2023, 9, 30)),
    ("September  2023", "2023-09", "September 2023", date(2023, 9, 30)),
    ("2013", "2013", "2013", date(2013, 12, 31)),
    ("cal_2013", "2013", "2013", date(2013, 12, 31)),
    ("2018/19 (academic)", "2018-19-AY", "2018/19 (academic)", date(2019, 8, 31)),
    ("2018-19-AY", "2018-19-AY", "2018/19 (academic)", date(2019, 8, 31)),
])
def test_published_periods_are_read_as_their_publishers_write_them(text: str, slug: str, label: str,
                                                                   end: date) -> None:
    period = parse_benchmark_period(text)
    assert (period.slug, period.label, period.end) == (slug, label, end)
    assert parse_benchmark_period(period.slug) == period  # the slug the store keeps reads back


@pytest.mark.parametrize("text", ["", "Q5 2022/23", "2022/25", "Smarch 2023", "2023-13", "twenty"])
def test_other_periods_are_refused_with_what_to_write(text: str) -> None:
    with pytest.raises(PeriodError, match="write a financial year as 2022/23"):
        parse_benchmark_period(text)


def test_ordinals() -> None:
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111)] == \
        ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th"]


YEAR = parse_benchmark_period("2022/23")
GROUP = ComparisonGroup("C", tuple(f"N{i}" for i in range(1, 16)), "statistical neighbours")


def values(council: str | None, *neighbours: str, national: str | None = None,
           period: str = "2022/23") -> list[ComparatorValue]:
    at = parse_benchmark_period(period)
    found = [ComparatorValue(f"N{i}", f"Neighbour {i}", at, D(v)) for i, v in enumerate(neighbours, start=1)]
    if council is not None:
        found.append(ComparatorValue("C", "Council", at, D(council)))
    if national is not None:
        found.append(ComparatorValue("E92000001", "England", at, D(national)))
    return found


def test_fourth_of_sixteen_in_the_first_quartile() -> None:
    """The council and 15 neighbours valued 1..16: the council's 13 is 4th best where higher is better."""
    result = benchmark(indicator(), GROUP, values("13", *(str(v) for v in range(1, 17) if v != 13)))
    assert (result.rank, result.of, result.quartile, result.tied) == (4, 16, 1, False)
    assert result.text == "4th of 16 statistical neighbours, first quartile"


@pytest.mark.parametrize("rank, quartile", [(1, 1), (4, 1), (5, 2), (8, 2), (9, 3), (12, 3), (13, 4), (16, 4)])
def test_quartiles_of_sixteen(rank: int, quartile: int) -> None:
    council = 17 - rank
    result = benchmark(indicator(), GROUP, values(str(council), *(str(v) for v in range(1, 17) if v != council)))
    assert (result.rank, result.quartile) == (rank, quartile)


def test_lower_is_better_ranks_the_lowest_first() -> None:
    result = benchmark(indicator(direction=Direction.DOWN), GROUP, values("2", "1", "3", "4", "5"))
    assert (result.rank, result.of, result.quartile) == (2, 5, 2)
    assert result.text == "2nd of 5 statistical neighbours, second quartile"


def test_ties_share_the_better_rank() -> None:
    result = benchmark(indicator(), GROUP, values("50", "60", "50", "50", "10"))
    assert (result.rank, result.tied) == (2, True)
    assert result.text == "joint 2nd of 5 statistical neighbours, second quartile"


def test_a_group_too_small_to_rank_says_so() -> None:
    result = benchmark(indicator(), GROUP, values("50", "60", "40"))
    assert result.rank is None and result.quartile is None
    assert result.text == ("Too few statistical neighbours with a value for 2022/23 to rank (3 with the council; "
                           "4 needed).")
    assert result.group_mean == D(50)  # the mean is still known


def test_no_rank_without_a_direction_or_a_council_figure() -> None:
    assert benchmark(indicator(direction=Direction.NONE), GROUP, values("1", "2", "3", "4")).text == \
        "No direction for improvement: not ranked."
    assert benchmark(indicator(), GROUP, values(None, "2", "3", "4")).text == \
        "No figure for the council for 2022/23: not ranked."


def test_the_councils_own_figure_stands_in_when_the_file_lacks_its_row() -> None:
    result = benchmark(indicator(), GROUP, values(None, "2", "3", "4"), own={"2022-23": D(5)})
    assert (result.council, result.council_source, result.rank) == (D(5), "kpixl", 1)


def test_mean_excludes_the_council_and_england_is_its_own_value() -> None:
    result = benchmark(indicator(), GROUP, values("100", "10", "20", "40", national="30"))
    assert (result.group_mean, result.group_count, result.national, result.council_source) == \
        (D("23.33333333333333333333333333"), 3, D(30), "published")


def test_the_most_recent_period_ending_by_the_report_is_chosen() -> None:
    found = values("1", "2", "3", "4", period="2021/22") + values("5", "6", "7", "8", period="2022/23") + \
        values("9", "9", "9", "9", period="2023/24")
    result = benchmark(indicator(), GROUP, found, up_to=date(2023, 9, 30))
    assert result.period == YEAR and result.council == D(5)
    nothing = benchmark(indicator(), GROUP, found, up_to=date(2020, 1, 1))
    assert isinstance(nothing, Benchmark) and nothing.period is None
    assert nothing.text == "No published values for the statistical neighbours yet."


def test_areas_outside_the_group_are_not_ranked() -> None:
    found = values("50", "40", "30", "20") + [ComparatorValue("Elsewhere", "", YEAR, D(99))]
    assert benchmark(indicator(), GROUP, found).rank == 1


def test_the_group_never_lists_the_council_or_an_area_twice() -> None:
    assert ComparisonGroup("C", ("N1", "C", "N1", "N2")).neighbours == ("N1", "N2")


@given(st.lists(st.integers(-1000, 1000), min_size=2, max_size=20), st.integers(-1000, 1000))
def test_mirroring_the_direction_and_the_values_gives_the_same_rank(others: list[int], council: int) -> None:
    up = rank_of(D(council), [D(council), *map(D, others)], Direction.UP)
    down = rank_of(D(-council), [D(-council), *(D(-v) for v in others)], Direction.DOWN)
    assert up == down


@given(st.lists(st.integers(0, 100), min_size=3, max_size=20), st.integers(0, 100), st.integers(1, 50))
def test_a_better_council_figure_never_ranks_worse(others: list[int], council: int, better: int) -> None:
    before = rank_of(D(council), [D(council), *map(D, others)], Direction.UP)[0]
    after = rank_of(D(council + better), [D(council + better), *map(D, others)], Direction.UP)[0]
    assert after <= before
