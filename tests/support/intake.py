"""Helpers shared by the returns-reading tests (no tests here): the example workspace with its generated
workbooks filled in with the seed's Q2 figures as a lead would, and damage done to copies of them."""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from kpixl.demo.fill import fill_return
from kpixl.domain import Figure, Quarter, Register
from kpixl.intake.assess import ReturnResult, assess_bytes
from kpixl.intake.history_csv import read_figures_csv
from kpixl.intake.rules import IntakeContext
from kpixl.register import load_register
from kpixl.steps.collect import load_context
from kpixl.steps.create import init_workspace
from kpixl.steps.generate import write_workbooks
from kpixl.steps.workspace import Workspace, bundled_path

GENERATED = datetime(2023, 10, 2, 9, 0, tzinfo=UTC)
Q2 = Quarter(2023, 2)
SEED_FIGURES = bundled_path("examples") / "cambridgeshire-csmi" / "figures.csv"
KEYS = ("code", "cell", "indicator")


@dataclass(frozen=True)
class Filled:
    """An example workspace whose Q2 workbooks were generated and filled in with the seed's figures."""

    ws: Workspace
    ctx: IntakeContext
    blank: dict[str, Path]  # service id -> the workbook as generated
    filled: dict[str, Path]  # service id -> the same, filled in

    def copy(self, service: str, folder: Path, name: str | None = None, blank: bool = False) -> Path:
        source = (self.blank if blank else self.filled)[service]
        target = folder / (name or source.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        return target


# SYNTHETIC: the seed names no one, but a Red figure's return asks who owns its actions and by when
# (ACTION_OWNER_REQUIRED). The tests' leads give every figure these, so that each test's return raises only the
# problems it is about; tests/test_return_insight.py tests the query itself, and the demo types none.
SYNTHETIC_OWNER, SYNTHETIC_DUE = "Service manager (synthetic)", date(2024, 3, 31)


def seed_figures(register: Register, owners: bool = True) -> list[Figure]:
    """The seed's figures of Q2: the quarter's, and monthly 221's August and September (not July), each with a
    SYNTHETIC action owner and due date (owners=False: as the seed has them, with none)."""
    figures, problems = read_figures_csv(SEED_FIGURES, register)
    assert problems == []
    quarter = [f for f in figures if f.period.quarter() == Q2]
    return [replace(f, action_owner=SYNTHETIC_OWNER, action_due=SYNTHETIC_DUE) for f in quarter] if owners else quarter


def make_filled(folder: Path, owners: bool = True) -> Filled:
    """The example workspace (without Q2's figures) and its Q2 workbooks filled in with the seed's figures, with
    a SYNTHETIC owner and due date for every figure's actions unless owners=False."""
    ws = init_workspace(folder / "ws", "cambridgeshire", include_current=False)
    register = load_register(ws.register_path).register
    written = write_workbooks(ws, Q2, generated=GENERATED)
    figures = seed_figures(register, owners)
    blank, filled = {}, {}
    (folder / "filled").mkdir()
    for w in written:
        blank[w.service] = w.path
        mine = [f for f in figures if register.indicator(f.indicator).service == w.service]  # type: ignore[union-attr]
        filled[w.service] = fill_return(w.path, mine, folder / "filled" / w.path.name)
    return Filled(ws, load_context(ws), blank, filled)


def assess(ctx: IntakeContext, path: Path) -> ReturnResult:
    return assess_bytes(ctx, path, path.read_bytes())


def codes(result: ReturnResult, keys: tuple[str, ...] = KEYS) -> list[tuple[Any, ...]]:
    return result.report.flatten(keys)


def edit(path: Path, change: Callable[[Any], None], sheet: str = "Return") -> Path:
    """Open the workbook with openpyxl, let change() edit a sheet (or the book when sheet is ""), save."""
    from openpyxl import load_workbook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = load_workbook(path)
        change(book[sheet] if sheet else book)
        book.save(path)
    return path


def set_cells(path: Path, values: dict[str, Any], sheet: str = "Return") -> Path:
    def change(ws: Any) -> None:
        for ref, value in values.items():
            ws[ref].value = value

    return edit(path, change, sheet)


def figures_by_key(result: ReturnResult) -> dict[tuple[str, str], Figure]:
    return {(r.figure.indicator, r.figure.period.slug): r.figure for r in result.figures}
