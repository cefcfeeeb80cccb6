"""kpixl init: a new workspace, blank or holding a bundled example (whose past figures are imported).

    kpixl.toml, register.yaml, history/ workbooks/ returns/ reports/, .kpixl/secret (the signing key), and a
    .gitignore that keeps the key, the returns and the store out of version control.
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from pathlib import Path

from kpixl.domain import Quarter
from kpixl.domain.periods import last_completed_quarter
from kpixl.errors import WorkspaceError
from kpixl.files import write_atomic
from kpixl.steps.history import import_history
from kpixl.steps.workspace import CONFIG_NAME, EXAMPLES, FOLDERS, Workspace, bundled_path

__all__ = ["COMPARATORS_SAMPLE", "DEADLINE_WEEKS", "default_cycle", "init_workspace"]

COMPARATORS_SAMPLE = "comparators-synthetic.csv"  # made-up values for trying kpixl comparators (never imported)
DEADLINE_WEEKS = 4  # returns are due the fourth Friday after the quarter ends: the seed's 27 October for Q2
LATE_WEEKS = 2  # a workspace made after that date gets the second Friday from the day it is made
FRIDAY = 4  # date.weekday()


def _friday(after: date, weeks: int) -> date:
    """The weeks-th Friday after a day (the first Friday after it, then weekly)."""
    first = after + timedelta(days=(FRIDAY - after.weekday()) % 7 or 7)
    return first + timedelta(weeks=weeks - 1)


def default_cycle(today: date) -> tuple[Quarter, date]:
    """The quarter a new workspace collects and its returns deadline: the last quarter to have ended (the
    current one has no figures yet), due the fourth Friday after its end, or, when that has passed, the
    second Friday from today. Both are written in kpixl.toml for the officer to change."""
    quarter = last_completed_quarter(today)
    deadline = _friday(quarter.end_date, DEADLINE_WEEKS)
    return quarter, deadline if deadline >= today else _friday(today, LATE_WEEKS)


def _config_text(council: str, today: date) -> str:
    quarter, deadline = default_cycle(today)
    template = (Path(__file__).resolve().parents[1] / "config_template.toml").read_text(encoding="utf-8")
    return (template.replace("{council}", council.replace('"', "'")).replace("{period}", quarter.slug)
            .replace("{deadline}", deadline.isoformat()))


def init_workspace(target: Path, example: str | None = None, council: str = "Example Council",
                   include_current: bool = True, today: date | None = None) -> Workspace:
    """Create a workspace in target (new or empty), blank or holding a bundled example. A blank one collects
    the last quarter to have ended before today (default_cycle); an example keeps its own quarter.

    An example's history/figures.csv is imported into the store. With include_current=False the figures of
    the [cycle] quarter (the quarter itself, or its months) are left out, for a demo to collect them as
    returns; a later `kpixl history import history/figures.csv` would add them as the whole file.
    """
    if target.exists() and any(target.iterdir()):
        raise WorkspaceError(f"{target} is not empty: choose a new folder for the workspace")
    if example is not None and example not in EXAMPLES:
        raise WorkspaceError(f"There is no example '{example}': choose one of {', '.join(EXAMPLES)}")
    target.mkdir(parents=True, exist_ok=True)
    if example:
        source = bundled_path("examples") / EXAMPLES[example]
        (target / "history").mkdir()
        for name in (CONFIG_NAME, "register.yaml", "history/figures.csv", COMPARATORS_SAMPLE):
            write_atomic(target / name, (source / Path(name).name).read_bytes())
    else:
        write_atomic(target / CONFIG_NAME, _config_text(council, today or date.today()).encode("utf-8"))
        write_atomic(target / "register.yaml", b"services: []\ncommittees: []\nindicators: []\n")
    for folder in FOLDERS:
        (target / folder).mkdir(exist_ok=True)
    keydir = target / ".kpixl"
    keydir.mkdir()
    write_atomic(keydir / "secret", (secrets.token_hex(32) + "\n").encode("ascii"))
    (keydir / "secret").chmod(0o600)  # the signing key: its owner's alone
    write_atomic(target / ".gitignore", b".kpixl/\nreturns/\n*.sqlite\n*.sqlite-journal\n*.sqlite-wal\n*.sqlite-shm\n")
    workspace = Workspace.open(target)
    if example:
        _import_example_history(workspace, include_current)
    return workspace


def _import_example_history(workspace: Workspace, include_current: bool) -> None:
    skip = None if include_current else workspace.config.period
    result = import_history(workspace, workspace.path("history") / "figures.csv", skip)
    if not result.report.valid:
        raise WorkspaceError(f"The bundled example's figures do not import ({result.report.errors[0]}): "
                             "reinstall kpixl")
