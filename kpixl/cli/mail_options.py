"""The options of every command that writes to people (receipts from collect and fetch, reminders): where the
messages go, as kpixl send takes them, and a table of what happened to each."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kpixl.cli.common import clean, fail
from kpixl.cli.tables import Column, Table, print_table, say

if TYPE_CHECKING:
    from kpixl.steps.send import Transport

DraftsOption = Annotated[Path | None, typer.Option(
    "--drafts", help="Write the messages as .eml drafts in this folder (Outlook and Thunderbird open them).",
    file_okay=False)]
SmtpOption = Annotated[str | None, typer.Option("--smtp", help="Send through this server: HOST or HOST:PORT.")]
StartTlsOption = Annotated[bool, typer.Option("--starttls/--no-starttls",
                                              help="Encrypt the SMTP connection with STARTTLS.")]
UserOption = Annotated[str | None, typer.Option("--user", help="SMTP login (default: $KPIXL_SMTP_USER; none: no login).")]
PasswordEnvOption = Annotated[str, typer.Option("--password-env",
                                                help="The environment variable holding the SMTP password.")]
FromOption = Annotated[str | None, typer.Option(
    "--from", help="The From address (default: [cycle] contact_email in kpixl.toml).")]

STYLE = {"sent": "green", "drafted": "green", "would send": "cyan", "skipped": "yellow", "failed": "red",
         "uncertain": "magenta"}


def transport(drafts: Path | None, smtp: str | None, starttls: bool, user: str | None, password_env: str,
              period: str, purpose: str) -> Transport | None:
    """Where the messages go; None when neither --drafts nor --smtp is given."""
    from kpixl.steps.send import make_transport

    if drafts is not None and smtp is not None:
        raise fail("Choose one: --drafts DIR (write .eml drafts) or --smtp HOST[:PORT] (send)", 2)
    if drafts is None and smtp is None:
        return None
    user = user or os.environ.get("KPIXL_SMTP_USER", "")
    password = os.environ.get(password_env, "")
    if smtp is not None and user and not password:
        raise fail(f"No password for {user}: set the environment variable {password_env}", 2)
    return make_transport(period, drafts=drafts, smtp=smtp, starttls=starttls, user=user, password=password,
                          purpose=purpose)


def print_deliveries(title: str, rows: list[tuple[str, str, str, str]]) -> None:
    """(to, about, status, detail) per message, then the counts."""
    if not rows:
        return
    table = Table(title, [Column("To"), Column("About"), Column("Result"), Column("Detail", drop=1)])
    for to, about, status, detail in rows:
        table.add(clean(to), clean(about), (status, STYLE[status]), clean(detail))
    print_table(table)
    counts = ", ".join(f"{sum(1 for r in rows if r[2] == s)} {s}" for s in STYLE if any(r[2] == s for r in rows))
    say(f"{counts}.")
    if any(r[2] == "uncertain" for r in rows):
        say("Uncertain: a message may have gone without the server confirming it. kpixl will not send it again by "
            "itself: ask whether it arrived.")
