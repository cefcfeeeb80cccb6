"""The commands of issue 17's first part (docs/insight.md): kpixl comparators import and show, kpixl register
roll, and kpixl indicators --forecast, as tables and as --json. Comparator values are SYNTHETIC."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

from support.cli import run_cli
from support.insight import LGINFORM_WIDE_CSV, write

from kpixl.register import load_register
from kpixl.steps.workspace import Workspace


def test_import_then_show_the_councils_rank(example_ws: Workspace) -> None:
    code, out = run_cli(example_ws, "comparators", "import", str(example_ws.root / "comparators-synthetic.csv"),
                        "--source", "Synthetic example data", "--json")
    result = json.loads(out)
    assert code == 0 and (result["stored"], result["values"], result["format"]) == (True, 11, "tidy")
    code, out = run_cli(example_ws, "comparators", "show", "37", "--json")
    view = json.loads(out)
    assert code == 0 and view["benchmark"]["text"] == "3rd of 5 synthetic neighbours, third quartile"
    assert (view["benchmark"]["group_mean"], view["benchmark"]["national"]) == (1587500, 1300000)  # numbers
    assert {v["role"] for v in view["values"]} == {"council", "group", "national"}
    assert view["values"][0]["source"] == "Synthetic example data"
    code, out = run_cli(example_ws, "comparators", "show", "37")
    assert code == 0 and "3rd of 5 synthetic neighbours, third quartile" in out
    assert "council 1,480,000; synthetic neighbours mean 1,587,500 (4 with a value); England 1,300,000" in out
    code, out = run_cli(example_ws, "comparators", "import", str(example_ws.root / "comparators-synthetic.csv"))
    assert code == 0 and "was imported before: nothing changed" in out


def test_a_percentage_is_shown_as_the_report_prints_it(example_ws: Workspace) -> None:
    run_cli(example_ws, "comparators", "import", str(example_ws.root / "comparators-synthetic.csv"))
    code, out = run_cli(example_ws, "comparators", "show", "220", "2023-24-Q2")
    assert code == 0 and "council 55%; synthetic neighbours mean 53%" in out  # (61 + 48 + 52.5 + 50) / 4


def test_values_imported_without_a_source_say_so(example_ws: Workspace, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("COLUMNS", "200")  # wide enough that no column is left out
    run_cli(example_ws, "comparators", "import", str(example_ws.root / "comparators-synthetic.csv"))
    code, out = run_cli(example_ws, "comparators", "show", "220")
    rows = [line for line in out.splitlines() if "(synthetic)" in line]
    assert code == 0 and len(rows) == 5 and all("not given" in row for row in rows), out
    code, out = run_cli(example_ws, "comparators", "show", "220", "--json")
    assert {v["source"] for v in json.loads(out)["values"]} == {""}  # --json keeps what was stored


def test_an_lg_inform_file_without_its_metric_is_refused_with_exit_1(example_ws: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path, "lginform.csv", LGINFORM_WIDE_CSV)
    code, out = run_cli(example_ws, "comparators", "import", str(path))
    assert code == 1 and "COMP_NO_METRIC" in out and "nothing was stored" in out
    code, out = run_cli(example_ws, "comparators", "import", str(path), "--metric", "7001", "--json")
    result = json.loads(out)
    assert code == 0 and result["values"] == 11 and [p["code"] for p in result["problems"]] == \
        ["COMP_METRIC_UNMAPPED"]


def test_show_an_unknown_indicator_is_a_usage_error(example_ws: Workspace) -> None:
    code, out = run_cli(example_ws, "comparators", "show", "9999")
    assert code == 2 and "no indicator '9999'" in out


def test_register_roll_writes_a_proposal_and_a_diff(example_ws: Workspace) -> None:
    code, out = run_cli(example_ws, "register", "roll", "2024-25", "--uplift", "5%", "--json")
    assert code == 0
    result = json.loads(out)
    assert result["file"].endswith("register-2024-25.yaml") and result["uplift"] == 0.05
    by = {(c["indicator"], c["to"]): c for c in result["proposed"]}
    assert (by[("37", "2024-25-Q2")]["before"], by[("37", "2024-25-Q2")]["after"]) == (475381, 499150)
    assert by[("179", "2024-25-Q2")]["rule"] == "baseline carried forward"
    assert by[("198", "2024-25-Q2")]["after_text"] == "73.5%"
    rolled = load_register(example_ws.root / "register-2024-25.yaml")
    assert rolled.report.valid
    target = rolled.register.indicator("37")
    assert target is not None and target.targets["2024-25-Q2"] == D(499150) and "2023-24-Q2" in target.targets
    assert load_register(example_ws.register_path).register.indicator("37").targets == {  # type: ignore[union-attr]
        "2023-24-Q2": D(475381)}  # the workspace's register is not changed
    code, out = run_cli(example_ws, "register", "roll", "2024-25")
    assert code == 2 and "already exists" in out


def test_register_roll_table_and_bad_uplifts(example_ws: Workspace, tmp_path: Path) -> None:
    out_file = tmp_path / "next.xlsx"
    code, out = run_cli(example_ws, "register", "roll", "2024/25", "--same", "--out", str(out_file))
    assert code == 0 and "Targets proposed for 2024/25" in out and out_file.is_file()
    assert load_register(out_file).report.valid
    for bad in ("5", "500%", "lots", "-5%"):
        code, out = run_cli(example_ws, "register", "roll", "2024-25", "--uplift", bad)
        assert code == 2 and "is not a change kpixl can make" in out
    code, out = run_cli(example_ws, "register", "roll", "2024-25", "--same", "--uplift", "5%")
    assert code == 2 and "--same or --uplift" in out


def test_indicators_forecast_is_labelled_and_counted(example_ws: Workspace) -> None:
    code, out = run_cli(example_ws, "indicators", "2023-24-Q2", "--json")
    data = json.loads(out)
    assert code == 0 and "forecast_to_meet_target" in data
    by = {i["indicator"]: i for i in data["indicators"]}
    # 136 is cumulative (608 learners by Q2, provisional): a run-rate forecast; its only target is Q2's.
    assert by["136"]["forecast"]["forecast_text"] == "Forecast: 1,216"
    assert by["136"]["forecast"]["forecast_method"] == "run rate"
    # 37 counts visits, quarter by quarter: its year so far adds up Q1 and Q2 (351,220 + 380,018).
    assert by["37"]["forecast"]["forecast_year_to_date"] == 731238  # a number, as every --json figure
    assert by["220"]["forecast"] is None  # a percentage without its parts has no year to date
    code, out = run_cli(example_ws, "indicators", "2023-24-Q2", "--forecast")
    assert code == 0 and "Year-end forecast" in out and "Forecast: 1,216" in out
    assert "forecast to meet their annual target" in out
