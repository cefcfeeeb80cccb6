"""kpixl check: the archive of original files and the store agree (kpixl/integrity.py)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from kpixl.cli.common import (
    JsonOption,
    WorkspaceOption,
    clean,
    handle_errors,
    open_workspace,
    print_json,
    print_problems,
)
from kpixl.cli.tables import Column, Table, print_table, say
from kpixl.steps import count


@handle_errors
def check(workspace: WorkspaceOption = None, json: JsonOption = False,
          rebuild: Annotated[bool, typer.Option(
              "--rebuild", help="Rebuild a missing or empty store from the archive: every archived return "
                                "collected again and every history file imported again, in the order they were "
                                "first recorded. A store that holds anything is never overwritten.")] = False,
          ) -> None:
    """Check that every recorded return and history import, and every figure stored from it, has its
    original file in the archive with the recorded SHA-256 (each file is hashed again), that every archived
    file is recorded, and that figures come whole from accepted files. Reads only. Exit 0 when all agree
    (warnings aside), 1 otherwise. With --rebuild, fill a lost store from the archive first.

    Example: kpixl check --json
    """
    from kpixl.steps.check import check_integrity

    ws = open_workspace(workspace)
    rebuilt = _rebuild(ws, json) if rebuild else None
    result = check_integrity(ws)
    if json:
        print_json(result.to_dict() | ({"rebuilt": rebuilt} if rebuilt is not None else {}))
    else:
        print_problems(result.report, title="Archive and store")
        verdict = "agree" if result.ok else f"disagree: {count(len(result.report.errors), 'problem')} listed above"
        say(f"{count(result.submissions, 'return')} and {count(result.history, 'history import')} recorded, "
            f"{count(result.figures, 'figure version')} stored, {count(result.archived, 'file')} archived: the "
            f"archive and the store {verdict}.")
    # listed above, exit 1: a file judged otherwise now, a decision the journal could not give back
    judged_otherwise = any(r["note"].startswith("judged") or r["outcome"] == "not restored" for r in rebuilt or [])
    raise typer.Exit(max(result.report.exit_code, int(judged_otherwise)))


def _rebuild(ws: Any, json: bool) -> list[dict[str, Any]]:
    """Rebuild the store and say what was done (as records for --json); then the check runs on it."""
    from dataclasses import asdict

    from kpixl.steps.rebuild import rebuild_store

    report = rebuild_store(ws)
    records = [asdict(r) | {"sent_at": r.sent_at.isoformat() if r.sent_at else None} for r in report.replayed]
    if json:
        return records
    table = Table("The store rebuilt from the archive, in the order first recorded", [
        Column("File"), Column("Kind", drop=1), Column("Sent", drop=2), Column("Outcome"), Column("Note")])
    for r in report.replayed:
        sent = f"{r.sent_at:%Y-%m-%d %H:%M}" if r.sent_at else "unknown"
        table.add(clean(r.file_name), r.source, sent, r.outcome, clean(r.note))
    print_table(table)
    decisions = sum(1 for r in report.replayed if r.source == "decision")
    say(f"Rebuilt the store: {count(len(report.replayed) - decisions, 'file')} recorded again, "
        f"{count(report.figures, 'figure version')} stored, {count(decisions, 'decision')} from the journal.")
    for r in report.changed:
        if r.source == "decision":
            say(f"The decision {r.file_name} in .kpixl/decisions was not restored: {r.note}.")
        else:
            say(f"{r.file_name} was {r.note}: today's register or key judge it otherwise.")
    return records


def register(app: typer.Typer) -> None:
    app.command()(check)
