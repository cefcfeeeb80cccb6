"""kpixl approve and kpixl reopen: a head of service signs off the service's figures for a quarter (which locks
them), a reopen unlocks them, a director approves the committee's paper (docs/review.md)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kpixl.cli.common import JsonOption, WorkspaceOption, handle_errors, open_workspace, print_json
from kpixl.cli.tables import say

if TYPE_CHECKING:
    from kpixl.steps.readiness import ReportApproval
    from kpixl.steps.signoff import ReopenResult, SignOffResult


@handle_errors
def approve(
    target: Annotated[str | None, typer.Argument(
        help="The service whose figures are signed off (its id or name); with --report, the quarter.",
        show_default=False)] = None,
    period: Annotated[str | None, typer.Argument(
        help="The quarter, e.g. 2023-24-Q2 (default: kpixl.toml's [cycle] period).")] = None,
    by: Annotated[str, typer.Option("--by", help="Who signs off or approves (their name). Left out, a service's "
                                                 "sign-off typed in its return's Sign-off sheet is confirmed.",
                                    show_default=False)] = "",
    role: Annotated[str, typer.Option("--role", help="Their role, e.g. 'Head of Libraries' (needed to sign off "
                                                     "a service).", show_default=False)] = "",
    evidence: Annotated[Path | None, typer.Option(
        "--evidence", help="The approving email (.eml) or other proof, kept in the archive with its hash.",
        exists=True, dir_okay=False)] = None,
    report: Annotated[str | None, typer.Option(
        "--report", help="Approve this committee's paper instead (a director's approval, on the final paper's "
                         "cover).", show_default=False)] = None,
    workspace: WorkspaceOption = None,
    json: JsonOption = False,
) -> None:
    """Sign off a service's figures for a quarter, as its head of service: from now a return collected for it
    is kept and checked but not used until 'kpixl reopen'. Without --by and --role, confirm the sign-off the
    head typed in the Sign-off sheet of the service's return. With --report COMMITTEE, record a director's
    approval of the committee's final paper instead (exit 1, listing what is missing, while the paper cannot
    be final).

    Example: kpixl approve libraries 2023-24-Q2 --by "Jane Smith" --role "Head of Libraries"

    Example: kpixl approve --report csmi 2023-24-Q2 --by "Sue Grant" --role "Executive Director"
    """
    from kpixl.steps.readiness import approve_report
    from kpixl.steps.signoff import approve_service

    ws = open_workspace(workspace)
    if report is not None:
        if not by.strip():
            raise typer.BadParameter("say who approves the paper", param_hint="--by")
        if target is not None and period is not None:
            raise typer.BadParameter("with --report, name only the quarter", param_hint="PERIOD")
        _approved(approve_report(ws, report, ws.period_or_default(period or target), by, role), json)
        return
    if target is None:
        raise typer.BadParameter("name the service to sign off, or give --report COMMITTEE", param_hint="SERVICE")
    if by.strip() and not role.strip():
        raise typer.BadParameter("say as what they sign off, e.g. --role \"Head of Libraries\"", param_hint="--role")
    _signed(approve_service(ws, target, ws.period_or_default(period), by, role, evidence), json)


def _signed(result: SignOffResult, json: bool) -> None:
    s = result.signoff
    if json:
        print_json(s.to_dict() | {"already": result.already, "waiting": [q.id for q in result.waiting]})
        return
    if result.already:
        say(f"The figures of {result.service.name} for {result.quarter} were signed off already, by {s.by} "
             f"({s.role}) on {s.at:%Y-%m-%d %H:%M} UTC: nothing was logged.")
        return
    kept = f" Evidence kept: {s.evidence['file']} (sha256 {s.evidence['sha256']})." if s.evidence else ""
    if s.event.detail.get("proposed_in"):
        kept += f" As typed in {s.event.detail['proposed_in']}, dated {s.event.detail.get('date') or '(no date)'}."
    say(f"Signed off the figures of {result.service.name} for {result.quarter}: {s.by}, {s.role}.{kept} A return "
         f"collected for it from now is held until 'kpixl reopen {s.service}'.")
    if result.waiting:
        say(f"{len(result.waiting)} of its queries still wait ({', '.join(q.id for q in result.waiting)}): the "
             "final paper waits for them ('kpixl review').")


def _approved(result: ReportApproval, json: bool) -> None:
    e, ready = result.event, result.readiness
    if json:
        print_json(ready.to_dict() | {"already": result.already, "event": e.to_dict()})
        return
    if result.already:
        say(f"The {ready.committee.name} paper for {ready.quarter} was approved already, by {e.actor} on "
             f"{e.at:%Y-%m-%d}: nothing was logged.")
        return
    say(f"Approved the {ready.committee.name} paper for {ready.quarter}: {e.actor}. 'kpixl report --final' puts "
         "the approval on its cover.")


@handle_errors
def reopen(
    service: Annotated[str, typer.Argument(help="The service whose signed-off figures are reopened (id or name).")],
    period: Annotated[str | None, typer.Argument(
        help="The quarter, e.g. 2023-24-Q2 (default: kpixl.toml's [cycle] period).")] = None,
    reason: Annotated[str, typer.Option("--reason", help="Why, for the log.", show_default=False)] = "",
    by: Annotated[str | None, typer.Option(
        "--by", help="Who reopens it (default: kpixl.toml's [team] officer, else your login).")] = None,
    workspace: WorkspaceOption = None,
    json: JsonOption = False,
) -> None:
    """Reopen a service's signed-off figures for a quarter: the returns held since the sign-off count again,
    by the time they were sent, and the service needs signing off again before the final paper. Exit 1 when
    it is not signed off.

    Example: kpixl reopen libraries 2023-24-Q2 --reason "The lead corrected indicator 37's figure"
    """
    from kpixl.steps.signoff import reopen_service

    ws = open_workspace(workspace)
    if not reason.strip():
        raise typer.BadParameter("say why, for the log", param_hint="--reason")
    _reopened(reopen_service(ws, service, ws.period_or_default(period), reason, by), json)


def _reopened(result: ReopenResult, json: bool) -> None:
    released = [r.file_name for r in result.released]
    if json:
        data: dict[str, Any] = {"service": result.service.id, "logged": result.event is not None,
                                "event": result.event.to_dict() if result.event else None, "released": released}
        print_json(data)
        return
    if result.event is None:
        say(f"The figures of {result.service.name} for {result.quarter} were reopened at the same moment by another "
             "officer: nothing was logged.")
        return
    say(f"Reopened the figures of {result.service.name} for {result.quarter}. Sign them off again before the final "
         "paper ('kpixl approve').")
    if released:
        say(f"Held since the sign-off, now counted by the time they were sent: {', '.join(released)}.")


def register(app: typer.Typer) -> None:
    app.command()(approve)
    app.command()(reopen)
