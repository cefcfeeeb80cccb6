"""kpixl status: per service, whether the quarter's workbook went out, the return came back, and what is
still missing or wrong; exit 1 while anything is outstanding."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

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

if TYPE_CHECKING:
    from kpixl.steps.status import ServiceStatus, StatusReport


@handle_errors
def status(
    period: Annotated[str | None, typer.Argument(
        help="The quarter, e.g. 2023-24-Q2 (default: kpixl.toml's [cycle] period).")] = None,
    workspace: WorkspaceOption = None,
    json: JsonOption = False,
) -> None:
    """Show, per service, whether its workbook was generated and sent, when its lead was last reminded, its
    return received (when, from whom) and accepted, on time or late against [cycle] deadline and
    hard_deadline, the problems still to correct and the figures still missing, with the lead to chase; then
    its review (queries waiting for the team or the lead) and sign-off; and the council's on-time rate. Exit 1
    while anything is outstanding, 0 when every service is complete.

    Example: kpixl status 2023-24-Q2
    """
    from kpixl.steps.status import service_status

    ws = open_workspace(workspace)
    report = service_status(ws, ws.period_or_default(period))
    if json:
        print_json(_record(report))
    else:
        print_problems(report.report, title="Problems in the register")
        _print(report)
    raise typer.Exit(report.exit_code)


def _service(s: ServiceStatus) -> dict[str, Any]:
    return {
        "service": s.service.id, "name": s.service.name, "lead_name": s.service.lead_name,
        "lead_email": s.service.lead_email, "indicators": s.indicators, "generated": s.generated,
        "sent": s.sent, "received": s.received, "accepted": s.accepted,
        "latest_file": s.latest.file_name if s.latest else None,
        "latest_sent": s.latest.sent.isoformat() if s.latest else None,
        "superseded": [r.file_name for r in s.superseded],
        "partly_accepted": s.partly is not None,
        "rows_taken": list(s.partly.detail.get("taken", [])) if s.partly else [],
        "rows_left": list(s.partly.detail.get("left", [])) if s.partly else [],
        "complete": s.complete, "problems": [p.to_dict() for p in s.outstanding],
        "missing": [{"indicator": i, "period": p} for i, p in s.missing],
        **s.review.to_dict(),
        # The mail loop (issue 15): when the workbook went, the last reminder, who sent the latest return, and
        # whether the earliest accepted one came by the deadlines.
        "sent_on": s.sent_on or None,
        "reminded": {"at": s.reminded[0].isoformat(), "stage": s.reminded[1]} if s.reminded else None,
        "received_from": s.latest.sender if s.latest else None, "timeliness": s.timeliness,
    }


def _record(report: StatusReport) -> dict[str, Any]:
    return {
        "period": report.quarter.slug, "complete": report.complete, "totals": report.totals,
        "deadline": report.deadline.isoformat() if report.deadline else None,
        "hard_deadline": report.hard_deadline.isoformat() if report.hard_deadline else None,
        "on_time_rate": report.on_time_rate,
        "services": [_service(s) for s in report.services],
        "committees": [{"committee": c.committee.id, "name": c.committee.name,
                        "missing": [{"indicator": i, "period": p} for i, p in c.missing]}
                       for c in report.committees],
        "register_problems": report.report.to_list(),
    }


def _workbook(s: ServiceStatus) -> str:
    return "sent" if s.sent else "generated" if s.generated else "-"


def _reminded(s: ServiceStatus) -> str:
    return f"{s.reminded[0]:%Y-%m-%d} ({s.reminded[1]})" if s.reminded else "-"


def _received(s: ServiceStatus) -> str:
    """When the latest return was sent, and who sent it (a message's From; a file says nobody)."""
    if s.latest is None:
        return "-"
    return f"{s.latest.sent:%Y-%m-%d}" + (f" from {s.latest.sender}" if s.latest.sender else "")


def _return(s: ServiceStatus) -> str:
    if s.latest is None:
        return "-"
    verdict = "accepted" if s.accepted else "partly accepted" if s.partly else "refused"
    return f"{verdict} ({len(s.superseded)} refused, superseded)" if s.superseded else verdict


def _gaps(missing: tuple[tuple[str, str], ...]) -> str:
    return ", ".join(f"{indicator} ({period})" for indicator, period in missing)


def _chase(s: ServiceStatus) -> str:
    what = [f"missing {_gaps(s.missing)}"] if s.missing else []
    if s.latest and s.outstanding:
        what.append(f"{count(len(s.outstanding), 'error')} to correct in {s.latest.file_name}")
    queries = len(s.review.to_answer) - len(s.outstanding)
    if queries > 0:
        what.append(f"{count(queries, 'query')} to answer")
    return f"Chase {s.service.name}: {s.service.lead_name} <{s.service.lead_email}>, " + "; ".join(what)


def _queries(s: ServiceStatus) -> str:
    waiting = s.review.waiting
    if not waiting:
        return "-" if not s.review.queries else "all accepted"
    return ", ".join(f"{q.id} {q.state.value}" for q in waiting)


def _signed(s: ServiceStatus) -> str:
    found = s.review.signed_off
    if found is None:
        proposed = s.review.proposed
        return f"no (proposed in its return: {proposed.detail.get('name')})" if proposed else "no"
    held = f"; {count(len(s.review.held), 'return')} held" if s.review.held else ""
    return f"{found.by}, {found.at:%Y-%m-%d}{held}"


def _print(report: StatusReport) -> None:
    # Reminded, Received and Timeliness are the mail loop's (issue 15): left out first on a narrow screen.
    table = Table(f"Returns for {report.quarter}", [
        Column("Service"), Column("Workbook"), Column("Reminded", drop=5), Column("Return"),
        Column("Received", drop=4), Column("Timeliness", drop=3), Column("Errors", right=True),
        Column("Missing", right=True), Column("Complete"), Column("Queries waiting", drop=2),
        Column("Signed off", drop=1)])
    for s in report.services:
        table.add(clean(s.service.name), _workbook(s), _reminded(s), _return(s), clean(_received(s)),
                  s.timeliness.replace("_", " "), str(len(s.outstanding)), str(len(s.missing)),
                  "yes" if s.complete else ("no", "bold"), _queries(s), clean(_signed(s)))
    print_table(table)
    t = report.totals
    say(f"{t['complete']} of {count(t['services'], 'service')} complete: {count(t['generated'], 'workbook')} "
        f"generated, {t['sent']} sent, {count(t['received'], 'return')} received, {t['accepted']} accepted; "
        f"{count(t['problems'], 'error')} to correct, {count(t['missing'], 'figure')} missing; "
        f"{count(t['queries_waiting'], 'query')} waiting, {t['signed_off']} signed off.")
    if report.on_time_rate is not None:
        say(f"On-time rate: {report.on_time_rate:.0%} of returns came by the deadline ({report.deadline}).")
    for s in (s for s in report.services if not s.complete or len(s.review.to_answer) > len(s.outstanding)):
        say(clean(_chase(s)))  # names a lead's file: its control characters shown, never obeyed
    for c in (c for c in report.committees if c.missing):
        say(clean(f"{c.committee.name}: no figure yet for {_gaps(c.missing)}."))
    for s in report.services:
        if s.latest and s.outstanding:
            print_problems(s.outstanding, title=f"To correct: {s.service.name}, {s.latest.file_name}")


def register(app: typer.Typer) -> None:
    app.command()(status)
