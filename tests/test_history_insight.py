"""A history file's optional columns of issue 17 (docs/insight.md): a calculated indicator's numerator and
denominator (its value is their rate; the year to date is the sum of parts over the sum of parts, through the
store), and the action owner and due date an exception needs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from support.insight import write

from kpixl.domain import parse_period
from kpixl.domain.outlook import year_to_date
from kpixl.register import load_register
from kpixl.steps.history import import_history
from kpixl.steps.workspace import Workspace

HEADER = "indicator,period,value,status,reason,commentary,actions,numerator,denominator,action_owner,action_due\n"



def test_the_year_to_date_of_stored_parts_is_the_sum_of_parts_over_the_sum_of_parts(calculated_ws: Workspace,
                                                                                    tmp_path: Path) -> None:
    rows = (HEADER + "220,2023-24-Q1,,validated,,,,9,10,,\n"
            + "220,2023-24-Q2,11.1%,validated,,,,10,90,Registration manager,2024-03-31\n")
    result = import_history(calculated_ws, write(tmp_path, "parts.csv", rows))
    assert result.report.valid, list(result.report)
    figures = calculated_ws.current_figures(["220"])
    q1, q2 = figures[("220", "2023-24-Q1")], figures[("220", "2023-24-Q2")]
    assert (q1.value, q1.numerator, q1.denominator) == (D("0.9"), D(9), D(10))
    assert (q2.value, q2.action_owner, q2.action_due) == (D("0.1111111111"), "Registration manager",
                                                          date(2024, 3, 31))
    indicator = load_register(calculated_ws.register_path).register.indicator("220")
    assert indicator is not None
    ytd = year_to_date(indicator, parse_period("2023-24-Q2"), figures)
    assert ytd is not None and (ytd.value, ytd.numerator, ytd.denominator) == (D("0.19"), D(19), D(100))


@pytest.mark.parametrize("row, code, cell", [
    ("220,2023-24-Q2,70%,validated,,,,9,10,,\n", "FIG_CALC", "C2"),  # 9 of 10 is 90%
    ("37,2023-24-Q2,5,validated,,,,9,10,,\n", "FIG_CALC", "H2"),  # 37 is not calculated
    ("220,2023-24-Q2,,validated,,,,9,,,\n", "FIG_CALC", "I2"),
    ("220,2023-24-Q2,,validated,,,,9,0,,\n", "FIG_CALC", "I2"),
    ("220,2023-24-Q2,,validated,,,,nine,10,,\n", "FIG_NOT_A_NUMBER", "H2"),
    ("220,2023-24-Q2,55%,validated,,,,,,Someone,31/03/2024\n", "FIG_BAD_DATE", "K2"),
])
def test_parts_and_dates_that_do_not_fit_are_refused_at_their_cell(calculated_ws: Workspace, tmp_path: Path,
                                                                   row: str, code: str, cell: str) -> None:
    result = import_history(calculated_ws, write(tmp_path, "bad.csv", HEADER + row))
    assert [(p.code, p.cell) for p in result.report] == [(code, cell)] and result.recorded is None


@pytest.mark.parametrize("value", ["90%", "0.9", "90.0%", ""])
def test_a_value_that_agrees_with_its_parts_as_typed_is_taken(calculated_ws: Workspace, tmp_path: Path,
                                                              value: str) -> None:
    result = import_history(calculated_ws, write(tmp_path, "ok.csv",
                                                 HEADER + f"220,2023-24-Q3,{value},validated,,,,9,10,,\n"))
    assert result.report.valid and result.figures[0].figure.value == D("0.9")


def test_a_rounded_percentage_agrees_and_one_hundred_percent_does_not(calculated_ws: Workspace,
                                                                       tmp_path: Path) -> None:
    third = import_history(calculated_ws, write(tmp_path, "a.csv", HEADER + "220,2023-24-Q3,33%,validated,,,,1,3,,\n"))
    assert third.report.valid and third.figures[0].figure.value == D("0.3333333333")
    whole = import_history(calculated_ws, write(tmp_path, "b.csv", HEADER + "220,2023-24-Q3,1,validated,,,,7,10,,\n"))
    assert [p.code for p in whole.report] == ["FIG_CALC"]


def test_export_carries_the_counts_owner_and_due_date(calculated_ws: Workspace, tmp_path: Path) -> None:
    import csv

    from kpixl.steps.export import export_figures

    rows = HEADER + "220,2023-24-Q3,,validated,,,,9,10,=Owner,2024-03-31\n"
    assert import_history(calculated_ws, write(tmp_path, "parts.csv", rows)).report.valid
    out = tmp_path / "figures.csv"
    export_figures(calculated_ws, out)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        found = [r for r in csv.DictReader(handle) if r["period"] == "2023-24-Q3"]
    assert [(r["value"], r["numerator"], r["denominator"], r["action_owner"], r["action_due"]) for r in found] == \
        [("0.9", "9", "10", "'=Owner", "2024-03-31")]  # text that would be a formula stays inert
    export_figures(calculated_ws, tmp_path / "figures.xlsx")
