"""kpixl init: a new workspace, blank or holding a bundled example (whose past figures are imported).

    kpixl.toml, register.yaml, history/ workbooks/ returns/ reports/, .kpixl/secret (the signing key), and a
    .gitignore that keeps the key, the returns and the store out of version control.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from kpixl.errors import WorkspaceError
from kpixl.files import write_atomic
from kpixl.steps.history import import_history
from kpixl.steps.workspace import CONFIG_NAME, EXAMPLES, FOLDERS, Workspace, bundled_path

__all__ = ["COMPARATORS_SAMPLE", "init_workspace"]

COMPARATORS_SAMPLE = "comparators-synthetic.csv"  # made-up values for trying kpixl comparators (never imported)


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
        (target / "history").mkdir()
        for name in (CONFIG_NAME, "register.yaml", "history/figures.csv", COMPARATORS_SAMPLE):
            write_atomic(target / name, (source / Path(name).name).read_bytes())
    else:
        write_atomic(target / CONFIG_NAME, _config_text(council).encode("utf-8"))
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
