"""kpixl remind: remind the leads whose return is missing, wrong or has questions unanswered, and nobody else."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from kpixl.cli.common import (
    JsonOption,
    WorkspaceOption,
    fail,
    handle_errors,
    open_workspace,
    print_json,
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
from kpixl.cli.tables import say


@handle_errors
def remind(
    period: Annotated[str | None, typer.Argument(
        help="The quarter, e.g. 2023-24-Q2 (default: kpixl.toml's [cycle] period).")] = None,
    stage: Annotated[str | None, typer.Option(
        "--stage", help="The stage whose wording to use, e.g. friendly, due, overdue ([reminders] in kpixl.toml).")]
    = None,
    on: Annotated[str | None, typer.Option(
        "--on", help="Remind as on this day (YYYY-MM-DD; default today): it decides the stage.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show who would get what; send nothing.")] = False,
    drafts: DraftsOption = None,
    smtp: SmtpOption = None,
    starttls: StartTlsOption = True,
    user: UserOption = None,
    password_env: PasswordEnvOption = "KPIXL_SMTP_PASSWORD",
    sender: FromOption = None,
    workspace: WorkspaceOption = None,
    json: JsonOption = False,
) -> None:
    """Email each lead whose return is missing, still has errors, or has questions unanswered, saying what is
    outstanding (with their feedback workbook). The stage of [reminders] in kpixl.toml that the day has
    reached (days from [cycle] deadline; --on DATE, or --stage NAME) decides the wording, and whether the
    deputy is copied. Nobody gets the same stage's reminder twice, even after a crash: a reminder that may
    have gone is reported uncertain, never sent again. Exit 1 if any failed or is uncertain.

    Example: kpixl remind 2023-24-Q2 --stage overdue --dry-run
    """
    from kpixl.steps.remind import remind as remind_leads
    from kpixl.steps.send import sender_address

    ws = open_workspace(workspace)
    quarter = ws.period_or_default(period)
    if stage is not None and on is not None:
        raise fail("Choose one: --stage NAME or --on DATE", 2)
    try:
        day = date.fromisoformat(on) if on else None
    except ValueError:
        raise fail(f"--on {on}: write the day as YYYY-MM-DD", 2) from None
    out = transport(drafts, smtp, starttls, user, password_env, quarter.slug, "reminder")
    if out is None and not dry_run:
        raise fail("Choose where the reminders go: --drafts DIR or --smtp HOST[:PORT] (or --dry-run to see them)", 2)
    summary = remind_leads(ws, quarter, out, sender_address(ws, sender), stage_name=stage, on=day, dry_run=dry_run)
    if json:
        print_json(summary.to_dict())
    elif summary.stage is None:
        say(f"No reminder is due on {summary.on}: the first stage is on {summary.first_day}.")
    elif not summary.outcomes:
        say(f"Nobody to remind for {quarter}: every return is in, with nothing to correct or answer.")
    else:
        title = f"Reminders for {quarter}, stage {summary.stage.name}" + (" (dry run: nothing sent)" if dry_run else "")
        print_deliveries(title, [(o.to + (f" (cc {', '.join(o.cc)})" if o.cc else ""), o.service, o.status,
                                  " ".join(o.outstanding) + (f" {o.detail}" if o.detail and o.status != "would send"
                                                             else "")) for o in summary.outcomes])
    raise typer.Exit(summary.exit_code)


def register(app: typer.Typer) -> None:
    app.command()(remind)
