"""The scale benchmark (benchmarks/, issues 6 and 11) keeps working: its scenario generator, each kpixl stage and
each floor at a tiny size, and the harness writing its JSON with the targets. No timing is asserted: CI
machines vary."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import floors, stages
from benchmarks.synthetic import (
    COUNCIL,
    Scenario,
    current_figures,
    figures_by_service,
    make_council,
    make_register,
)
from kpixl.domain import Figure, Frequency, Kind, Quarter, Unit
from kpixl.register.yaml_file import dump_yaml
from kpixl.steps.report import reference_document
from kpixl.steps.workspace import Workspace

TINY = Scenario(n_indicators=20, n_services=4, n_committees=2, n_quarters=4)


@pytest.fixture(scope="module")
def council(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return make_council(tmp_path_factory.mktemp("bench") / "council", TINY.n_indicators, TINY.n_services,
                        TINY.n_committees, TINY.n_quarters)


def test_same_seed_same_register_and_figures() -> None:
    first, second = make_register(TINY), make_register(TINY)
    assert dump_yaml(first) == dump_yaml(second)
    assert current_figures(first, seed=1) == current_figures(second, seed=1)
    assert dump_yaml(make_register(replace(TINY, seed=2))) != dump_yaml(first)


def test_the_register_is_labelled_synthetic_and_valid(council: Workspace) -> None:
    register = stages.load_register(council)  # raises on any register problem
    assert council.config.council == COUNCIL
    assert council.register_path.read_text(encoding="utf-8").startswith("# SYNTHETIC BENCHMARK DATA")
    assert all(s.lead_email.endswith("@example.org") and s.name.startswith("Synthetic service")
               for s in register.services)
    assert len(register.indicators) == 20
    assert len(register.indicators_of_committee("committee-1")) == 20 // 2


def test_full_size_covers_every_shape() -> None:
    register = make_register(Scenario())
    indicators = register.indicators
    assert len(indicators) == 400 and len(register.services_reporting(Quarter(2023, 2))) == 50
    assert {i.unit for i in indicators} >= {Unit.COUNT, Unit.PERCENTAGE, Unit.HOURS, Unit.MONEY, Unit.RATE}
    assert {i.direction.value for i in indicators} == {"up", "down", "none"}
    assert {i.kind for i in indicators} == set(Kind)
    assert sum(i.kind is Kind.TARGET for i in indicators) > 200
    assert {i.frequency for i in indicators} == set(Frequency) and {i.cumulative for i in indicators} == {True, False}
    assert {len(i.committees) for i in indicators} == {1, 2}
    assert len(register.indicators_of_committee("committee-1")) == 50


def test_history_has_long_commentary(council: Workspace) -> None:
    text = (council.path("history") / "figures.csv").read_text(encoding="utf-8")
    assert text.startswith("indicator,period,value,status,reason,commentary,actions")
    register = stages.load_register(council)
    figures = current_figures(register, council.config.period, seed=1)  # type: ignore[arg-type]
    words = [len(f.commentary.split()) for f in figures]
    assert min(words) >= 100 and len(figures) >= 20


def test_each_stage_and_its_floor_at_a_tiny_size(council: Workspace, tmp_path: Path) -> None:
    register = stages.load_register(council)
    quarter = council.config.period
    assert quarter is not None
    history: dict[tuple[str, str], Figure] = {}
    plans = floors.prepare_workbooks(council, register, quarter, history, {})
    assert len(floors.floor_workbooks(plans, tmp_path / "floor-workbooks")) == 4
    workbooks = stages.write_workbooks(council, quarter, tmp_path / "workbooks")
    assert len(workbooks) == 4
    returns = stages.fill_returns(workbooks, figures_by_service(register, current_figures(register, quarter)),
                                  tmp_path / "returns")
    assert floors.floor_returns(returns, tmp_path / "floor.sqlite", council.secret) >= 20
    stages.collect_returns(council, returns)
    committees = [c.id for c in register.committees]
    reports = stages.build_reports(council, quarter, committees, tmp_path / "reports")
    assert len(reports) == 2
    plans_r = floors.prepare_reports(council, quarter, committees)
    written = floors.floor_reports(plans_r, reference_document(council), tmp_path / "floor-reports")
    assert len(written) == 2
    # The floor writes what kpixl writes: every chart and link of the committee's pages, in a document
    # python-docx opens again.
    document = docx.Document(str(written[0]))
    charts = sum(1 for p in plans_r[0].pages if p.chart)
    assert charts and sum(1 for r in document.part.rels.values() if r.reltype == RT.CHART) == charts
    assert len(document.paragraphs) > 10 * len(plans_r[0].pages)


def test_the_harness_writes_its_json(tmp_path: Path) -> None:
    from benchmarks import run

    out = tmp_path / "result.json"
    assert run.main(["--scale", "0.05", "--runs", "1", "--min-seconds", "0", "--cli-runs", "1", "--help-runs", "1",
                     "--json", str(out), "--workdir", str(tmp_path / "work")]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    stages_found = data["sizes"]["x0.05"]["stages"]
    assert set(stages_found) == {"workbooks", "collect", "reports", "report-one", "help"}
    assert stages_found["workbooks"]["in_process"]["runs_s"]
    assert data["machine"]["cores"]
    shown = [t["target"] for t in data["targets"]]
    assert [t for t in shown if "floor" in t] == [f"{stage}: within 2.0x of its floor"
                                                   for stage in ("workbooks", "collect", "reports", "report-one")]
    assert "whole quarter under 6 s as commands" in shown
    assert data["sizes"]["x0.05"]["quarter"]["whole_process_s"] > 0


def test_one_committees_report_reads_only_its_own_indicators_figures(council: Workspace, monkeypatch) -> None:
    """The report of one committee asks the store for its indicators alone; --committee all, for everything."""
    from kpixl.steps.report import prepare_report, prepare_reports
    from kpixl.store import Store

    asked: list[object] = []
    real = Store.current_figures

    def spy(store: Store, indicators: object = None) -> object:
        asked.append(None if indicators is None else set(indicators))  # type: ignore[call-overload]
        return real(store, indicators)  # type: ignore[arg-type]

    # The report reads the figures with its review and sign-off, from one store opened once (steps/report._load).
    monkeypatch.setattr(Store, "current_figures", spy)
    register = stages.load_register(council)
    quarter = council.config.period
    own = {i.id for i in register.indicators_of_committee("committee-1")}
    model = prepare_report(council, quarter, "committee-1").model
    assert asked == [own] and len(own) < len(register.indicators)
    assert any(p.trend is not None for p in model.pages)  # the figures it did read are on the pages
    list(prepare_reports(council, quarter))
    assert asked[-1] is None
