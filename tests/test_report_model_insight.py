"""The report model's issue 17 fields (docs/insight.md, "The report model"): rank and quartile, the published
values ranked on, the forecast, the index's quartile and the exception list; rendering them is the second
part. Comparator values are SYNTHETIC (the example's comparators-synthetic.csv)."""

from __future__ import annotations

from datetime import date

from kpixl.domain import Quarter
from kpixl.domain.outlook import forecast
from kpixl.register import load_register
from kpixl.report.model import ReportModel, build_model
from kpixl.steps.comparators import benchmarks_for, import_comparators
from kpixl.steps.workspace import Workspace

Q2 = Quarter(2023, 2)
DAY = date(2023, 12, 12)


def model(ws: Workspace, insight: bool) -> ReportModel:
    register = load_register(ws.register_path).register
    committee = register.committee("csmi")
    assert committee is not None
    figures = ws.current_figures()
    indicators = register.indicators_of_committee(committee.id)
    extra = {}
    if insight:
        extra = {"benchmarks": benchmarks_for(ws, indicators, Q2, figures),
                 "forecasts": {i.id: forecast(i, Q2, figures) for i in indicators},
                 "comments": {"222": "The director's comment on 222."}}
    return build_model(register, committee, Q2, figures, council=ws.config.council, team=ws.config.team,
                       produced_on=DAY, **extra)  # type: ignore[arg-type]


def test_without_issue_17s_inputs_the_model_is_as_before(example_ws: Workspace) -> None:
    plain = model(example_ws, insight=False)
    assert all((p.benchmark, p.benchmark_values, p.forecast, p.benchmark_line, p.forecast_rating) == ("", (), "", "", "")
               for p in plain.pages)
    assert all(row.quartile == "" for row in plain.index) and plain.forecast_to_meet is None


def test_pages_carry_rank_quartile_values_and_forecast(example_ws: Workspace) -> None:
    assert import_comparators(example_ws, example_ws.root / "comparators-synthetic.csv").report.valid
    found = model(example_ws, insight=True)
    page = next(p for p in found.pages if p.number == "37")
    assert page.benchmark == "3rd of 5 synthetic neighbours, third quartile"
    assert page.benchmark_values == (("Cambridgeshire, 2022/23", "1,480,000"),  # the council's own first
                                     ("Synthetic neighbours mean, 2022/23", "1,587,500"),
                                     ("England, 2022/23", "1,300,000"))
    assert page.benchmark_line == "Rank: 3rd of 5 synthetic neighbours, third quartile (2022/23)."
    assert page.forecast == "Forecast year-end: 1,462,476 (run rate from 731,238 in 6 months)"
    assert next(r for r in found.index if r.number == "37").quartile == "third quartile"
    assert next(r for r in found.index if r.number == "36").quartile == ""  # nothing published for 36
    assert found.forecast_to_meet is not None


def test_the_exception_list_holds_every_red_and_declining_amber(example_ws: Workspace) -> None:
    found = model(example_ws, insight=True)
    listed = {e.headline.indicator.id: e for e in found.exceptions}
    reds = {p.number for p in found.pages if p.rag.value == "Red"}
    assert reds <= set(listed)
    assert all(e.why in ("Red", "Amber and declining") for e in found.exceptions)
    assert listed["222"].director_comment == "The director's comment on 222."
    assert listed["222"].actions  # the seed's actions for 222
    assert "action owner" in listed["222"].missing  # the seed's returns have no owner yet
