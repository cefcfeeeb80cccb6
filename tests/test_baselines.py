"""Baselines carry forward until a new one is set, and each kind of indicator has one wording in the
workbook, `kpixl indicators` and the report (issue 13): one rule, Indicator.target_for, behind all three."""

from __future__ import annotations

import copy
import json
from datetime import date
from decimal import Decimal

import pytest
import yaml
from typer.testing import CliRunner

from kpixl.cli import app
from kpixl.domain import Figure, Indicator, Kind, Quarter, Register, parse_period
from kpixl.domain.indicators import NONE_SET
from kpixl.layout.returns import plan_rows
from kpixl.register import load_register
from kpixl.report.model import build_model
from kpixl.steps.indicators import load_overview
from kpixl.steps.workspace import Workspace

runner = CliRunner()
Q1, Q2, Q3 = Quarter(2024, 1), Quarter(2024, 2), Quarter(2024, 3)


def _indicator(kind: Kind, targets: dict[str, str], **more: object) -> Indicator:
    return Indicator("R02", "Cases opened", "coroner", ("c",), kind=kind,
                     targets={k: Decimal(v) for k, v in targets.items()}, **more)  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", [Kind.BASELINE, Kind.CONTEXTUAL])
def test_a_baseline_stands_until_a_new_one_is_set(kind: Kind) -> None:
    ind = _indicator(kind, {"2024-25-Q1": "98.4", "2025-26": "90"})
    assert [ind.target_for(q) for q in (Quarter(2023, 4), Q1, Q2, Q3, Quarter(2024, 4))] == [
        None, Decimal("98.4"), Decimal("98.4"), Decimal("98.4"), Decimal("98.4")]
    assert ind.target_for(Quarter(2025, 3)) == Decimal(90)  # the next year's own
    monthly = _indicator(kind, {"2024-05": "7", "2024-25-Q3": "9"}, frequency="monthly")
    assert [monthly.target_for(parse_period(m)) for m in ("2024-04", "2024-05", "2024-09", "2024-12")] == [
        None, Decimal(7), Decimal(7), Decimal(9)]


def test_a_target_is_for_its_own_period_only() -> None:
    ind = _indicator(Kind.TARGET, {"2024-25-Q1": "100"})
    assert (ind.target_for(Q1), ind.target_for(Q2)) == (Decimal(100), None)


def test_each_kind_has_one_wording_where_no_figure_is_set() -> None:
    assert [(k.value, _indicator(k, {}).target_word, _indicator(k, {}).figure_text) for k in Kind] == [
        ("target", "Target", NONE_SET), ("baseline", "Baseline", NONE_SET), ("contextual", "Baseline", NONE_SET),
        ("in_development", "Target", "In Development")]


@pytest.fixture
def later_quarter(example_ws: Workspace) -> Workspace:
    """The example with its 2023/24 Q2 baselines (175: 872) and 174 in development, a contextual indicator
    without any baseline added, looked at in the next quarter."""
    path = example_ws.register_path
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    extra = dict(copy.deepcopy(next(i for i in data["indicators"] if i["id"] == "175")), id="175b", targets={})
    # (a deep copy: a list shared with 175 would be dumped as a YAML alias, which the register refuses)
    data["indicators"].append(extra)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return example_ws


def test_the_workbook_indicators_and_the_report_say_the_same(later_quarter: Workspace) -> None:
    ws, q3 = later_quarter, Quarter(2023, 3)
    register = load_register(ws.register_path).register
    assert load_register(ws.register_path).report.valid
    figures: dict[tuple[str, str], Figure] = ws.current_figures()
    rows = {r.indicator.id: r for r in plan_rows(register, "coroner", q3, figures, ws.config.tolerances)}
    workbook = {i: (r.indicator.target_word, r.target if r.target is not None else r.target_text)
                for i, r in rows.items()}
    assert workbook["175"] == ("Baseline", Decimal(872)) and workbook["175b"] == ("Baseline", NONE_SET)

    listed = {h.indicator.id: (h.indicator.target_word, h.target_text)
              for h in load_overview(ws, q3).headlines}
    assert listed["175"] == ("Baseline", "872") and listed["175b"] == ("Baseline", NONE_SET)
    assert listed["174"] == ("Target", "In Development")

    data = json.loads(runner.invoke(app, ["indicators", "2023-24-Q3", "--json", "-w", str(ws.root)]).output)
    record = next(r for r in data["indicators"] if r["indicator"] == "175")
    assert (record["target"], record["display"]["target_label"], record["display"]["target"]) == (
        872, "Baseline", "872")

    # The report's Q3 page: the table and the trend line both say 872 (the trend has Q2's figure)
    figures[("175", "2023-24-Q3")] = Figure("175", Quarter(2023, 3), Decimal(850), commentary="Cases opened")
    model = build_model(register, register.committee("csmi"), q3, figures, council="C", team="T",  # type: ignore[arg-type]
                        produced_on=date(2024, 1, 10))
    page = next(p for p in model.pages if p.number == "175")
    assert (page.headers[0], page.cells[0]) == ("Baseline", "872")
    assert page.trend is not None and "baseline 872" in page.trend.summary
    assert [p.target for p in page.trend.points][-2:] == [Decimal(872), Decimal(872)]
    blank = next(p for p in model.pages if p.number == "175b")
    assert (blank.headers[0], blank.cells[0]) == ("Baseline", NONE_SET)


def test_the_register_is_read_in_its_own_order() -> None:
    register = Register(indicators=(Indicator("R10", "Ten", "coroner", ("c",)), Indicator("R2", "Two", "coroner", ("c",))))
    assert [i.id for i in register.indicators_of_service("coroner")] == ["R10", "R2"]
    assert [i.id for i in register.indicators_of_committee("c")] == ["R10", "R2"]
