"""kpixl check: the archive of original files and the store agree (kpixl/integrity.py)."""

from __future__ import annotations

import typer

from kpixl.cli.common import (
    JsonOption,
    WorkspaceOption,
    handle_errors,
    open_workspace,
    print_json,
    print_problems,
)
from kpixl.cli.tables import say
from kpixl.steps import count


@handle_errors
def check(workspace: WorkspaceOption = None, json: JsonOption = False) -> None:
    """Check that every recorded return and history import, and every figure stored from it, has its
    original file in the archive with the recorded SHA-256 (each file is hashed again), that every archived
    file is recorded, and that figures come whole from accepted files. Reads only. Exit 0 when all agree
    (warnings aside), 1 otherwise.

    Example: kpixl check --json
    """
    from kpixl.steps.check import check_integrity

    result = check_integrity(open_workspace(workspace))
    if json:
        print_json(result.to_dict())
    else:
        print_problems(result.report, title="Archive and store")
        verdict = "agree" if result.ok else f"disagree: {count(len(result.report.errors), 'problem')} listed above"
        say(f"{count(result.submissions, 'return')} and {count(result.history, 'history import')} recorded, "
            f"{count(result.figures, 'figure version')} stored, {count(result.archived, 'file')} archived: the "
            f"archive and the store {verdict}.")
    raise typer.Exit(result.report.exit_code)


def register(app: typer.Typer) -> None:
    app.command()(check)
