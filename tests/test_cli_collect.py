"""kpixl collect: the example's Q2 returns, filled in as leads would, collect with no errors, and then
`kpixl status` shows every service complete; a second collect changes nothing; a refused return exits 1."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from support.intake import Filled, make_filled, set_cells
from typer.testing import CliRunner

from kpixl.cli import app

runner = CliRunner()
WIDE = {"COLUMNS": "220"}


@pytest.fixture
def filled(tmp_path: Path) -> Filled:
    return make_filled(tmp_path / "made")


def run(filled: Filled, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*args, "-w", str(filled.ws.root)], env=WIDE)
    return result.exit_code, result.output


def _returns(filled: Filled, tmp_path: Path) -> Path:
    folder = tmp_path / "returns"
    folder.mkdir()
    for path in filled.filled.values():
        shutil.copyfile(path, folder / path.name)
    # The seed has no July figure for monthly 221: the lead says why, as the workbook asks.
    trading = next(folder.glob("*trading-standards*"))
    set_cells(trading, {"I3": "Not collected this period"})
    return folder


def test_collect_the_seed_returns_then_status_is_complete(filled: Filled, tmp_path: Path) -> None:
    code, output = run(filled, "collect", str(_returns(filled, tmp_path)))
    assert code == 0, output
    assert "7 of 7 returns stored." in output and "Stored" in output and "figures stored" in output
    code, output = run(filled, "status", "2023-24-Q2")
    assert code == 0, output


def test_collecting_again_changes_nothing(filled: Filled, tmp_path: Path) -> None:
    folder = _returns(filled, tmp_path)
    run(filled, "collect", str(folder))
    code, output = run(filled, "collect", str(folder), "--json")
    data = json.loads(output)
    assert code == 0 and {r["stored"] for r in data["returns"]} == {"already recorded: nothing changed"}
    assert all(Path(r["archived"]).is_file() for r in data["returns"])


def test_a_refused_return_is_kept_and_exits_1(filled: Filled, tmp_path: Path) -> None:
    bad = set_cells(filled.copy("libraries", tmp_path), {"H4": 380018.5})
    code, output = run(filled, "collect", str(bad), "--feedback", str(tmp_path / "fb"))
    assert code == 1 and "FIGURE_NOT_WHOLE" in output and "refused, kept" in output
    assert len(list((tmp_path / "fb").iterdir())) == 1
    code, output = run(filled, "status", "2023-24-Q2", "--json")
    libraries = next(s for s in json.loads(output)["services"] if s["service"] == "libraries")
    assert code == 1 and libraries["problems"][0]["code"] == "FIGURE_NOT_WHOLE"


def test_a_path_that_is_not_there_stores_nothing_and_exits_2(filled: Filled, tmp_path: Path) -> None:
    kept = sorted(filled.ws.path("archive").iterdir())  # the history file the workspace began with
    code, output = run(filled, "collect", str(filled.filled["libraries"]), str(tmp_path / "missing.xlsx"))
    assert code == 2 and "There is no file or folder" in output
    assert sorted(filled.ws.path("archive").iterdir()) == kept


def test_returns_refused_for_the_wrong_period_are_stored_when_collected_for_the_right_one(
        filled: Filled, tmp_path: Path) -> None:
    """An officer who collects with the wrong --period (or before kpixl.toml moves on) refuses every return;
    collecting the same files for the right quarter must store them, not find them "already recorded"."""
    folder = _returns(filled, tmp_path)
    code, output = run(filled, "collect", str(folder), "--period", "2023-24-Q3")
    assert code == 1 and "META_WRONG_PERIOD" in output
    code, output = run(filled, "collect", str(folder), "--json")
    data = json.loads(output)
    assert code == 0 and all(r["stored"].endswith("unchanged") and "stored, " in r["stored"]
                             for r in data["returns"]), data["returns"]
    code, output = run(filled, "status", "2023-24-Q2")
    assert code == 0, output
    code, output = run(filled, "check")  # one archived file for each pair of submissions of the same bytes
    assert code == 0, output
    code, output = run(filled, "collect", str(folder), "--json")  # and a third time: nothing new
    assert {r["stored"] for r in json.loads(output)["returns"]} == {"already recorded: nothing changed"}


def test_collect_without_a_path_takes_the_workspaces_returns_folder_for_the_period(filled: Filled) -> None:
    """Issue 13: collect had no default folder; the workspace keeps returns in returns/<period>/."""
    code, output = run(filled, "collect")
    folder = filled.ws.path("returns") / "2023-24-Q2"
    assert code == 2 and f"there is no folder {folder}: save the returns there" in " ".join(output.split())
    folder.mkdir(parents=True)
    shutil.copyfile(filled.filled["libraries"], folder / filled.filled["libraries"].name)
    code, output = run(filled, "collect", "--json")
    assert code == 0 and [r["service"] for r in json.loads(output)["returns"]] == ["libraries"]
    code, output = run(filled, "validate", "--json")
    assert code == 0 and json.loads(output)["accepted"] == 1


def test_the_rows_without_errors_of_a_refused_return_are_stored_only_when_asked(filled: Filled,
                                                                               tmp_path: Path) -> None:
    """Issue 13: one bad cell refuses the whole return (a return is one answer); --accept-valid-rows takes
    its good rows deliberately, recorded as partly accepted, and a later full return supersedes it."""
    from kpixl.store import PARTLY_ACCEPTED

    bad = set_cells(filled.copy("libraries", tmp_path / "bad"), {"H4": "lots"})  # 37's figure: an error
    q2 = {"36": "2023-24-Q2", "37": "2023-24-Q2", "38": "2023-24-Q2"}

    def stored() -> dict[str, list[int]]:
        with filled.ws.open_store() as store:
            return {i: [s.version for s in store.history(i) if s.figure.period.slug == p] for i, p in q2.items()}

    code, output = run(filled, "collect", str(bad), "--json")
    assert code == 1 and json.loads(output)["returns"][0]["partly_accepted"] is False
    assert stored() == {"36": [], "37": [], "38": []}  # without the flag, nothing

    code, output = run(filled, "collect", str(bad), "--accept-valid-rows", "--json")
    record = json.loads(output)["returns"][0]
    assert code == 1 and (record["accepted"], record["partly_accepted"]) == (False, True)
    assert (record["rows_taken"], record["rows_left"]) == (["36 2023-24-Q2", "38 2023-24-Q2"], ["37 2023-24-Q2"])
    assert stored() == {"36": [1], "37": [], "38": [1]}  # exactly the valid rows
    with filled.ws.open_store() as store:
        [event] = store.events(kinds=[PARTLY_ACCEPTED])
    assert (event.service, event.period, event.detail["left"]) == ("libraries", "2023-24-Q2", ["37 2023-24-Q2"])
    assert run(filled, "collect", str(bad), "--accept-valid-rows")[0] == 1 and stored()["36"] == [1]  # once

    code, output = run(filled, "status", "--json")
    libraries = next(s for s in json.loads(output)["services"] if s["service"] == "libraries")
    assert (libraries["partly_accepted"], libraries["missing"], len(libraries["problems"])) == (
        True, [{"indicator": "37", "period": "2023-24-Q2"}], 1)
    assert "partly accepted" in run(filled, "status")[1]
    shown = json.loads(run(filled, "history", "show", "36", "--json")[1])["figures"]
    assert [f["partly_accepted"] for f in shown if f["period"] == "2023-24-Q2"] == [True]
    assert run(filled, "check")[0] == 0  # figures from a partly accepted return are not 'from a refused file'

    full = set_cells(filled.copy("libraries", tmp_path / "full"), {"H3": 96400})  # corrected, and 36 revised
    code, output = run(filled, "collect", str(full), "--json")
    assert code == 0 and json.loads(output)["returns"][0]["accepted"] is True
    assert stored() == {"36": [1, 2], "37": [1], "38": [1]}  # 38 unchanged, 36 a new version, 37 at last
    libraries = next(s for s in json.loads(run(filled, "status", "--json")[1])["services"]
                     if s["service"] == "libraries")
    assert (libraries["accepted"], libraries["partly_accepted"], libraries["complete"]) == (True, False, True)
