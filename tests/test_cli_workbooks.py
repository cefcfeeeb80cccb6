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
