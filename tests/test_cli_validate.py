"""kpixl validate: every problem of every file, then a summary; --json gives the same records; exit 0 when
every return would be accepted, 1 when any is refused, 2 for a path or period that is wrong."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from support.intake import Filled, make_filled, set_cells
from typer.testing import CliRunner

from kpixl.cli import app
from kpixl.steps.collect import validate_paths

runner = CliRunner()
WIDE = {"COLUMNS": "220"}  # rich folds long codes in a narrow terminal


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Filled:
    return make_filled(tmp_path_factory.mktemp("cli-validate"))


def _folder(filled: Filled, tmp_path: Path) -> Path:
    folder = tmp_path / "returns"
    folder.mkdir()
    for path in filled.filled.values():
        shutil.copyfile(path, folder / path.name)
    return folder


def validate(filled: Filled, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["validate", *args, "-w", str(filled.ws.root)], env=WIDE)
    return result.exit_code, result.output


def test_the_seed_returns_would_all_be_accepted(filled: Filled, tmp_path: Path) -> None:
    code, output = validate(filled, str(_folder(filled, tmp_path)))
    assert code == 0, output
    assert "7 of 7 returns would be accepted." in output
    assert "Accepted?" in output and "Library Service" in output and "3 (3 open)" in output


def test_a_refused_return_exits_1_and_says_where_and_what_to_do(filled: Filled, tmp_path: Path) -> None:
    bad = set_cells(filled.copy("libraries", tmp_path), {"H3": "n/a"})
    code, output = validate(filled, str(bad), str(filled.filled["registration"]))
    assert code == 1
    assert "FIGURE_NOT_NUMBER" in output and "Return!H3, indicator 36" in output
    assert "choose a reason in 'Reason if no figure'" in output
    assert "1 of 2 returns would be accepted; 1 refused" in output


def test_json_prints_the_same_records(filled: Filled, tmp_path: Path) -> None:
    bad = set_cells(filled.copy("libraries", tmp_path), {"H3": "n/a"})
    code, output = validate(filled, str(bad), "--json")
    data = json.loads(output)
    library = validate_paths(filled.ws, [bad])[0]
    assert code == 1 and (data["accepted"], data["refused"]) == (0, 1)
    assert data["returns"] == [json.loads(json.dumps(library.to_dict(), default=str))]
    assert data["returns"][0]["problems"][0]["code"] == "FIGURE_NOT_NUMBER"


def test_feedback_is_written_for_returns_with_problems(filled: Filled, tmp_path: Path) -> None:
    code, output = validate(filled, str(_folder(filled, tmp_path)), "--feedback", str(tmp_path / "fb"))
    assert code == 0
    assert sorted(p.name.split("_")[1] for p in (tmp_path / "fb").iterdir()) == [
        "adult-skills", "coroner", "trading-standards"]
    assert "Feedback for the lead:" in output


def test_another_period_refuses_every_return(filled: Filled) -> None:
    code, output = validate(filled, str(filled.filled["libraries"]), "--period", "2023-24-Q3")
    assert code == 1 and "META_WRONG_PERIOD" in output and "the current collection is 2023/24 Q3" in output


@pytest.mark.parametrize("args", [["nowhere.xlsx"], [], ["x.xlsx", "--period", "2023-24-Q9"]])
def test_wrong_paths_and_periods_are_usage_errors(filled: Filled, tmp_path: Path, args: list[str]) -> None:
    if args and args[0] == "x.xlsx":
        args = [str(filled.filled["libraries"]), *args[1:]]
    code, output = validate(filled, *args)
    assert code == 2, output
