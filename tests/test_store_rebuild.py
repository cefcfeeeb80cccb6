"""The store refuses what it does not understand (issue 12, case 3, the store part): a missing or empty store
beside an archive is never silently recreated empty (every command that opens it exits 1 saying what is
missing and how to rebuild it), and `kpixl check --rebuild` rebuilds it from the archive with the same
figures and versions, refusing to overwrite a store that holds anything."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support.cli import run_cli, seed_returns
from support.intake import Filled, make_filled, set_cells

from kpixl.errors import StoreError
from kpixl.steps.collect import collect_paths
from kpixl.steps.workspace import RECEIVED, Workspace

Q2 = "2023-24-Q2"
COMMANDS = [("status",), ("collect", "IN"), ("report", "--committee", "csmi"), ("history", "show", "37"),
            ("indicators",), ("export", "OUT"), ("check",), ("workbooks",)]


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Filled:
    # The leads type the seed's figures exactly as its history file holds them (no SYNTHETIC owner): a rebuild
    # without receipts imports that file whole, Q2 too (kpixl init left Q2 out, and only a receipt says so),
    # and the returns' figures, the same, add no version.
    return make_filled(tmp_path_factory.mktemp("rebuild"), owners=False)


@pytest.fixture
def ws(made: Filled, tmp_path: Path) -> Workspace:
    """The seed's returns collected, then a corrected Library return and a refused one sent before it."""
    workspace = Workspace.open(Path(shutil.copytree(made.ws.root, tmp_path / "ws")))
    collect_paths(workspace, [seed_returns(made, tmp_path / "seed")])
    late = tmp_path / "late"
    refused = set_cells(made.copy("libraries", late, "libraries_v1.xlsx"), {"H3": "n/a"})
    corrected = set_cells(made.copy("libraries", late, "corrected.xlsx"), {"H3": 96330})
    for path, day in ((refused, 24), (corrected, 25)):
        moment = datetime(2030, 10, day, tzinfo=UTC).timestamp()
        os.utime(path, (moment, moment))
    collect_paths(workspace, [late])
    return workspace


def _state(ws: Workspace) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Every figure version with its value, status and whether it is current, and every submission, as the
    store's readers see them (ids and recording times aside)."""
    with ws.open_store() as store:
        figures = sorted((s.figure.indicator, s.figure.period.slug, s.version, s.figure.value, s.figure.status,
                          s.figure.commentary, s.current, s.provenance.file_name, s.provenance.cell)
                         for s in store.figures())
        submissions = sorted((r.file_hash, r.file_name, r.source, r.service, r.period, r.accepted, r.sent_at,
                              [p.code for p in r.problems]) for r in store.submissions())
    return figures, submissions


def _remove_store(ws: Workspace) -> Path:
    path = ws.root / "kpixl.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


def _args(command: tuple[str, ...], tmp_path: Path) -> list[str]:
    return [str(tmp_path / "late") if a == "IN" else str(tmp_path / "x.csv") if a == "OUT" else a
            for a in command]


@pytest.mark.parametrize("how", ["deleted", "zero bytes"])
def test_a_lost_store_beside_an_archive_is_refused_by_every_command(ws: Workspace, tmp_path: Path,
                                                                    how: str) -> None:
    """Before, it was recreated empty, and collect and report exited 0 with all history gone."""
    path = _remove_store(ws)
    if how == "zero bytes":
        path.write_bytes(b"")
    for command in COMMANDS:
        code, output = run_cli(ws, *_args(command, tmp_path))
        assert code == 1, (command, output)
        assert "kpixl check --rebuild" in output and ("missing" in output or "empty" in output), command
        assert "Traceback" not in output
    assert path.exists() == (how == "zero bytes") and (not path.exists() or path.stat().st_size == 0)


def test_a_new_workspace_still_gets_its_store_on_first_use(tmp_path: Path) -> None:
    from kpixl.steps.create import init_workspace

    workspace = init_workspace(tmp_path / "blank")
    code, output = run_cli(workspace, "check")
    assert code == 0, output


def test_rebuild_gives_the_same_figures_and_versions(ws: Workspace, tmp_path: Path) -> None:
    before = _state(ws)
    _remove_store(ws)
    assert run_cli(ws, "status")[0] == 1
    code, output = run_cli(ws, "check", "--rebuild")
    assert code == 0, output
    assert "Rebuilt the store" in output and "the archive and the store agree" in output
    assert _state(ws) == before
    assert ws.current_figures(["36"])[("36", Q2)].value == 96330  # the latest sent, as before
    code, output = run_cli(ws, "check", "--rebuild")  # the store holds something now: never overwritten
    assert code == 1 and "never overwrites" in output
    assert _state(ws) == before


def test_rebuild_without_receipts_keeps_the_figures_and_their_order(ws: Workspace) -> None:
    """An archive kept before receipts were: the files are taken in the order they were archived."""
    figures = [f[:7] for f in _state(ws)[0]]
    _remove_store(ws)
    shutil.rmtree(ws.root / RECEIVED)
    code, output = run_cli(ws, "check", "--rebuild")
    assert code == 0, output
    assert "no receipt" in output
    assert [f[:7] for f in _state(ws)[0]] == figures


def test_rebuild_refuses_a_store_that_holds_anything(ws: Workspace) -> None:
    from kpixl.steps.rebuild import rebuild_store

    with pytest.raises(StoreError, match="holds .* recorded file"):
        rebuild_store(ws)
