"""kpixl fetch: returns straight from the mailbox ([imap] in kpixl.toml), collected, marked, and answered.

A command of its own rather than `kpixl collect --imap`: collect reads files it is given; fetch talks to a
server, with its own settings and password, and changes the mailbox (it marks or moves what it took), so it
has its own --help, example and exit code.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from kpixl.cli.common import JsonOption, WorkspaceOption, fail, handle_errors, open_workspace
from kpixl.cli.mail_options import (
    DraftsOption,
    FromOption,
    PasswordEnvOption,
    SmtpOption,
    StartTlsOption,
    UserOption,
    transport,
)
from kpixl.cli.returns import FeedbackOption, NoReceiptsOption, PeriodOption, answer, show_results
from kpixl.cli.tables import say
from kpixl.steps import count


@handle_errors
def fetch(
    period: PeriodOption = None,
    include_read: Annotated[bool, typer.Option(
        "--include-read", help="Take messages already marked read too (never one kpixl took before).")] = False,
    feedback: FeedbackOption = None,
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
    """Read new messages from the returns mailbox ([imap] in kpixl.toml: host, user, folder, security), collect
    each attachment as a return (sent at the message's Date), then move each message to [imap]
    processed_folder, or mark it read. Running it again takes nothing twice. The mailbox password is read from
    $KPIXL_IMAP_PASSWORD (or the variable [imap] password_env names), or asked for; never from kpixl.toml.
    With --drafts DIR or --smtp HOST each sender gets a receipt. Exit 0 when every return taken is accepted,
    1 when any is refused.

    Example: kpixl fetch --drafts receipts/
    """
    from kpixl.steps.fetch import fetch_returns, imap_settings

    ws = open_workspace(workspace)
    quarter = ws.period_or_default(period)
    settings = imap_settings(ws)
    password = os.environ.get(settings.password_env, "")
    if not password:
        if not sys.stdin.isatty():
            raise fail(f"No password for the mailbox of {settings.user}: set the environment variable "
                       f"{settings.password_env}", 2)
        password = typer.prompt(f"Password of {settings.user} at {settings.host}", hide_input=True)
    out = None if no_receipts else transport(drafts, smtp, starttls, user, password_env, quarter.slug, "receipt")
    report = fetch_returns(ws, quarter, password, include_read)
    if not json:
        say(f"{settings.where}: {count(len(report.taken), 'new message')} taken"
             + (f"; {len(report.again)} taken before, marked again" if report.again else "") + ".")
    receipts = answer(ws, quarter, report.run.messages, out, sender, no_receipts, json)
    show_results(report.run, json, feedback, stored=True, extra=report.to_dict(), receipts=receipts)


def register(app: typer.Typer) -> None:
    app.command()(fetch)
