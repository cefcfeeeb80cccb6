"""kpixl check: the archive and the store agree (kpixl/integrity.py). Each way they can disagree is made
here, reported with its code and file, and repaired by collecting the original file again."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from robust_support import run_cli, seed_returns
from test_intake_support import make_filled

from kpixl.archive import ARCHIVE, archive_bytes
from kpixl.workspace import Workspace


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
    assert (data["submissions"], data["archived"]) == (8, 8) and data["figures"] == 38
    code, output = run_cli(ws, "check")
    said = " ".join(output.split())
    assert code == 0 and "8 return(s) recorded, 38 figure version(s) stored, 8 file(s) archived: the " \
                         "archive and the store agree." in said


def test_a_missing_archive_file_is_named_and_collecting_again_restores_it(
        collected: tuple[Workspace, Path]) -> None:
    ws, folder = collected
    gone = archived(ws)
    gone.unlink()
    code, data = check(ws)
    assert code == 1 and [c for c, _ in codes(data)] == ["ARCHIVE_MISSING"]
    problem = data["problems"][0]  # type: ignore[index]
    assert gone.stem in problem["message"] and "figure version(s) stored from it" in problem["message"]
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
    kept = archive_bytes(ws, late.read_bytes(), hashlib.sha256(late.read_bytes()).hexdigest(), "pdf")
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
