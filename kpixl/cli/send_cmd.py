"""kpixl send: email each service lead their workbooks, as drafts or through an SMTP server."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kpixl.cli.common import (
    JsonOption,
    WorkspaceOption,
    clean,
    fail,
    handle_errors,
    markup_free,
    open_workspace,
    print_json,
    warn,
)
from kpixl.cli.tables import Column, Table, print_table, say

if TYPE_CHECKING:
    from kpixl.steps.send import SendSummary, Transport

_STYLE = {"sent": "green", "drafted": "green", "would send": "cyan", "skipped": "yellow", "failed": "red",
          "uncertain": "magenta"}


def _transport(drafts: Path | None, smtp: str | None, starttls: bool, user: str | None,
               password_env: str, period: str) -> Transport:
    from kpixl.steps.send import make_transport

    if (drafts is None) == (smtp is None):
        raise fail("Choose one: --drafts DIR (write .eml drafts) or --smtp HOST[:PORT] (send)", 2)
    user = user or os.environ.get("KPIXL_SMTP_USER", "")
    password = os.environ.get(password_env, "")
    if smtp is not None and user and not password:
        raise fail(f"No password for {user}: set the environment variable {password_env}", 2)
    return make_transport(period, drafts=drafts, smtp=smtp, starttls=starttls, user=user, password=password)


def _print(summary: SendSummary, dry_run: bool) -> None:
    title = "Dry run: nothing sent" if dry_run else ("Drafts written" if summary.count("drafted") else "Sent")
    table = Table(title, [Column("Lead"), Column("Email"), Column("Services", drop=1), Column("Result"),
                          Column("Detail", drop=2)])
    for o in summary.outcomes:
        table.add(clean(o.lead), clean(o.email), clean(", ".join(o.services)), (o.status, _STYLE[o.status]),
                  clean(o.detail))
    print_table(table)
    counts = ", ".join(f"{summary.count(s)} {s}" for s in _STYLE if summary.count(s))
    say(f"{counts or 'Nothing to send'}.")
    if summary.count("uncertain"):
        say("Uncertain: the server took the whole message but never confirmed it, so it may have arrived. "
            "kpixl will not send it again by itself: ask the lead, then run with --resend if it did not.")


def _record(summary: SendSummary, dry_run: bool) -> dict[str, object]:
    return {"dry_run": dry_run, "generated": summary.generated,
            "counts": {status.replace(" ", "_"): summary.count(status) for status in _STYLE},
            "outcomes": [{"lead": o.lead, "email": o.email, "services": list(o.services),
                          "status": o.status.replace(" ", "_"), "detail": o.detail} for o in summary.outcomes]}


@handle_errors
def send(
    period: Annotated[str | None, typer.Argument(
        help="The quarter, e.g. 2023-24-Q2 (default: kpixl.toml's [cycle] period).")] = None,
    drafts: Annotated[Path | None, typer.Option(
        help="Write one .eml draft per lead in this folder (Outlook and Thunderbird open them).",
        file_okay=False)] = None,
    smtp: Annotated[str | None, typer.Option(help="Send through this server: HOST or HOST:PORT.")] = None,
    starttls: Annotated[bool, typer.Option(help="Encrypt the SMTP connection with STARTTLS.")] = True,
    user: Annotated[str | None, typer.Option(
        help="SMTP login (default: $KPIXL_SMTP_USER; none: no login).")] = None,
    password_env: Annotated[str, typer.Option(
        help="The environment variable holding the SMTP password.")] = "KPIXL_SMTP_PASSWORD",
    sender: Annotated[str | None, typer.Option(
        "--from", help="The From address (default: [cycle] contact_email in kpixl.toml).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show who would get what; send nothing.")] = False,
    resend: Annotated[bool, typer.Option("--resend", help="Send again what was already sent.")] = False,
    service: Annotated[list[str] | None, typer.Option(
        "--service", help="Only this service's lead (repeat for more), e.g. --service libraries.")] = None,
    workspace: WorkspaceOption = None,
    json: JsonOption = False,
) -> None:
    """Email each service lead their workbooks (one message per lead), generating any that are missing.

    --drafts writes the messages as .eml drafts to check, or to send from Outlook yourself. --smtp sends them
    through the council's mail server, e.g. --smtp smtp.example.org:587 --user me@example.org (the password
    is read from $KPIXL_SMTP_PASSWORD). What was sent is recorded in workbooks/<period>/sent.json: running
    again sends only what has not gone, and says when a workbook was regenerated since it was sent.
    --service sends one service's; --dry-run shows who would get what. Exit 1 if any message failed.

    Example: kpixl send 2023-24-Q2 --drafts drafts/
    """
    from rich.progress import Progress

    from kpixl.steps.generate import deadline_passed
    from kpixl.steps.send import send_workbooks

    ws = open_workspace(workspace)
    quarter = ws.period_or_default(period)
    transport = _transport(drafts, smtp, starttls, user, password_env, quarter.slug)
    late = deadline_passed(ws, "the messages and workbooks")
    if late:
        warn(late)
    with Progress(transient=True) as bar:
        task = bar.add_task("Preparing", total=None)

        def advance(done: int, total: int, label: str) -> None:
            bar.update(task, completed=done, total=total, description=markup_free(label))

        summary = send_workbooks(ws, quarter, transport, sender=sender, dry_run=dry_run, resend=resend,
                                 only=tuple(service or ()), progress=advance)
    if json:
        print_json(_record(summary, dry_run))
        raise typer.Exit(summary.exit_code)
    if summary.generated:
        say(f"Generated the missing workbooks first: {clean(', '.join(summary.generated))}")
    _print(summary, dry_run)
    raise typer.Exit(summary.exit_code)


def register(app: typer.Typer) -> None:
    app.command()(send)
