"""kpixl validate and kpixl collect: check returned workbooks (every problem, then a summary), and collect
keeps and stores them too."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

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
from kpixl.cli.mail_options import (
    DraftsOption,
    FromOption,
    PasswordEnvOption,
    SmtpOption,
    StartTlsOption,
    UserOption,
    print_deliveries,
    transport,
)
from kpixl.cli.tables import Cell, Column, Table, print_table, say
from kpixl.steps import count

if TYPE_CHECKING:
    from kpixl.domain import Quarter
    from kpixl.steps.collect import Collected, MessageResult, ReturnResult
    from kpixl.steps.receipts import ReceiptSummary
    from kpixl.steps.send import Transport
    from kpixl.steps.workspace import Workspace

PathsArgument = Annotated[list[Path] | None, typer.Argument(
    help="Returned workbooks, saved messages (.eml, Outlook .msg: each attachment is a return), or folders of "
         "them (searched recursively); default: the workspace's returns/<period>/ folder.", show_default=False)]
PeriodOption = Annotated[str | None, typer.Option(
    "--period", help="The quarter being collected, e.g. 2023-24-Q2 (default: kpixl.toml's [cycle] period).")]
FeedbackOption = Annotated[Path | None, typer.Option(
    "--feedback", help="Write, into this folder, a marked copy of each return with problems for its lead.",
    file_okay=False)]
NoReceiptsOption = Annotated[bool, typer.Option(
    "--no-receipts", help="Answer no message (a receipt goes to each message's sender with --drafts or --smtp).")]


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
    from kpixl.steps.collect import returns_folder
    from kpixl.steps.collect import validate as validate_run

    ws = open_workspace(workspace)
    show_results(validate_run(ws, paths or [returns_folder(ws, period)], period), json, feedback, stored=False)


@handle_errors
def collect(
    paths: PathsArgument = None,
    period: PeriodOption = None,
    feedback: FeedbackOption = None,
    accept_valid_rows: Annotated[bool, typer.Option(
        "--accept-valid-rows",
        help="Also store the rows without errors of a refused return (recorded as partly accepted); the rest "
             "wait for the lead's corrected return.")] = False,
    drafts: DraftsOption = None,
    smtp: SmtpOption = None,
    starttls: StartTlsOption = True,
    user: UserOption = None,
    password_env: PasswordEnvOption = "KPIXL_SMTP_PASSWORD",
    sender: FromOption = None,
    no_receipts: NoReceiptsOption = False,
    workspace: WorkspaceOption = None,
    json: JsonOption = False,
) -> None:
    """Check returns, archive each file under its content hash, and store the figures of every accepted
    return (a refused one is kept with its problems). Collecting the same file again changes nothing.
    A return is one answer: one error refuses it whole, unless --accept-valid-rows takes its rows without
    errors. A saved message (.eml, or Outlook's .msg) is read for its attachments, each a return sent at the
    message's Date; with --drafts DIR or --smtp HOST its sender gets a receipt: accepted with N figures, or
    what to correct with the feedback workbook attached. Exit 0 when every return is accepted, 1 when any is
    refused (partly accepted or not), 2 for a path that is not there.

    Example: kpixl collect returns/2023-24-Q2 --feedback feedback/
    """
    from kpixl.steps.collect import collect as collect_run
    from kpixl.steps.collect import returns_folder

    ws = open_workspace(workspace)
    quarter = ws.period_or_default(period)
    wanted = (drafts is not None or smtp is not None) and not no_receipts
    out = transport(drafts, smtp, starttls, user, password_env, quarter.slug, "receipt") if wanted else None
    run = collect_run(ws, paths or [returns_folder(ws, period)], period, accept_valid_rows=accept_valid_rows)
    receipts = answer(ws, quarter, run.messages, out, sender, no_receipts, json)
    show_results(run, json, feedback, stored=True, receipts=receipts)


def answer(ws: Workspace, quarter: Quarter, messages: list[MessageResult], out: Transport | None,
           sender: str | None, no_receipts: bool, json: bool = False) -> ReceiptSummary | None:
    """A receipt to each message's sender, where the messages go (None: no receipts, and a line saying how)."""
    from kpixl.steps.receipts import send_receipts
    from kpixl.steps.send import sender_address

    if out is None:
        if messages and not no_receipts and not json:
            say("No receipts sent: give --drafts DIR or --smtp HOST to answer each message's sender "
                "(or --no-receipts).", stderr=True)
        return None
    return send_receipts(ws, quarter, messages, out, sender_address(ws, sender))


def show_results(run: Collected, json: bool, feedback: Path | None, stored: bool,
                 extra: dict[str, Any] | None = None, receipts: ReceiptSummary | None = None) -> None:
    """Print every problem, then the summary (or the same records as JSON). Exit 1 if any return is refused
    and not superseded (one that a later-sent accepted return of its service replaced asks nothing more), or
    a message could not be read."""
    from kpixl.steps.collect import write_feedback

    results = run.returns
    written = write_feedback(results, feedback) if feedback else []
    refused = sum(1 for r in results if not r.accepted)
    outstanding = sum(1 for r in results if not r.accepted and not r.superseded_by)
    unread = sum(1 for m in run.messages if not m.accepted)
    if json:
        print_json({"accepted": len(results) - refused, "refused": refused, "outstanding": outstanding,
                    "superseded": refused - outstanding, "returns": [r.to_dict() for r in results],
                    "messages": [m.to_dict() for m in run.messages], "feedback": [str(p) for p in written],
                    "receipts": [o.to_dict() for o in receipts.outcomes] if receipts else [], **(extra or {})})
    else:
        _messages(run.messages)
        _problems(results)
        _summary_table(results, stored)
        for r in results:
            if not r.accepted:
                say(refusal(r))
        say(_sentence(results, refused, outstanding, stored))
        for path in written:
            say(f"Feedback for the lead: {path}")
        if receipts:
            print_deliveries("Receipts", [(o.to, o.message, o.status, o.detail) for o in receipts.outcomes])
    failed = receipts is not None and (receipts.count("failed") or receipts.count("uncertain"))
    raise typer.Exit(1 if outstanding or unread or failed else 0)


def _messages(messages: list[MessageResult]) -> None:
    """The messages the returns came in: who sent each, when, and what it carried."""
    if not messages:
        return
    table = Table("Messages, in the order they were sent", [
        Column("Message"), Column("From"), Column("Sent", drop=2), Column("Subject", drop=1), Column("Returns")])
    for m in messages:
        sent = f"{m.sent_at:%Y-%m-%d %H:%M} ({m.sent_how})" if m.sent_at else "unknown"
        carried = ", ".join(r.file_name for r in m.returns) or ("not read" if not m.accepted else "none")
        table.add(clean(m.name), clean(m.sender or "?"), sent, clean(m.subject), clean(carried))
    print_table(table)
    for m in messages:
        if m.report.problems:
            print_problems(m.report, title=f"{m.name}: problems")


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
