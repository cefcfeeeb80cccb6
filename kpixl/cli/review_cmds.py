"""kpixl log, kpixl review and kpixl annotate: the quarter's log, the queries and commentary edits waiting for
the team, and the team's notes and commentary edits (docs/review.md)."""

from __future__ import annotations

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
)
from kpixl.cli.tables import Column, Table, print_table, say
from kpixl.steps import count

if TYPE_CHECKING:
    from kpixl.steps.review import Annotation, Decision, ReviewItems

PeriodArgument = Annotated[str | None, typer.Argument(
    help="The quarter, e.g. 2023-24-Q2 (default: kpixl.toml's [cycle] period).")]
ByOption = Annotated[str | None, typer.Option(
    "--by", help="Who does it, as the log records it (default: kpixl.toml's [team] officer, else your login).")]


@handle_errors
def log(
    period: PeriodArgument = None,
    service: Annotated[str | None, typer.Option("--service", "-s", help="Only this service's events (its id).")] = None,
    everything: Annotated[bool, typer.Option("--all", help="Every quarter's events, and those of none.")] = False,
    workspace: WorkspaceOption = None,
    json: JsonOption = False,
) -> None:
    """List the quarter's log: each step as an event (workbook generated, sent, return received, accepted or
    refused, query raised, explained, accepted or rejected, figure annotated, signed off, reopened, report
    built and approved), with who and when, in the order it happened. Events are only ever added.

    Example: kpixl log 2023-24-Q2 --service adult-skills
    """
    from kpixl.steps.log import describe, event_log

    ws = open_workspace(workspace)
    quarter = None if everything else ws.period_or_default(period)
    found = event_log(ws, quarter, service)
    if json:
        print_json({"period": quarter.slug if quarter else None, "service": service,
                    "events": [e.to_dict() | {"says": describe(e)} for e in found]})
        return
    if not found:
        say(f"No events are logged for {quarter or 'any quarter'}{' and ' + service if service else ''} yet.")
        return
    table = Table(f"Log of {quarter or 'every quarter'}" + (f", {service}" if service else ""), [
        Column("No.", right=True, drop=3), Column("When (UTC)"), Column("Who"), Column("What"),
        Column("Service", drop=2), Column("Ind.", drop=1), Column("Detail")])
    for e in found:
        table.add(str(e.id), f"{e.at:%Y-%m-%d %H:%M}", clean(e.actor), e.kind, clean(e.service),
                  clean(e.indicator), one_line(describe(e)))
    print_table(table)


@handle_errors
def review(
    period: PeriodArgument = None,
    accept: Annotated[str | None, typer.Option(
        "--accept", help="Accept a query (Q12) or approve a commentary edit (A7): it is closed.")] = None,
    reject: Annotated[str | None, typer.Option(
        "--reject", help="Reject a query's explanation (back to the lead, with --note) or a commentary edit.")] = None,
    note: Annotated[str, typer.Option("--note", help="Why: the lead reads it with a rejected query.")] = "",
    by: ByOption = None,
    everything: Annotated[bool, typer.Option(
        "--all", help="List decided queries, edits and notes too, not only those waiting.")] = False,
    workspace: WorkspaceOption = None,
    json: JsonOption = False,
) -> None:
    """List the queries of each service's current return and the commentary edits that wait for the team,
    each with its ID; or accept or reject one. A query raised again by a later return of the same row keeps
    its ID. Listing exits 1 while anything waits, 0 when nothing does.

    Example: kpixl review 2023-24-Q2

    Example: kpixl review --accept Q4 --note "The service explained the fall by phone"

    Example: kpixl review --reject Q5 --note "Say why the figure fell by half"
    """
    from kpixl.steps.review import decide, review_items

    ws = open_workspace(workspace)
    quarter = ws.period_or_default(period)
    if accept and reject:
        raise typer.BadParameter("accept or reject one item at a time", param_hint="--accept/--reject")
    if accept or reject:
        _decided(decide(ws, quarter, accept or reject or "", accept is not None, note, by), json)
        return
    items = review_items(ws, quarter, everything)
    if json:
        print_json({"period": quarter.slug, "waiting": items.waiting,
                    "queries": [q.to_dict() | {"service_name": items.name(q.service)} for q in items.queries],
                    "annotations": [a.to_dict() for a in items.annotations]})
    else:
        _items(items)
    raise typer.Exit(1 if items.waiting else 0)


