"""Collecting returns: the example's Q2 returns, filled in as leads would, collect with no errors and store
exactly the example's figures; every file is archived under its hash; nothing is lost, repeated or half
written (docs/problems.md, "Collecting")."""

from __future__ import annotations

import os
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from support.intake import Q2, Filled, make_filled, seed_figures, set_cells

from kpixl.domain import Figure
from kpixl.errors import OutputError, PathError
from kpixl.register import load_register
from kpixl.steps.collect import collect_paths, expand_paths, validate_paths
from kpixl.steps.workspace import ARCHIVE


@pytest.fixture
def filled(tmp_path: Path) -> Filled:
    return make_filled(tmp_path)


def _returns(filled: Filled, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for path in filled.filled.values():
        shutil.copyfile(path, folder / path.name)
    return folder


def _store_state(filled: Filled) -> tuple[int, int]:
    with filled.ws.open_store() as store:
        return len(store.submissions()), len(store.figures())


def test_the_seed_returns_collect_with_no_errors_and_store_the_examples_figures(filled: Filled,
                                                                                 tmp_path: Path) -> None:
    results = collect_paths(filled.ws, [_returns(filled, tmp_path / "in")])
    assert sorted((r.service, r.accepted, r.count_errors) for r in results) == [
        (s, True, 0) for s in sorted(filled.filled)]
    register = load_register(filled.ws.register_path).register
    with filled.ws.open_store() as store:
        stored = store.current_figures()
        statuses = {r.service: r.accepted for r in store.latest_submission_by_service("2023-24-Q2").values()}
    assert statuses == dict.fromkeys(filled.filled, True)
    for expected in seed_figures(register):
        got = stored[(expected.indicator, expected.period.slug)]
        assert _content(got) == _content(expected), expected.indicator
    assert {k for k, f in stored.items() if f.period.quarter() == Q2} == {
        (f.indicator, f.period.slug) for f in seed_figures(register)}


def _content(f: Figure) -> tuple[object, ...]:
    return f.value, f.status, f.reason, f.commentary, f.actions


def _archive(filled: Filled) -> set[str]:
    """The archive's files: besides the returns collected, the history file the workspace began with."""
    folder = filled.ws.path(ARCHIVE)
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def test_every_file_is_archived_under_its_hash_with_its_original_bytes(filled: Filled) -> None:
    before = _archive(filled)
    results = collect_paths(filled.ws, [filled.filled["libraries"]])
    archived = results[0].archived
    assert archived == filled.ws.path(ARCHIVE) / f"{results[0].sha256}.xlsx"
    assert archived.read_bytes() == filled.filled["libraries"].read_bytes()
    assert _archive(filled) == before | {archived.name}  # no temporary file left behind


def test_collecting_the_same_file_twice_changes_nothing(filled: Filled) -> None:
    collect_paths(filled.ws, [filled.filled["libraries"]])
    before = _store_state(filled)
    again = collect_paths(filled.ws, [filled.filled["libraries"]])
    assert _store_state(filled) == before and again[0].stored == "already recorded: nothing changed"


def test_a_refused_return_is_archived_and_recorded_with_its_problems_but_no_figure(filled: Filled,
                                                                                   tmp_path: Path) -> None:
    bad = set_cells(filled.copy("libraries", tmp_path), {"H3": "n/a"})
    before = _store_state(filled)
    result = collect_paths(filled.ws, [bad])[0]
    assert not result.accepted and result.archived is not None and result.archived.is_file()
    with filled.ws.open_store() as store:
        record = store.submissions()[-1]
        assert (record.accepted, record.service, [p.code for p in record.problems]) == (
            False, "libraries", ["FIGURE_NOT_NUMBER"])
        assert len(store.figures()) == before[1]


def test_not_a_workbook_is_kept_too(filled: Filled, tmp_path: Path) -> None:
    pdf = tmp_path / "return.xlsx"
    pdf.write_bytes(b"%PDF-1.7\n%%EOF\n")
    result = collect_paths(filled.ws, [pdf])[0]
    assert result.archived is not None and result.archived.name == f"{result.sha256}.pdf.bin"  # inert
    with filled.ws.open_store() as store:
        assert store.submissions()[-1].problems[0].code == "FILE_NOT_WORKBOOK"


def test_a_resubmission_adds_a_version(filled: Filled, tmp_path: Path) -> None:
    collect_paths(filled.ws, [filled.filled["libraries"]])
    corrected = set_cells(filled.copy("libraries", tmp_path), {"H3": 96330})
    collect_paths(filled.ws, [corrected])
    with filled.ws.open_store() as store:
        versions = [(s.version, s.figure.value) for s in store.history("36")
                    if s.figure.period.slug == "2023-24-Q2"]
    assert versions == [(1, Decimal(96326)), (2, Decimal(96330))]


def test_a_failure_while_recording_leaves_the_store_as_it_was(filled: Filled,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from kpixl.store import queries as writing

    before = _store_state(filled)

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("the disk went away")

    monkeypatch.setattr(writing, "_new_versions", broken)  # after the submission row is inserted
    with pytest.raises(RuntimeError):
        collect_paths(filled.ws, [filled.filled["libraries"]])
    monkeypatch.undo()
    assert _store_state(filled) == before
    collect_paths(filled.ws, [filled.filled["libraries"]])  # rerunning completes it
    assert _store_state(filled)[0] == before[0] + 1


def test_an_interrupted_archive_write_leaves_no_file(filled: Filled, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(src: str, dst: str) -> None:
        raise OSError("interrupted")

    before = _archive(filled)
    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OutputError):
        collect_paths(filled.ws, [filled.filled["libraries"]])
    assert _archive(filled) == before


def test_validate_stores_and_archives_nothing(filled: Filled) -> None:
    before, kept = _store_state(filled), _archive(filled)
    results = validate_paths(filled.ws, [filled.filled["libraries"]])
    assert results[0].accepted and results[0].archived is None
    assert _store_state(filled) == before and _archive(filled) == kept


def test_folders_are_searched_and_litter_skipped(tmp_path: Path) -> None:
    (tmp_path / "q2" / "late").mkdir(parents=True)
    for name in ("a.xlsx", "late/b.xlsx", "~$a.xlsx", ".DS_Store", "manifest.json", "notes.pdf"):
        (tmp_path / "q2" / name).write_bytes(b"x")
    assert [p.relative_to(tmp_path / "q2").as_posix() for p in expand_paths([tmp_path / "q2"])] == [
        "a.xlsx", "late/b.xlsx", "notes.pdf"]


def test_paths_that_are_not_there_are_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(PathError) as missing:
        expand_paths([tmp_path / "nowhere.xlsx"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(PathError):
        expand_paths([tmp_path / "empty"])
    assert missing.value.exit_code == 2


def test_the_archive_folder_is_synced_after_a_file_is_kept(tmp_path, monkeypatch) -> None:
    """The kept file's name must survive a power cut before the store records it: the folder is synced after
    the rename (on POSIX), not only the file's bytes."""
    import os

    from kpixl import files
    from kpixl.steps.create import init_workspace

    ws = init_workspace(tmp_path / "ws", None)
    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}") if os.path.exists("/proc/self/fd") else str(fd))
        real_fsync(fd)

    monkeypatch.setattr(files.os, "fsync", fsync)
    kept = ws.archive(b"bytes of a return", "ab" * 32, "xlsx")
    assert kept.read_bytes() == b"bytes of a return"
    if os.name == "posix" and os.path.exists("/proc/self/fd"):
        assert synced[-1] == os.path.realpath(ws.path(ARCHIVE))  # the folder, after the file itself
        assert len(synced) == 2
