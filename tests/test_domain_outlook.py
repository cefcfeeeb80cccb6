"""Calculated indicators, the year to date and the year-end forecast (docs/insight.md, sections 2 and 3)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.insight import calculated, figure, figures, indicator

from kpixl.domain import Direction, Frequency, Kind, Quarter, Rag, Unit, parse_period
from kpixl.domain.outlook import (
    Forecast,
    ForecastMethod,
    annual_target,
    calculated_figure,
    calculated_rate,
    count_forecast_to_meet,
    forecast,
    months_elapsed,
    year_to_date,
)
from kpixl.domain.periods import FinancialYear

Q2 = Quarter(2023, 2)
FY = FinancialYear(2023)


@pytest.mark.parametrize("scale, unit, numerator, denominator, expected", [
    ("100", Unit.PERCENTAGE, "63", "90", "0.7"),  # 70%, held as a fraction
    ("100", Unit.PERCENTAGE, "1", "3", "0.3333333333"),  # ten places, beyond any printed figure
    ("1000", Unit.RATE, "5", "2000", "2.5"),  # per 1,000
    ("1", Unit.NUMBER, "7", "2", "3.5"),
    ("100", Unit.PERCENTAGE, "5", "0", None),  # no denominator, no rate
])
def test_a_calculated_rate_is_numerator_over_denominator_times_scale(scale: str, unit: Unit, numerator: str,
                                                                     denominator: str, expected: str | None) -> None:
    ind = calculated(scale=scale, unit=unit)
    result = calculated_rate(ind, D(numerator), D(denominator))
    assert result == (None if expected is None else D(expected))


def test_an_indicator_that_is_not_calculated_has_no_rate() -> None:
    assert calculated_rate(indicator(), D(1), D(2)) is None


def test_a_calculated_figure_keeps_its_parts_and_its_rate() -> None:
    made = calculated_figure(calculated(), parse_period("2023-24-Q2"), D(63), D(90), action_owner="A Lead")
    assert (made.value, made.numerator, made.denominator, made.action_owner) == (D("0.7"), D(63), D(90), "A Lead")
    assert calculated_figure(calculated(), parse_period("2023-24-Q2"), D(63), None).value is None


def test_a_calculated_indicators_year_to_date_is_the_sum_of_parts_over_the_sum_of_parts() -> None:
    """90% of 10 courses, then 11.1% of 90: the year is 19 of 100, 19%; the mean of the rates would be 50.6%."""
    ind = calculated()
    found = figures(figure("9", "2023-24-Q1", "0.9", "9", "10"), figure("9", "2023-24-Q2", "0.1111111111", "10", "90"))
    ytd = year_to_date(ind, parse_period("2023-24-Q2"), found)
    assert ytd is not None
    assert (ytd.value, ytd.numerator, ytd.denominator, ytd.how) == (D("0.19"), D(19), D(100), "sum of parts")


@given(st.lists(st.tuples(st.integers(0, 500), st.integers(1, 500)), min_size=1, max_size=4),
       st.integers(1, 9))
def test_scaling_every_part_alike_leaves_the_year_to_date_unchanged(parts: list[tuple[int, int]], k: int) -> None:
    ind = calculated()
    quarters = FY.quarters()[: len(parts)]
    plain = figures(*(figure("9", q.slug, "0", str(n), str(d)) for q, (n, d) in zip(quarters, parts)))
    scaled = figures(*(figure("9", q.slug, "0", str(n * k), str(d * k)) for q, (n, d) in zip(quarters, parts)))
    at = quarters[-1]
    one, other = year_to_date(ind, at, plain), year_to_date(ind, at, scaled)
    assert one is not None and other is not None and one.value == other.value
    assert one.value == calculated_rate(ind, D(sum(n for n, _ in parts)), D(sum(d for _, d in parts)))


def test_year_to_date_of_counts_cumulative_figures_and_rates() -> None:
    counts = figures(figure("1", "2023-24-Q1", "100"), figure("1", "2023-24-Q2", "150"))
    assert year_to_date(indicator("1"), Q2, counts).value == D(250)  # type: ignore[union-attr]
    cumulative = figures(figure("2", "2023-24-Q1", "100"), figure("2", "2023-24-Q2", "608"))
    ytd = year_to_date(indicator("2", cumulative=True), Q2, cumulative)
    assert ytd is not None and (ytd.value, ytd.how) == (D(608), "cumulative figure")
    assert year_to_date(indicator("3", unit=Unit.PERCENTAGE), Q2, {}) is None  # rates do not add up


def test_a_missing_period_leaves_the_year_to_date_unknown_and_says_which() -> None:
    ytd = year_to_date(indicator("1"), Q2, figures(figure("1", "2023-24-Q2", "150")))
    assert ytd is not None and ytd.value is None and ytd.missing == ("2023-24-Q1",)
    parts = year_to_date(calculated(), Q2, figures(figure("9", "2023-24-Q1", "0.5", "1", "2"),
                                                   figure("9", "2023-24-Q2", "0.5")))  # a rate without its parts
    assert parts is not None and parts.value is None and parts.missing == ("2023-24-Q2",)


def test_months_elapsed_count_from_april() -> None:
    assert [months_elapsed(q) for q in FY.quarters()] == [3, 6, 9, 12]
    assert months_elapsed(parse_period("2023-09")) == 6 and months_elapsed(parse_period("2024-03")) == 12


def test_annual_targets() -> None:
    cumulative = indicator(cumulative=True, targets={"2023-24-Q2": D(1128), "2023-24-Q4": D(2400)})
    assert annual_target(cumulative, FY) == D(2400)
    per_quarter = indicator(targets={f"2023-24-Q{n}": D(100 * n) for n in (1, 2, 3, 4)})
    assert annual_target(per_quarter, FY) == D(1000)  # a count that is not cumulative: the quarters' sum
    assert annual_target(indicator(targets={"2023-24-Q1": D(1)}), FY) is None  # a quarter without one
    # A year's target of a count that is not cumulative applies to each quarter (Indicator.target_for).
    assert annual_target(indicator(targets={"2023-24": D(250)}), FY) == D(1000)
    rate = indicator(unit=Unit.PERCENTAGE, targets={"2023-24": D("0.7")})
    assert annual_target(rate, FY) == D("0.7")


def test_run_rate_forecast_of_a_cumulative_count() -> None:
    """136 in the seed: 608 learners by Q2 against a year's target of 2,400: 1,216 forecast, Red."""
    ind = indicator("136", cumulative=True, targets={"2023-24-Q4": D(2400)})
    result = forecast(ind, Q2, figures(figure("136", "2023-24-Q2", "608")))
    assert isinstance(result, Forecast)
    assert (result.value, result.method, result.months, result.annual_target, result.rag) == \
        (D(1216), ForecastMethod.RUN_RATE, 6, D(2400), Rag.RED)
    assert not result.meets_target