def _items(items: ReviewItems) -> None:
    if not items.queries and not items.annotations:
        say(f"Nothing waits for review in {items.quarter}.")
        return
    if items.queries:
        table = Table(f"Queries of the current returns, {items.quarter}", [
            Column("ID"), Column("State"), Column("Service", drop=1), Column("Ind."), Column("Query"),
            Column("Explanation or decision")])
        for q in items.queries:
            said = q.explanation or "-"
            if q.decision is not None:
                said = f"{q.state.value} by {q.decision.actor}: {q.decision.detail.get('note') or '-'}"
            table.add(q.id, q.state.value, clean(items.name(q.service)), clean(q.problem.indicator),
                      one_line(q.question), one_line(said))
        print_table(table)
    if items.annotations:
        table = Table(f"Annotations, {items.quarter}", [
            Column("ID"), Column("State"), Column("Ind."), Column("By", drop=1), Column("Kind"), Column("Text"),
            Column("Lead's commentary", drop=2)])
        for a in items.annotations:
            state = a.state.value + (", lapsed" if a.lapsed else "")
            table.add(a.id, state, clean(a.indicator), clean(a.event.actor), a.kind, one_line(a.text),
                      one_line(a.lead_commentary or "-"))
        print_table(table)
    waiting = items.waiting
    say(f"{count(waiting, 'item')} waiting: 'kpixl review --accept ID' closes one, 'kpixl review --reject ID "
        "--note TEXT' sends a query back to its lead." if waiting else "Nothing waits.")


def _decided(decision: Decision, json: bool) -> None:
    verb = "accepted" if decision.accepted else "rejected"
    earlier = decision.earlier
    if json:
        print_json({"id": decision.id, "decision": verb, "logged": decision.done,
                    "event": decision.event.to_dict() if decision.event else None,
                    "earlier": earlier.to_dict() if earlier else None})
        return
    if decision.done:
        say(f"{decision.id} {verb}.")
    elif earlier is not None:
        said = "accepted" if earlier.kind.endswith("accepted") else "rejected"
        say(f"{decision.id} was {said} already, by {earlier.actor} on {earlier.at:%Y-%m-%d %H:%M} UTC: nothing "
            "was logged.")
    else:
        say(f"{decision.id} is {verb} already: nothing was logged.")


@handle_errors
def annotate(
    indicator: Annotated[str, typer.Argument(help="The indicator's number, e.g. 37.")],
    period: PeriodArgument = None,
    note: Annotated[str | None, typer.Option(
        "--note", help="A remark on the figure, for the team and the log (not printed in the report).")] = None,
    commentary: Annotated[str | None, typer.Option(
        "--commentary", help="The commentary the report should print instead of the lead's, once approved.")] = None,
    by: ByOption = None,
    workspace: WorkspaceOption = None,
    json: JsonOption = False,
) -> None:
    """Add a note to the figure the quarter's report shows for an indicator, or propose an edit of its
    commentary for the report. Nothing is overwritten: the lead's commentary stays as sent (kpixl history
    show), and the report prints the latest approved edit ('kpixl review --accept A7').

    Example: kpixl annotate 37 2023-24-Q2 --commentary "Visits rose again as libraries opened for longer."
    """
    from kpixl.steps.review import annotate as annotate_figure

    ws = open_workspace(workspace)
    quarter = ws.period_or_default(period)
    made = annotate_figure(ws, indicator, quarter, note=note, commentary=commentary, by=by)
    if json:
        print_json(made.to_dict())
        return
    say(_annotated(made, str(quarter)))


def _annotated(a: Annotation, quarter: str) -> str:
    if a.kind == "note":
        return f"Logged {a.id}: a note to indicator {a.indicator}'s figure for {quarter}."
    return (f"Logged {a.id}: an edit of indicator {a.indicator}'s commentary for {quarter}, waiting for approval: "
            f"'kpixl review --accept {a.id}' puts it in the report.")


def register(app: typer.Typer) -> None:
    app.command()(review)
    app.command()(annotate)
    app.command()(log)
