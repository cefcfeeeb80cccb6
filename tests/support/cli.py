"""Helpers for the robustness tests of issue 7 (hostile files, fuzzing, crashes, concurrency): the store's
whole state as rows, the CLI run in-process or as a real process, and a folder of the seed's returns.
No tests here."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from kpixl.cli import app
from kpixl.steps.workspace import Workspace
from support.intake import Filled, set_cells

TABLES = ("schema_version", "submissions", "problems", "figures")
WIDE = {"COLUMNS": "220"}
State = dict[str, list[tuple[object, ...]]]


def dump_store(ws: Workspace) -> State:
    """Every row of every table (read with the standard library, so a half-written store shows as it is)."""
    path = ws.root / ws.config.store
    if not path.exists():
        return {t: [] for t in TABLES}
    with sqlite3.connect(path) as conn:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in TABLES}


def without_times(state: State) -> State:
    """The rows with received_at and recorded_at dropped, to compare two stores filled at different times."""
    submissions: list[tuple[object, ...]] = [(r[1], r[2], r[3], r[5], r[6], r[7])
                                             for r in state["submissions"]]
    figures = [r[1:14] for r in state["figures"]]
    problems = [r[1:] for r in state["problems"]]
    return {"submissions": submissions, "figures": figures, "problems": problems}


def run_cli(ws: Workspace, *args: str) -> tuple[int, str]:
    """kpixl in this process, with a wide console so tables do not wrap."""
    result = CliRunner().invoke(app, [*args, "-w", str(ws.root)], env=WIDE)
    return result.exit_code, result.output


def kpixl_process(ws: Workspace, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """A real kpixl process, started as the installed `kpixl` script starts it."""
    command = [sys.executable, "-c", "from kpixl.cli import main; main()", *args, "-w", str(ws.root)]
    return subprocess.Popen(command,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, **(env or {})})


def seed_returns(filled: Filled, folder: Path) -> Path:
    """The seven seed returns, filled in as their leads would, in one folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in filled.filled.values():
        shutil.copyfile(path, folder / path.name)
    trading = next(folder.glob("*trading-standards*"))
    set_cells(trading, {"I3": "Not collected this period"})  # the seed has no July figure for 221
    return folder
