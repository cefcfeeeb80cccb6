"""Helpers for the review and sign-off tests of issue 16 (docs/review.md), no tests here: the demo's workspace
copied for a test, a lead's return sent again with some cells changed, the store's events as rows, and the
seed example on SQLite or on the test PostgreSQL database."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from kpixl.demo.run import run_demo
from kpixl.layout.returns import SIGNOFF_SHEET
from kpixl.steps.create import init_workspace
from kpixl.steps.history import import_history
from kpixl.steps.workspace import CONFIG_NAME, Workspace
from support.cli import run_cli
from support.intake import set_cells
from support.store import empty_store_url

Q2 = "2023-24-Q2"
SERVICES = ("libraries", "adult-skills", "communities", "coroner", "domestic-abuse", "registration",
            "trading-standards")
# The demo's eight queries by what they ask (service, indicator, code), with the ID the store gives each, in the
# order raised: Library Service's three Red figures whose actions name no owner or due date, Adult Skills 136
# and 137 (Red without actions, 137's unusual fall), Coroner 179's unusual rise, and Trading Standards 222 (Red,
# its actions with no owner or due date). tests/test_review.py checks the demo raises exactly these.
DEMO_RAISED = {
    ("libraries", "36", "ACTION_OWNER_REQUIRED"): "Q1", ("libraries", "37", "ACTION_OWNER_REQUIRED"): "Q2",
    ("libraries", "38", "ACTION_OWNER_REQUIRED"): "Q3", ("adult-skills", "136", "ACTIONS_REQUIRED"): "Q4",
    ("adult-skills", "137", "CHANGE_UNUSUAL"): "Q5", ("adult-skills", "137", "ACTIONS_REQUIRED"): "Q6",
    ("coroner", "179", "CHANGE_UNUSUAL"): "Q7", ("trading-standards", "222", "ACTION_OWNER_REQUIRED"): "Q8",
}
DEMO_QUERIES = tuple(DEMO_RAISED.values())


def demo_query(service: str, indicator: str, code: str) -> str:
    """The ID of the demo's query of a service's indicator with this code: a test names the query it decides on
    by what it asks, not by where the demo's numbering happens to put it."""
    return DEMO_RAISED[(service, indicator, code)]


def make_demo(folder: Path) -> Workspace:
    """The workspace `kpixl demo` leaves (no PDF): seven returns collected, eight queries open, a draft report."""
    return run_demo(folder / "demo", pdf=False).workspace


def copy_workspace(ws: Workspace, folder: Path) -> Workspace:
    target = folder / "ws"
    shutil.copytree(ws.root, target)
    return Workspace.open(target)


def demo_return(ws: Workspace, service: str) -> Path:
    [path] = (ws.path("returns") / Q2).glob(f"*_{service}_*.xlsx")
    return path


def resend(ws: Workspace, service: str, cells: dict[str, Any], name: str, later: int = 60,
           signoff: dict[str, Any] | None = None) -> Path:
    """The service's demo return with cells changed (and, given signoff, cells of its Sign-off sheet), saved as
    name in a folder of its own, last modified `later` seconds after the original: a return sent again."""
    original = demo_return(ws, service)
    folder = ws.root / "later" / name.rsplit(".", 1)[0]
    folder.mkdir(parents=True)
    path = set_cells(Path(shutil.copyfile(original, folder / name)), cells)
    if signoff:
        set_cells(path, signoff, sheet=SIGNOFF_SHEET)
    stamp = original.stat().st_mtime + later
    os.utime(path, (stamp, stamp))
    return folder


def kpixl(ws: Workspace, *args: str) -> tuple[int, str]:
    return run_cli(ws, *args)


def event_rows(ws: Workspace) -> list[tuple[Any, ...]]:
    """Every row of the events table, as the store holds it (id order)."""
    engine = create_engine(ws.store_url)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text("SELECT * FROM events ORDER BY id"))]
    engine.dispose()
    return rows


def seed_workspace(kind: str, folder: Path) -> Workspace:
    """The seed example with every 2023/24 Q2 figure imported as history (each service complete, nothing
    collected), its store a SQLite file or the test PostgreSQL database (emptied first)."""
    ws = init_workspace(folder / "ws", "cambridgeshire")
    if kind == "sqlite":
        return ws
    url = empty_store_url(kind, folder)
    config = ws.root / CONFIG_NAME
    config.write_text(re.sub(r'store = "[^"]*"', f'store = "{url}"', config.read_text(encoding="utf-8")),
                      encoding="utf-8")
    for store_file in ws.root.glob("kpixl.sqlite*"):
        store_file.unlink()
    for kept in ("archive", ".kpixl/received"):
        shutil.rmtree(ws.root / kept, ignore_errors=True)
    ws = Workspace.open(ws.root)
    assert import_history(ws, ws.path("history") / "figures.csv").report.valid
    return ws
