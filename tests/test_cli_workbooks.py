"""kpixl workbooks: the command as a performance officer runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.workbook import SEED_SERVICES, example_workspace
from typer.testing import CliRunner

from kpixl.cli import app
from kpixl.steps.workspace import Workspace


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return example_workspace(tmp_path)


def _run(ws: Workspace, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, ["workbooks", *args, "--workspace", str(ws.root)])


def test_writes_one_workbook_per_service_and_a_manifest(ws: Workspace) -> None:
    result = _run(ws, "2023-24-Q2")
    assert result.exit_code == 0, result.output
    folder = ws.path("workbooks") / "2023-24-Q2"
    assert sorted(p.name for p in folder.glob("*.xlsx")) == sorted(
        f"cambridgeshire-county-council_{s}_2023-24-Q2.xlsx" for s in SEED_SERVICES)
    assert "Wrote 7 workbooks for 2023/24 Q2" in result.output
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["period"] == "2023-24-Q2" and sorted(manifest["workbooks"]) == sorted(SEED_SERVICES)
    entry = manifest["workbooks"]["libraries"]
    assert entry["file"] == "cambridgeshire-county-council_libraries_2023-24-Q2.xlsx" and entry["rows"] == 3
    assert len(entry["sha256"]) == 64 and entry["generated"]


def test_period_defaults_to_the_cycle_and_services_can_be_chosen(ws: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "chosen"
    result = _run(ws, "--service", "coroner", "-s", "libraries", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.glob("*.xlsx")) == [
        "cambridgeshire-county-council_coroner_2023-24-Q2.xlsx",
        "cambridgeshire-county-council_libraries_2023-24-Q2.xlsx"]
    again = _run(ws, "--service", "registration", "--out", str(out))  # the manifest keeps the others
    assert again.exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest["workbooks"]) == ["coroner", "libraries", "registration"]


def test_an_unknown_service_is_a_usage_error(ws: Workspace) -> None:
    result = _run(ws, "--service", "fire")
    assert result.exit_code == 2
    assert "Service 'fire' is not in the register" in result.output and "libraries" in result.output


def test_a_bad_period_is_a_usage_error(ws: Workspace) -> None:
    result = _run(ws, "Q5")
    assert result.exit_code == 2 and "is not a period" in result.output


def test_help_has_an_example() -> None:
    for command in ("workbooks", "send"):
        result = CliRunner().invoke(app, [command, "--help"])
        assert result.exit_code == 0 and f"Example: kpixl {command}" in result.output


def _deadline(ws: Workspace, day: str) -> None:
    path = ws.root / "kpixl.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('deadline = "2023-10-27"', f'deadline = "{day}"'), encoding="utf-8")


def test_generating_after_the_deadline_warns(ws: Workspace) -> None:
    """Issue 13: the example's deadline, 27 October 2023, is long past: the workbooks would tell leads it."""
    result = _run(ws, "2023-24-Q2", "--service", "libraries")
    said = " ".join(result.output.split())
    assert result.exit_code == 0 and ("Warning: The returns deadline in kpixl.toml, Friday 27 October 2023, has "
                                      "passed, and these workbooks tell leads that date.") in said
    _deadline(ws, "2999-01-01")
    assert "Warning" not in _run(ws, "2023-24-Q2", "--service", "libraries").output


def test_regenerating_a_workbook_after_its_return_was_accepted_warns(ws: Workspace) -> None:
    """Issue 13: kpixl workbooks --service X after X's return was accepted gave no word."""
    from datetime import UTC, datetime
    from decimal import Decimal

    from kpixl.domain import Figure, Quarter
    from kpixl.domain.figures import Provenance, ReceivedFigure, Submission

    _deadline(ws, "2999-01-01")
    figure = Figure("36", Quarter(2023, 2), Decimal(96326), commentary="Users as reported")
    with ws.open_store() as store:
        store.record(Submission("h1", "libraries-return.xlsx", datetime(2023, 10, 20, tzinfo=UTC), "libraries",
                                "2023-24-Q2", True), [ReceivedFigure(figure, Provenance("h1", "libraries-return.xlsx"))])
    result = _run(ws, "2023-24-Q2", "--service", "libraries", "--service", "coroner")
    said = " ".join(result.output.split())
    assert result.exit_code == 0
    assert ("Warning: Library Service's return for 2023/24 Q2 was accepted (libraries-return.xlsx, received "
            "20 October 2023). The new workbook is blank again, and a return from it would replace those figures; "
            "kpixl send --smtp will not send it unless you add --resend.") in said
    assert said.count("Warning") == 1  # the Coroner Service has sent nothing yet
