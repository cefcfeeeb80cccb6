"""The latest return wins by the time it was sent, never by its name (issue 12, case 2; docs/store.md,
"Current"): files are read in sent order, an older return collected after a newer one is an earlier version
and never current, two returns for one service in one run are named in a warning, and a refused return that a
later accepted one replaced is superseded: shown as such, and no reason to exit 1 (issue 13)."""

from __future__ import annotations

import csv
import json
import os
import shutil
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from support.cli import run_cli
from support.intake import Filled, make_filled, set_cells

from kpixl.steps.collect import Source, collect_paths, validate_paths
from kpixl.steps.workspace import Workspace

Q2 = "2023-24-Q2"
OLDER, NEWER = datetime(2023, 10, 20, 9, 0, tzinfo=UTC), datetime(2023, 10, 23, 14, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Filled:
    return make_filled(tmp_path_factory.mktemp("order"))


@pytest.fixture
def ws(made: Filled, tmp_path: Path) -> Workspace:
    return Workspace.open(Path(shutil.copytree(made.ws.root, tmp_path / "ws")))


def _return(made: Filled, folder: Path, name: str, value: object, sent: datetime) -> Path:
    """Library Service's return under name, indicator 36's Q2 figure (H3) typed as value, last saved at sent."""
    path = set_cells(made.copy("libraries", folder, name), {"H3": value})
    os.utime(path, (sent.timestamp(), sent.timestamp()))
    return path


def _current(ws: Workspace) -> Decimal | None:
    return ws.current_figures(["36"])[("36", Q2)].value


@pytest.mark.parametrize(("older", "newer"), [("libraries_v1.xlsx", "corrected_libraries.xlsx"),
                                              ("Return.xlsx", "Return (1).xlsx"),
                                              ("corrected_libraries.xlsx", "libraries_v1.xlsx")])
def test_the_latest_sent_return_is_current_whatever_the_names(made: Filled, ws: Workspace, tmp_path: Path,
                                                              older: str, newer: str) -> None:
    folder = tmp_path / "in"
    _return(made, folder, older, 11111, OLDER)
    _return(made, folder, newer, 96326, NEWER)
    results = collect_paths(ws, [folder])
    assert [(r.file_name, r.sent_at, r.sent_how) for r in results] == [
        (older, OLDER, "file modified"), (newer, NEWER, "file modified")]
    assert _current(ws) == Decimal(96326)
    twice = [p for r in results for p in r.report if p.code == "RETURN_TWICE"]
    assert len(twice) == 1 and twice[0].severity.value == "warning" and twice[0].file == newer
    assert older in twice[0].message and f"The current one is {newer}" in twice[0].message


def test_an_older_return_collected_later_is_an_earlier_version_never_current(made: Filled, ws: Workspace,
                                                                             tmp_path: Path) -> None:
    collect_paths(ws, [_return(made, tmp_path / "a", "corrected_libraries.xlsx", 96326, NEWER)])
    late = collect_paths(ws, [_return(made, tmp_path / "b", "libraries_v1.xlsx", 11111, OLDER)])[0]
    assert late.accepted and "corrected_libraries.xlsx, sent later, is current" in late.stored
    assert _current(ws) == Decimal(96326)
    with ws.open_store() as store:
        versions = [(s.version, s.figure.value, s.current) for s in store.history("36")
                    if s.figure.period.slug == Q2]
        latest = store.latest_submission_by_service(Q2)["libraries"]
    assert versions == [(1, Decimal(96326), True), (2, Decimal(11111), False)]
    assert latest.file_name == "corrected_libraries.xlsx"
    code, output = run_cli(ws, "history", "show", "36", "--json")
    assert code == 0
    shown = [(f["version"], f["current"]) for f in json.loads(output)["figures"] if f["period"] == Q2]
    assert shown == [(1, True), (2, False)]
    code, output = run_cli(ws, "export", str(tmp_path / "all.csv"))
    assert code == 0
    with (tmp_path / "all.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["indicator"] == "36" and r["period"] == Q2]
    assert {(r["version"], r["current"]) for r in rows} == {("1", "yes"), ("2", "no")}


def test_a_message_date_orders_a_return_as_its_file_time_does(made: Filled, ws: Workspace, tmp_path: Path) -> None:
    """A return from an email is ordered by the message's Date (a Source), not by when it was saved."""
    newest_file = _return(made, tmp_path / "a", "Return.xlsx", 11111, NEWER)
    attachment = _return(made, tmp_path / "b", "Return.xlsx", 96326, OLDER)  # saved earlier, sent later
    sent = datetime(2023, 10, 24, 8, 0, tzinfo=UTC)
    results = collect_paths(ws, [newest_file, Source(attachment, sent, name="Return from Ann.xlsx",
                                                     message_id="<m1@example.org>")])
    assert [(r.file_name, r.sent_how) for r in results] == [("Return.xlsx", "file modified"),
                                                           ("Return from Ann.xlsx", "message date")]
    assert _current(ws) == Decimal(96326)
    with ws.open_store() as store:
        record = store.latest_submission_by_service(Q2)["libraries"]
    assert (record.file_name, record.sent_at, record.message_id) == ("Return from Ann.xlsx", sent, "<m1@example.org>")


def test_a_refused_return_replaced_by_a_later_accepted_one_is_superseded(made: Filled, ws: Workspace,
                                                                        tmp_path: Path) -> None:
    folder = tmp_path / "in"
    _return(made, folder, "libraries_v1.xlsx", "n/a", OLDER)  # refused: not a number
    _return(made, folder, "corrected_libraries.xlsx", 96326, NEWER)
    code, output = run_cli(ws, "collect", str(folder))
    assert code == 0, output  # nothing left to correct
    assert "superseded by corrected_libraries.xlsx" in output and "Sent" in output
    assert "2023-10-20 09:00 (file modified)" in output
    assert "1 refused but superseded" in output and "correct the errors listed" not in output
    code, output = run_cli(ws, "collect", str(folder))  # collecting the folder again, all already recorded
    assert code == 0, output
    code, output = run_cli(ws, "status", "--json")
    library = next(s for s in json.loads(output)["services"] if s["service"] == "libraries")
    assert (library["accepted"], library["superseded"], library["problems"]) == (
        True, ["libraries_v1.xlsx"], [])
    code, output = run_cli(ws, "status")
    assert "accepted (1 refused, superseded)" in output


def test_a_refused_return_sent_after_the_accepted_one_is_still_to_correct(made: Filled, ws: Workspace,
                                                                         tmp_path: Path) -> None:
    folder = tmp_path / "in"
    _return(made, folder, "libraries.xlsx", 96326, OLDER)
    _return(made, folder, "libraries_again.xlsx", "n/a", NEWER)
    code, output = run_cli(ws, "collect", str(folder), "--json")
    assert code == 1
    summary = json.loads(output)
    assert (summary["refused"], summary["outstanding"], summary["superseded"]) == (1, 1, 0)
    assert _current(ws) == Decimal(96326)  # a refused return adds no figure


def test_validate_orders_by_time_and_names_both_returns_too(made: Filled, ws: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    _return(made, folder, "b.xlsx", "n/a", OLDER)
    _return(made, folder, "a.xlsx", 96326, NEWER)
    results = validate_paths(ws, [folder])
    assert [r.file_name for r in results] == ["b.xlsx", "a.xlsx"]
    assert results[0].superseded_by == "a.xlsx"
    assert [p.code for p in results[1].report if p.code == "RETURN_TWICE"] == ["RETURN_TWICE"]
