"""kpixl validate and kpixl collect: check returned workbooks (every problem, then a summary), and collect
keeps and stores them too."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kpixl.cli.common import (
    JsonOption,
    WorkspaceOption,
    clean,
    handle_errors,
    one_line,
    open_workspace,
    print_json,
    print_problems,
)
from kpixl.cli.tables import Cell, Column, Table, print_table, say
from kpixl.steps import count

if TYPE_CHECKING:
    from kpixl.steps.collect import ReturnResult

PathsArgument = Annotated[list[Path] | None, typer.Argument(
    help="Returned workbooks, or folders of them (searched recursively); default: the workspace's "
         "returns/<period>/ folder.", show_default=False)]
PeriodOption = Annotated[str | None, typer.Option(
    "--period", help="The quarter being collected, e.g. 2023-24-Q2 (default: kpixl.toml's [cycle] period).")]
FeedbackOption = Annotated[Path | None, typer.Option(
    "--feedback", help="Write, into this folder, a marked copy of each return with problems for its lead.",
    file_okay=False)]


@handle_errors
def validate(
    paths: PathsArgument = None,
    period: PeriodOption = None,
    feedback: FeedbackOption = None,
    workspace: WorkspaceOption = None,
    json: JsonOption = False,
) -> None:
    """Check returns and list every problem in every file, then a summary. Nothing is stored.
    Exit 0 when every return would be accepted, 1 when any is refused, 2 for a path that is not there.

    Example: kpixl validate returns/2023-24-Q2 --feedback feedback/
    """
    from kpixl.steps.collect import returns_folder, validate_paths

    ws = open_workspace(workspace)
    results = validate_paths(ws, paths or [returns_folder(ws, period)], period)
    show_results(results, json, feedback, stored=False)


@handle_errors
def collect(
    paths: PathsArgument = None,
    period: PeriodOption = None,
    feedback: FeedbackOption = None,
    accept_valid_rows: Annotated[bool, typer.Option(
        "--accept-valid-rows",
        help="Also store the rows without errors of a refused return (recorded as partly accepted); the rest "
             "wait for the lead's corrected return.")] = False,
    workspace: WorkspaceOption = None,
    json: JsonOption = False,
) -> None:
    """Check returns, archive each file under its content hash, and store the figures of every accepted
    return (a refused one is kept with its problems). Collecting the same file again changes nothing.
    A return is one answer: one error refuses it whole, unless --accept-valid-rows takes its rows without
    errors. Exit 0 when every return is accepted, 1 when any is refused (partly accepted or not), 2 for a
    path that is not there.

    Example: kpixl collect returns/2023-24-Q2 --feedback feedback/
    """
    from kpixl.steps.collect import collect_paths, returns_folder

    ws = open_workspace(workspace)
    results = collect_paths(ws, paths or [returns_folder(ws, period)], period, accept_valid_rows=accept_valid_rows)
    show_results(results, json, feedback, stored=True)


def show_results(results: list[ReturnResult], json: bool, feedback: Path | None, stored: bool) -> None:
    """Print every problem, then the summary (or the same records as JSON). Exit 1 if any return is refused
    and not superseded: one that a later-sent accepted return of its service replaced asks nothing more."""
    from kpixl.steps.collect import write_feedback

    written = write_feedback(results, feedback) if feedback else []
    refused = sum(1 for r in results if not r.accepted)
    outstanding = sum(1 for r in results if not r.accepted and not r.superseded_by)
    if json:
        print_json({"accepted": len(results) - refused, "refused": refused, "outstanding": outstanding,
                    "superseded": refused - outstanding,
                    "returns": [r.to_dict() for r in results], "feedback": [str(p) for p in written]})
    else:
        _problems(results)
        _summary_table(results, stored)
        for r in results:
            if not r.accepted:
                say(refusal(r))
        say(_sentence(results, refused, outstanding, stored))
        for path in written:
            say(f"Feedback for the lead: {path}")
    raise typer.Exit(1 if outstanding else 0)


def _problems(results: list[ReturnResult]) -> None:
    """One table per file with problems, titled with the file, so each place reads short (Return!J7)."""
    from dataclasses import replace

    for r in results:
        if r.report.problems:
            print_problems([replace(p, file="") for p in r.report], title=f"{r.file_name}: problems")


def _summary_table(results: list[ReturnResult], stored: bool) -> None:
    columns = [Column("File"), Column("Service"), Column("Period"), Column("Sent", drop=2), Column("Accepted?"),
               Column("Errors", right=True), Column("Queries"), Column("Warnings", right=True, drop=1)]
    table = Table("Returns, in the order they were sent", columns + ([Column("Stored", drop=3)] if stored else []))
    for r in results:
        row: list[Cell] = [clean(r.file_name), clean(r.service_name or r.service or "?"), r.period or "?",
                           _sent(r), _verdict(r), str(r.count_errors), _queries(r), str(r.count_warnings)]
        table.add(*(row + ([clean(r.stored)] if stored else [])))
    print_table(table)


def _sent(r: ReturnResult) -> str:
    """When the return was sent, and how kpixl knows: the order that decides which return is current."""
    if r.sent_at is None:
        return "unknown"
    return f"{r.sent_at:%Y-%m-%d %H:%M} ({r.sent_how})"


def refusal(r: ReturnResult) -> str:
    """One line per refused file, naming it, with its first error: what a log or a quick look needs."""
    errors = r.report.errors
    first = f"{errors[0].code}: {errors[0].message}" if errors else "refused"
    more = f" (and {count(len(errors) - 1, 'more error')} listed above)" if len(errors) > 1 else ""
    since = f" (superseded by {r.superseded_by}, sent later: nothing to correct)" if r.superseded_by else ""
    return one_line(f"Refused {r.file_name}{since}: {first}{more}")


def _verdict(r: ReturnResult) -> Cell:
    if r.accepted:
        return ("yes", "green")
    if r.superseded_by:
        return (f"no, superseded by {clean(r.superseded_by)}", "yellow")
    if r.partly is not None:
        return ("partly", "yellow")
    return ("no", "red")


def _queries(r: ReturnResult) -> str:
    total = r.count_queries
    return f"{total} ({r.open_queries} open)" if total else "0"


def _sentence(results: list[ReturnResult], refused: int, outstanding: int, stored: bool) -> str:
    done = "stored" if stored else "would be accepted"
    text = f"{len(results) - refused} of {count(len(results), 'return')} {done}"
    if outstanding:
        text += f"; {outstanding} refused: correct the errors listed and send again"
    if refused - outstanding:
        text += (f"; {refused - outstanding} refused but superseded by a later-sent accepted return of the same "
                 "service: nothing to correct")
    partly = sum(1 for r in results if r.partly is not None)
    if partly:
        text += f" ({partly} partly accepted: {'its' if partly == 1 else 'their'} rows without errors are stored)"
    return text + "."


def register(app: typer.Typer) -> None:
    app.command()(validate)
    app.command()(collect)
