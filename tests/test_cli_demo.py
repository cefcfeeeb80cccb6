"""kpixl demo: the whole cycle on the seed example, and the report it leaves checked against the seed."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.report import (
    LABELS,
    SEED_RAG,
    SEED_ROWS,
    Docx,
    assert_in_order,
    seed_current_rows,
    seed_register,
)
from typer.testing import CliRunner

from kpixl.cli import app
from kpixl.demo.run import NOT_IN_SEED_COMMENTARY, seed_returns
from kpixl.domain import FigureStatus
from kpixl.register import load_register
from kpixl.report.model import paragraphs
from kpixl.steps.status import service_status

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, int]:
    target = tmp_path_factory.mktemp("demo") / "demo"
    result = runner.invoke(app, ["demo", str(target), "--no-pdf"])
    return target, result.output, result.exit_code


def test_demo_runs_the_whole_cycle_and_says_what_it_did(demo_dir: tuple[Path, str, int]) -> None:
    target, output, code = demo_dir
    assert code == 0, output
    for said in ("Wrote 7 collection workbooks", "Library Service: 3 figures typed into",
                 "Collected 7 returns: 7 accepted, 0 refused", "Built the committee report",
                 "It opens with its summary and exceptions: 7 indicators need attention"):
        assert said in output
    # Piped at 80 columns (CliRunner's), each message is one line, never wrapped inside a path or a word
    lines = output.splitlines()
    assert f"Built the committee report {target / 'reports' / 'csmi_2023-24-Q2.docx'}" in lines
    assert f"Wrote 7 collection workbooks for 2023/24 Q2 in {target / 'workbooks' / '2023-24-Q2'}" in lines
    assert len(list((target / "workbooks" / "2023-24-Q2").glob("*.xlsx"))) == 7
    assert len(list((target / "returns" / "2023-24-Q2").glob("*.xlsx"))) == 7
    assert len(list((target / "archive").glob("*.xlsx"))) == 7  # and the history CSV the demo began with
    assert len(list((target / "archive").glob("*.csv.bin"))) == 1


def test_after_the_demo_every_service_is_complete(demo_dir: tuple[Path, str, int]) -> None:
    from kpixl.steps.workspace import Workspace

    workspace = Workspace.open(demo_dir[0])
    status = service_status(workspace, workspace.period_or_default(None))
    assert status.complete, [(s.service.id, s.missing, s.outstanding) for s in status.services]


def test_the_demo_report_holds_the_seed_in_order(demo_dir: tuple[Path, str, int]) -> None:
    docx = Docx(demo_dir[0] / "reports" / "csmi_2023-24-Q2.docx")
    register, rows = {i["id"]: i for i in seed_register()["indicators"]}, seed_current_rows()
    expected: list[str] = ["Produced on: 12 December 2023", "Performance Report", "Quarter 2",
                           "2023/24 financial year", "Communities, Social Mobility and Inclusion Committee"]
    for number, (target_word, target, arrow, current, comparison, change) in SEED_ROWS.items():
        current_label, comparison_label = LABELS.get(number, ("Current Quarter", "Previous Quarter"))
        expected += [f"Indicator {number}: {register[number]['title']}", "Return to Index", "December 2023",
                     target_word, current_label, comparison_label, target, arrow, current, comparison, change]
        expected += [SEED_RAG[number]] if number in SEED_RAG else []
        expected += ["Commentary", *paragraphs(rows[number]["commentary"]), "Actions",
                     *paragraphs(rows[number]["actions"])]
    assert_in_order(docx.texts(), expected)


def test_leads_type_only_the_seeds_figures(example_ws) -> None:  # type: ignore[no-untyped-def]
    register = load_register(example_ws.register_path).register
    typed = seed_returns(example_ws, register, example_ws.period_or_default(None))
    figures = {(f.indicator, f.period.slug): f for service in typed.values() for f in service}
    # Every figure typed is the seed's; the one the seed lacks (221 in July) is said to be missing, not made up.
    july = figures[("221", "2023-07")]
    assert (july.value, july.status, july.commentary) == (None, FigureStatus.NOT_AVAILABLE, NOT_IN_SEED_COMMENTARY)
    assert str(figures[("221", "2023-08")].value) == "313" and str(figures[("221", "2023-09")].value) == "296"
    assert figures[("136", "2023-24-Q2")].reason == "Awaiting validation"
    assert len(figures) == 21
