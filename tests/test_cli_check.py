"""kpixl check: the archive and the store agree (kpixl/integrity.py). Each way they can disagree is made
here, reported with its code and file, and repaired by collecting (or importing) the original file again."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from pathlib import Path

import pytest
from support.ambiguity import ref
from support.cli import run_cli, seed_returns
from support.intake import make_filled

from kpixl.catalogue import CATALOGUE
from kpixl.files import partial_hash
from kpixl.layout.returns import FIRST_ROW
from kpixl.steps.workspace import ARCHIVE, Workspace, bundled_path

EXAMPLE_CSV = bundled_path("examples") / "cambridgeshire-csmi" / "figures.csv"


@pytest.fixture
def collected(tmp_path: Path) -> tuple[Workspace, Path]:
    filled = make_filled(tmp_path / "made")
    folder = seed_returns(filled, tmp_path / "returns")
    (folder / "scan.xlsx").write_bytes(b"%PDF-1.7\n%%EOF\n")  # a refused file is archived and recorded too
    assert run_cli(filled.ws, "collect", str(folder))[0] == 1
    return filled.ws, folder


def check(ws: Workspace) -> tuple[int, dict[str, object]]:
    code, output = run_cli(ws, "check", "--json")
    return code, json.loads(output)


def codes(data: dict[str, object]) -> list[tuple[str, str]]:
    problems = data["problems"]
    assert isinstance(problems, list)
    return [(p["code"], p["file"]) for p in problems]


def archived(ws: Workspace, suffix: str = ".xlsx") -> Path:
    return min(p for p in ws.path(ARCHIVE).iterdir() if p.name.endswith(suffix))


def test_after_a_collect_the_archive_and_store_agree(collected: tuple[Workspace, Path]) -> None:
    ws, _ = collected
    code, data = check(ws)
    assert code == 0 and data["ok"] is True and codes(data) == []
    # the eight files collected, and the example's history.csv (less this quarter) imported at init
    assert (data["submissions"], data["history_imports"], data["archived"]) == (8, 1, 9)
    assert data["figures"] == 38
    code, output = run_cli(ws, "check")
    said = " ".join(output.split())
    assert code == 0 and "8 returns and 1 history import recorded, 38 figure versions stored, 9 " \
                         "files archived: the archive and the store agree." in said


def test_a_missing_archive_file_is_named_and_collecting_again_restores_it(
        collected: tuple[Workspace, Path]) -> None:
    ws, folder = collected
    gone = archived(ws)
    gone.unlink()
    code, data = check(ws)
    assert code == 1 and [c for c, _ in codes(data)] == ["ARCHIVE_MISSING"]
    problem = data["problems"][0]  # type: ignore[index]
    assert gone.stem in problem["message"] and re.search(r"\d+ figure versions? stored from it", problem["message"])
    assert problem["hint"] == CATALOGUE["ARCHIVE_MISSING/return"].hint  # collect it again
    run_cli(ws, "collect", str(folder))
    assert check(ws)[0] == 0 and gone.is_file()


def test_an_altered_archive_file_is_found_by_its_hash_and_repaired(collected: tuple[Workspace, Path]) -> None:
    ws, folder = collected
    target = archived(ws)
    data = bytearray(target.read_bytes())
    data[100] ^= 0xFF  # same size: only the hash tells
    target.write_bytes(bytes(data))
    code, found = check(ws)
    assert code == 1 and codes(found) == [("ARCHIVE_ALTERED", target.name)]
    run_cli(ws, "collect", str(folder))
    assert check(ws)[0] == 0


def test_an_archived_file_never_recorded_is_an_orphan(collected: tuple[Workspace, Path],
                                                      tmp_path: Path) -> None:
    """What a collect killed between archiving and recording leaves; collecting the file records it."""
    ws, _ = collected
    late = tmp_path / "late.xlsx"
    late.write_bytes(b"%PDF-1.7 another scan\n")
    kept = ws.archive(late.read_bytes(), hashlib.sha256(late.read_bytes()).hexdigest(), "pdf")
    code, data = check(ws)
    assert code == 1 and codes(data) == [("ARCHIVE_ORPHAN", kept.name)]
    run_cli(ws, "collect", str(late))
    assert check(ws)[0] == 0


def test_leftovers_and_strangers_are_warnings(collected: tuple[Workspace, Path]) -> None:
    ws, _ = collected
    (ws.path(ARCHIVE) / ".0123456789abcdef.x1y2.partial").write_bytes(b"half")
    (ws.path(ARCHIVE) / "notes.txt").write_text("mine")
    code, data = check(ws)
    assert code == 0 and [c for c, _ in codes(data)] == ["ARCHIVE_LEFTOVER", "ARCHIVE_UNKNOWN"]


def test_figures_from_a_refused_return_or_with_a_lost_version_are_errors(
        collected: tuple[Workspace, Path]) -> None:
    ws, _ = collected
    with sqlite3.connect(ws.root / ws.config.store) as conn:  # damage no kpixl command can do
        conn.execute("UPDATE submissions SET accepted = 0 WHERE id = (SELECT submission_id FROM figures "
                     "WHERE indicator = '37')")
        conn.execute("INSERT INTO figures (indicator, period, version, value, status, reason, commentary, "
                     "actions, target, revision_reason, submission_id, sheet, cell, recorded_at) SELECT "
                     "indicator, period, 3, value, status, reason, commentary, actions, target, "
                     "revision_reason, submission_id, sheet, cell, recorded_at FROM figures "
                     "WHERE indicator = '36'")
    code, data = check(ws)
    found = [c for c, _ in codes(data)]
    assert code == 1 and "FIGURE_REFUSED" in found and found.count("FIGURE_VERSIONS") == 1


# --- The store against what its returns say: kpixl check reads every accepted return again (issue 12) -----

def hand_edit(ws: Workspace, statement: str) -> None:
    with sqlite3.connect(ws.root / ws.config.store) as conn:  # what no kpixl command does
        conn.execute(statement)


def test_a_value_changed_in_the_store_by_hand_is_found_by_reading_its_return_again(
        collected: tuple[Workspace, Path]) -> None:
    """Before, check said all agreed: it compared files and hashes, never the figures."""
    ws, _ = collected
    hand_edit(ws, "UPDATE figures SET value = '380019' WHERE indicator = '37' AND period = '2023-24-Q2'")
    hand_edit(ws, "UPDATE figures SET commentary = 'All fine.' WHERE indicator = '36' AND period = '2023-24-Q2'")
    code, data = check(ws)
    assert code == 1
    found = [(p["code"], p["cell"], p["indicator"]) for p in problems_of(data)]
    first, second = ref("current"), ref("current", FIRST_ROW + 1)  # 36's figure, and 37's below it
    assert found == [("FIGURE_CHANGED", first, "36"), ("FIGURE_CHANGED", second, "37")]
    changed = problems_of(data)[1]
    assert changed["severity"] == "error" and changed["sheet"] == "Return"
    assert "says value 380019, but its file" in changed["message"]
    assert f"says 380018 ({second})" in changed["message"]
    assert "commentary 'All fine.'" in problems_of(data)[0]["message"]


def test_a_store_row_that_cannot_be_read_is_a_problem_not_a_traceback(collected: tuple[Workspace, Path]) -> None:
    ws, _ = collected
    hand_edit(ws, "UPDATE figures SET status = 'weird' WHERE indicator = '36' AND period = '2023-24-Q2'")
    hand_edit(ws, "UPDATE figures SET value = 'abc' WHERE indicator = '37' AND period = '2023-24-Q2'")
    code, output = run_cli(ws, "check")
    assert code == 1 and "Traceback" not in output
    code, data = check(ws)
    found = [(p["code"], p["message"]) for p in problems_of(data) if p["code"] == "FIGURE_UNREADABLE"]
    assert len(found) == 2 and code == 1
    assert any("column status is 'weird'" in message for _, message in found)
    assert any("column value is 'abc'" in message for _, message in found)


def test_a_return_that_cannot_be_read_again_the_same_way_is_a_warning(collected: tuple[Workspace, Path]) -> None:
    """Another key (a restored workspace with a new secret): the returns no longer verify, so their figures
    cannot be compared. Nothing says the store is wrong: a warning, exit 0."""
    ws, _ = collected
    (ws.root / ".kpixl" / "secret").write_text("00" * 32, encoding="utf-8")
    code, data = check(ws)
    assert code == 0 and {c for c, _ in codes(data)} == {"ARCHIVE_NOT_REREAD"}
    assert "read again today, it is refused (META_SIGNATURE" in problems_of(data)[0]["message"]


# --- History imports: archived as returns are, and checked the same way ---------------------------------

def kept(ws: Workspace, source: Path) -> Path:
    """Where the archive keeps a history CSV."""
    return ws.path(ARCHIVE) / f"{hashlib.sha256(source.read_bytes()).hexdigest()}.csv.bin"


def problems_of(data: dict[str, object]) -> list[dict[str, str]]:
    problems = data["problems"]
    assert isinstance(problems, list)
    return problems


@pytest.fixture
def revised(tmp_path: Path) -> Path:
    path = tmp_path / "revised.csv"
    path.write_text("indicator,period,value,status,reason,commentary,actions\n"
                    "37,2023-24-Q1,351300,validated,,Late visits counted,\n", encoding="utf-8")
    return path


def test_a_history_import_is_archived_under_its_hash_and_check_agrees(collected: tuple[Workspace, Path],
                                                                       revised: Path) -> None:
    ws, _ = collected
    assert run_cli(ws, "history", "import", str(revised))[0] == 0
    assert kept(ws, revised).read_bytes() == revised.read_bytes()
    code, data = check(ws)
    assert code == 0 and codes(data) == []
    assert (data["submissions"], data["history_imports"], data["archived"]) == (8, 2, 10)
    assert run_cli(ws, "history", "import", str(revised))[0] == 0  # again: nothing doubled
    code, data = check(ws)
    assert code == 0 and (data["history_imports"], data["archived"]) == (2, 10)


def test_a_missing_history_file_is_an_error_and_importing_it_again_restores_it(
        collected: tuple[Workspace, Path], revised: Path) -> None:
    ws, _ = collected
    run_cli(ws, "history", "import", str(revised))
    kept(ws, revised).unlink()
    code, data = check(ws)
    assert code == 1 and codes(data) == [("ARCHIVE_MISSING", "revised.csv")]
    [problem] = problems_of(data)
    assert problem["severity"] == "error" and "The history file revised.csv (imported" in problem["message"]
    assert problem["hint"] == CATALOGUE["ARCHIVE_MISSING/history"].hint  # kpixl history import FILE
    assert run_cli(ws, "history", "import", str(revised))[0] == 0
    assert check(ws)[0] == 0 and kept(ws, revised).is_file()


def test_an_altered_history_file_is_found_by_its_hash_and_repaired(collected: tuple[Workspace, Path],
                                                                    revised: Path) -> None:
    ws, _ = collected
    run_cli(ws, "history", "import", str(revised))
    target = kept(ws, revised)
    target.write_bytes(target.read_bytes().replace(b"351300", b"351399"))  # same size: only the hash tells
    code, data = check(ws)
    assert code == 1 and codes(data) == [("ARCHIVE_ALTERED", target.name)]
    assert problems_of(data)[0]["hint"] == CATALOGUE["ARCHIVE_ALTERED/history"].hint  # kpixl history import FILE
    run_cli(ws, "history", "import", str(revised))
    assert check(ws)[0] == 0 and target.read_bytes() == revised.read_bytes()


def test_a_partial_import_is_checked_against_the_whole_file_it_came_from(
        collected: tuple[Workspace, Path]) -> None:
    """init left this quarter out of the example's history: that import is recorded under a hash of the
    file's hash, and its file is the one kept under the file's own hash."""
    ws, _ = collected
    whole = kept(ws, EXAMPLE_CSV)
    with sqlite3.connect(ws.root / ws.config.store) as conn:
        [(recorded,)] = conn.execute("SELECT file_hash FROM submissions WHERE source = 'history'").fetchall()
    assert recorded == partial_hash(whole.name.split(".")[0])
    whole.unlink()
    code, data = check(ws)
    assert code == 1 and codes(data) == [("ARCHIVE_MISSING", "figures.csv")]
    assert run_cli(ws, "history", "import", str(ws.path("history") / "figures.csv"))[0] == 0  # the whole file
    code, data = check(ws)
    assert code == 0 and whole.is_file() and data["history_imports"] == 2


def older_workspace(ws: Workspace) -> None:
    """The store as kpixl left it before history files were archived: schema version 1 only."""
    with sqlite3.connect(ws.root / ws.config.store) as conn:
        conn.execute("UPDATE schema_version SET version = 1")


def test_a_history_file_imported_before_kpixl_kept_them_is_a_warning_not_an_error(
        example_ws: Workspace) -> None:
    """Every council's store has history imports whose files were never archived: check says so calmly (exit
    0), and importing the same file again keeps it."""
    ws = example_ws
    kept(ws, EXAMPLE_CSV).unlink()
    older_workspace(ws)
    code, data = check(ws)
    assert code == 0 and data["ok"] is True and codes(data) == [("HISTORY_NOT_ARCHIVED", "figures.csv")]
    [problem] = problems_of(data)
    assert problem["severity"] == "warning"
    assert "imported before kpixl kept history files" in problem["message"]
    assert problem["hint"] == CATALOGUE["HISTORY_NOT_ARCHIVED"].hint  # import it again, or leave it
    code, output = run_cli(ws, "check")
    assert code == 0 and "HISTORY_NOT_ARCHIVED" in output and "the archive and the store agree" in output
    assert run_cli(ws, "history", "import", str(ws.path("history") / "figures.csv"))[0] == 0
    code, data = check(ws)
    assert code == 0 and codes(data) == [] and data["history_imports"] == 1


def test_a_history_file_lost_after_kpixl_began_keeping_them_is_an_error(example_ws: Workspace) -> None:
    ws = example_ws
    kept(ws, EXAMPLE_CSV).unlink()  # the store is this kpixl's: its history files are archived
    code, data = check(ws)
    assert code == 1 and codes(data) == [("ARCHIVE_MISSING", "figures.csv")]
