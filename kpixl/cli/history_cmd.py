"""kpixl history show / import: an indicator's stored figures and versions, and loading past figures."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kpixl.cli.common import (
    JsonOption,
    WorkspaceOption,
    clean,
    handle_errors,
    number,
    open_workspace,
    print_json,
    print_problems,
)
from kpixl.cli.tables import Column, Table, print_table, say
from kpixl.steps import count

if TYPE_CHECKING:
    from kpixl.steps.history import ImportResult, IndicatorHistory
    from kpixl.store import StoredFigure

app = typer.Typer(help="Figures kept in the store: every version of an indicator, and past figures to load.",
                  no_args_is_help=True, rich_markup_mode=None)


@app.command()
@handle_errors
def show(
    indicator: Annotated[str, typer.Argument(help="The indicator's number, e.g. 37 (capitals or not: r03 is R03).")],
    workspace: WorkspaceOption = None,
    json: JsonOption = False,
) -> None:
    """List every figure stored for an indicator: each period, each version, and where it came from; then
    the team's notes and commentary edits, each beside the lead's commentary as sent.

    Example: kpixl history show 37
    """
    from kpixl.steps.history import indicator_history

    history = indicator_history(open_workspace(workspace), indicator)
    if json:
        print_json({"indicator": history.indicator_id,
                    "title": history.indicator.title if history.indicator else "",
                    "figures": [_record(history, s) for s in history.versions],
                    "annotations": [a.to_dict() for a in history.annotations]})
    elif not history.versions:
        say(f"No figures are stored for indicator {clean(history.indicator_id)} yet.")
        _annotations(history)
    else:
        print_table(_table(history))
        _annotations(history)


def _record(history: IndicatorHistory, s: StoredFigure) -> dict[str, Any]:
    f = s.figure
    return {
        "period": f.period.slug, "version": s.version, "current": s.current,
        "value": number(f.value), "value_text": history.value_text(f),
        "status": f.status.value, "reason": f.reason, "commentary": f.commentary, "actions": f.actions,
        "target": s.target, "revision_reason": s.revision_reason,
        "file": s.provenance.file_name, "partly_accepted": history.partly_accepted(s),
        "file_hash": s.provenance.file_hash, "sheet": s.provenance.sheet,
        "cell": s.provenance.cell, "source": s.submission.source, "service": s.submission.service,
        "received_at": s.submission.received_at.isoformat(), "recorded_at": s.recorded_at.isoformat(),
        # Where it came from, when it came in a message (issue 15): "" for a file collected as it was.
        "sent_at": s.submission.sent.isoformat(), "sender": s.submission.sender, "subject": s.submission.subject,
        "message_id": s.submission.message_id, "attachment": s.submission.attachment,
    }


def _table(history: IndicatorHistory) -> Table:
    title = f"Indicator {history.indicator_id}"
    if history.indicator:
        title += f": {history.indicator.title}"
    mailed = any(s.submission.sender or s.submission.message_id for s in history.versions)
    columns = [Column("Period"), Column("Ver."), Column("Value", right=True), Column("Status"),
               Column("Received", drop=2), Column("File"), Column("Cell", drop=1)]
    table = Table(clean(title), columns + ([Column("From", drop=3)] if mailed else []),
                  caption="* the current version")
    for s in history.versions:
        cell = f"{s.provenance.sheet}!{s.provenance.cell}" if s.provenance.sheet else s.provenance.cell
        version = f"{s.version} *" if s.current else str(s.version)
        table.add(s.figure.period.slug, version, history.value_text(s.figure),
                  s.figure.status.value.replace("_", " "), s.submission.received_at.strftime("%Y-%m-%d"),
                  clean(s.provenance.file_name) + (" (partly accepted)" if history.partly_accepted(s) else ""),
                  clean(cell), *([clean(_came_from(s))] if mailed else []))
    return table


def _annotations(history: IndicatorHistory) -> None:
    """The team's annotations, each beside the lead's commentary it was made beside, which stays as sent."""
    for a in history.annotations:
        period = str(a.event.detail.get("figure_period", a.event.period))
        if a.kind == "note":
            say(clean(f"{a.id}, {period}: note by {a.event.actor} on {a.event.at:%Y-%m-%d}: {a.text}"))
            continue
        decided = f", {a.state.value} by {a.decision.actor}" if a.decision else f", {a.state.value}"
        say(f"{a.id}, {period}: commentary edit by {a.event.actor} on {a.event.at:%Y-%m-%d}{decided}"
             f"{' (lapsed: the lead has sent new commentary)' if a.lapsed else ''}")
        say(f"  Team's text:       {clean(a.text)}")
        say(f"  Lead's commentary: {clean(a.lead_commentary) or '(none)'}")
        now = history.lead_commentary(period)
        if a.lapsed and now:
            say(f"  Lead's commentary now: {clean(now)}")


def _came_from(s: StoredFigure) -> str:
    """The message a figure came in: its sender, Date, subject and Message-ID ("" for a file)."""
    sub = s.submission
    if not (sub.sender or sub.message_id):
        return ""
    parts = [sub.sender or "unknown sender", f"sent {sub.sent:%Y-%m-%d %H:%M} UTC"]
    parts += [f"'{sub.subject}'"] if sub.subject else []
    parts += [sub.message_id] if sub.message_id else []
    return ", ".join(parts)


@app.command(name="import")
@handle_errors
def import_(
    file: Annotated[Path, typer.Argument(
        help="A .csv or .xlsx with columns indicator, period, value, status, reason, commentary, actions.",
        exists=True, dir_okay=False)],
    workspace: WorkspaceOption = None,
    json: JsonOption = False,
) -> None:
    """Load past figures (for a council starting mid-year), checked like a return: any error and nothing
    is stored; otherwise the file is kept in the archive, as a return is. Importing the same file again
    changes nothing.

    Example: kpixl history import history/figures.csv
    """
    from kpixl.steps.history import import_history

    result = import_history(open_workspace(workspace), file)
    if json:
        print_json(_summary(result))
    else:
        print_problems(result.report, title=f"Problems in {file.name}")
        say(clean(_sentence(result)))
    raise typer.Exit(result.exit_code)


def _summary(result: ImportResult) -> dict[str, Any]:
    recorded = result.recorded
    return {"file": str(result.path), "stored": recorded is not None and not recorded.duplicate,
            "duplicate": bool(recorded and recorded.duplicate), "figures": len(result.figures),
            "added": len(recorded.added) if recorded else 0,
            "unchanged": recorded.unchanged if recorded else 0, "sha256": result.sha256,
            "archived": str(result.archived) if result.archived else "", "problems": result.report.to_list()}


def _sentence(result: ImportResult) -> str:
    name, recorded = result.path.name, result.recorded
    if recorded is None:
        errors = len(result.report.errors)
        return f"{name}: {count(errors, 'error')}; nothing was stored. Correct the file and import it again."
    if recorded.duplicate:
        return f"{name} was imported before: nothing changed."
    return (f"{name}: {count(len(result.figures), 'figure')} read; {len(recorded.added)} stored as new versions, "
            f"{recorded.unchanged} already stored unchanged.")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="history")