def test_last_years_profile_when_last_year_is_known() -> None:
    ind = indicator("136", cumulative=True, targets={"2023-24-Q4": D(2400)})
    found = figures(figure("136", "2023-24-Q2", "608"), figure("136", "2022-23-Q2", "1107"),
                    figure("136", "2022-23-Q4", "2214"))
    result = forecast(ind, Q2, found)
    assert result is not None and result.method is ForecastMethod.PROFILE
    assert result.value == D(1216)  # 608 x 2214 / 1107: last year doubled after Q2 as well


def test_a_rate_is_forecast_at_its_rate_so_far_and_a_complete_year_at_its_figure() -> None:
    rate = forecast(indicator("138", unit=Unit.PERCENTAGE, cumulative=True, targets={"2023-24": D("0.94")}),
                    Q2, figures(figure("138", "2023-24-Q2", "0.95")))
    assert rate is not None and (rate.value, rate.method, rate.rag) == (D("0.95"), ForecastMethod.RATE_SO_FAR,
                                                                       Rag.GREEN)
    done = forecast(indicator("2", cumulative=True), Quarter(2023, 4), figures(figure("2", "2023-24-Q4", "10")))
    assert done is not None and (done.value, done.method) == (D(10), ForecastMethod.YEAR_COMPLETE)


def test_a_monthly_indicator_is_forecast_from_its_months() -> None:
    ind = indicator("221", frequency=Frequency.MONTHLY, unit=Unit.HOURS, direction=Direction.DOWN,
                    targets={"2023-24": D(300)})
    found = figures(*(figure("221", f"2023-{m:02d}", "50") for m in range(4, 10)))
    result = forecast(ind, Q2, found)
    assert result is not None and (result.period.slug, result.months, result.value) == ("2023-09", 6, D(600))
    assert result.annual_target == D(3600)  # twelve months at 300 each


def test_no_forecast_without_a_year_to_date() -> None:
    assert forecast(indicator("1"), Q2, figures(figure("1", "2023-24-Q2", "5"))) is None  # Q1 missing
    assert forecast(indicator("3", unit=Unit.PERCENTAGE), Q2, {}) is None


def test_a_forecast_says_it_is_a_forecast_everywhere() -> None:
    ind = indicator("136", cumulative=True, targets={"2023-24-Q4": D(1000)})
    result = forecast(ind, Q2, figures(figure("136", "2023-24-Q2", "608")))
    assert result is not None
    assert result.value_text == "Forecast: 1,216"
    assert result.text == "Forecast year-end: 1,216 (run rate from 608 in 6 months)"
    assert all(key.startswith("forecast_") for key in result.to_dict())
    assert result.rag is Rag.BLUE and count_forecast_to_meet([result, None]) == 1


def test_a_baseline_is_forecast_but_not_rated() -> None:
    ind = indicator("179", cumulative=True, kind=Kind.BASELINE, targets={"2023-24": D(10)})
    result = forecast(ind, Q2, figures(figure("179", "2023-24-Q2", "6")))
    assert result is not None and result.rag is Rag.BASELINE and not result.meets_target
