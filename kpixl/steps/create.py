"""kpixl init: a new workspace, blank or holding a bundled example (whose past figures are imported).

    kpixl.toml, register.yaml, history/ workbooks/ returns/ reports/, .kpixl/secret (the signing key), and a
    .gitignore that keeps the key, the returns and the store out of version control.
"""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path

from kpixl.errors import WorkspaceError
from kpixl.steps.history import import_history
from kpixl.steps.workspace import CONFIG_NAME, EXAMPLES, FOLDERS, Workspace, bundled_path

__all__ = ["init_workspace"]


def _config_text(council: str) -> str:
    return (Path(__file__).resolve().parents[1] / "config_template.toml").read_text(encoding="utf-8").replace(
        "{council}", council.replace('"', "'"))


def init_workspace(target: Path, example: str | None = None, council: str = "Example Council",
                   include_current: bool = True) -> Workspace:
    """Create a workspace in target (new or empty), blank or holding a bundled example.

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
        shutil.copy(source / CONFIG_NAME, target / CONFIG_NAME)
        shutil.copy(source / "register.yaml", target / "register.yaml")
        (target / "history").mkdir()
        shutil.copy(source / "figures.csv", target / "history" / "figures.csv")
    else:
        (target / CONFIG_NAME).write_text(_config_text(council), encoding="utf-8")
        (target / "register.yaml").write_text("services: []\ncommittees: []\nindicators: []\n", encoding="utf-8")
    for folder in FOLDERS:
        (target / folder).mkdir(exist_ok=True)
    keydir = target / ".kpixl"
    keydir.mkdir()
    (keydir / "secret").write_text(secrets.token_hex(32) + "\n")
    (keydir / "secret").chmod(0o600)
    (target / ".gitignore").write_text(".kpixl/\nreturns/\n*.sqlite\n*.sqlite-journal\n*.sqlite-wal\n*.sqlite-shm\n")
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
