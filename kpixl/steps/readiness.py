"""The committee's paper: what its final version still waits for (each service complete, signed off, its
queries accepted), and a director's approval of it. What `kpixl report` (the draft's notes, `--final`) and
`kpixl approve --report` call (docs/review.md).

    state = quarter_state(store, quarter, figures)         read once for every committee's paper
    readiness(state, register, committee, quarter, figures)  what the final paper waits for
    approve_report(workspace, "csmi", quarter, by="Sue Grant")

An approval is one event, whose ref names the last sign-off or reopen it follows, so two directors approving
at the same moment log it once, and a reopen since sets it aside.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kpixl.domain import Committee, Figure, FigureStatus, Quarter, Register, Service
from kpixl.domain.review import REOPENED, REPORT_APPROVED, SIGNED_OFF, AnnotationState
from kpixl.errors import NotReady, ReviewError
from kpixl.problems import count
from kpixl.steps.journal import log_decision
from kpixl.steps.review import COMMENTARY, Annotation, Query, quarter_annotations, quarter_queries
from kpixl.steps.signoff import SignOff, proposals, sign_offs
from kpixl.steps.workspace import Workspace, find_committee
from kpixl.store import Event, Store, SubmissionRecord

__all__ = [
    "QuarterState",
    "Readiness",
    "ReportApproval",
    "approve_report",
    "committee_services",
    "not_ready",
    "quarter_state",
    "readiness",
]


def committee_services(register: Register, committee: Committee) -> list[Service]:
    """The services whose indicators the committee's paper shows, in the register's order."""
    owners = {i.service for i in register.indicators_of_committee(committee.id)}
    return [s for s in register.services if s.id in owners]


@dataclass(frozen=True)
class Readiness:
    """What the committee's final paper waits for (blocking), what the draft says besides (notes), and what the
    final paper's cover records (sign-offs, the director's approval)."""

    committee: Committee
    quarter: Quarter
    blocking: tuple[str, ...]
    notes: tuple[str, ...] = ()
    signed_off: tuple[tuple[Service, SignOff], ...] = ()
    approval: Event | None = None  # the director's approval, while no service was reopened since

    @property
    def ready(self) -> bool:
        return not self.blocking

    def to_dict(self) -> dict[str, Any]:
        return {"committee": self.committee.id, "period": self.quarter.slug, "ready": self.ready,
                "missing": list(self.blocking), "notes": list(self.notes),
                "signed_off": [s.to_dict() for _, s in self.signed_off],
                "approved_by": self.approval.actor if self.approval else None,
                "approved_at": self.approval.at.isoformat() if self.approval else None}


@dataclass
class _Lines:
    blocking: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class QuarterState:
    """What the store says of a quarter's review and sign-off, read once for every committee's paper."""

    records: list[SubmissionRecord]  # the quarter's returns
    queries: list[Query]
    signed: dict[str, SignOff]
    proposed: dict[str, Event]
    annotations: list[Annotation]
    events: list[Event]  # reopens and the directors' approvals


def quarter_state(store: Store, quarter: Quarter, figures: Mapping[tuple[str, str], Figure]) -> QuarterState:
    records = [r for r in store.submissions(quarter.slug) if r.source == "return"]
    return QuarterState(records, quarter_queries(store, quarter.slug, records), sign_offs(store, quarter.slug),
                        proposals(store, quarter.slug, records), quarter_annotations(store, quarter.slug, figures),
                        store.events(quarter.slug, kinds=[REOPENED, REPORT_APPROVED]))


def readiness(state: QuarterState, register: Register, committee: Committee, quarter: Quarter,
              figures: Mapping[tuple[str, str], Figure]) -> Readiness:
    """Whether the committee's final paper can be built: every service of it complete (a figure for every
    period, its latest return without errors) and signed off, and no query on its indicators waiting."""
    indicators = register.indicators_of_committee(committee.id)
    numbers = {i.id: i.number for i in indicators}
    services = committee_services(register, committee)
    latest = {r.service: r for r in sorted(state.records, key=lambda r: r.order)}
    queries = [q for q in state.queries if q.problem.indicator in numbers and q.state.waiting]
    lines = _Lines()
    for service in services:
        mine = [i for i in indicators if i.service == service.id]
        missing = [f"{i.number} ({p})" for i in mine for p in i.periods_in(quarter) if (i.id, p.slug) not in figures]
        _service_lines(lines, service, latest.get(service.id), missing, service.id in state.signed,
                       [q for q in queries if q.service == service.id], numbers, state.proposed.get(service.id))
        held = [r.file_name for r in state.records if r.service == service.id and r.held]
        if held:
            lines.notes.append(f"{service.name}: a return sent after the sign-off is held, not used ("
                               f"{', '.join(held)}): 'kpixl reopen {service.id}' to use it.")
    for i in indicators:
        period = i.reporting_period(quarter)
        figure = figures.get((i.id, period.slug))
        if figure is not None and figure.status is FigureStatus.NOT_AVAILABLE:
            lines.notes.append(f"Indicator {i.number}: figure not available for {period}"
                               f"{': ' + figure.reason if figure.reason else ''}.")
    _annotation_lines(lines, state.annotations, numbers)
    return Readiness(committee, quarter, tuple(lines.blocking), tuple(lines.notes),
                     tuple((s, state.signed[s.id]) for s in services if s.id in state.signed),
                     _approval(state.events, committee, {s.id for s in services}))


def _service_lines(lines: _Lines, service: Service, latest: SubmissionRecord | None, missing: list[str],
                   signed: bool, waiting: Sequence[Query], numbers: Mapping[str, str],
                   proposed: Event | None = None) -> None:
    if latest is None and missing:
        lines.blocking.append(f"{service.name}: no return received.")
    elif latest is not None and latest.errors:
        lines.blocking.append(f"{service.name}: its latest return, {latest.file_name}, was refused: "
                              f"{count(len(latest.errors), 'error')} to correct.")
    if missing:
        lines.blocking.append(f"{service.name}: no figure yet for indicator {', '.join(missing)}.")
    if not signed and proposed is not None:
        lines.blocking.append(f"{service.name}: not signed off by the head of service (a sign-off by "
                              f"{proposed.detail.get('name')} is typed in its return: 'kpixl approve {service.id}' "
                              "confirms it).")
    elif not signed:
        lines.blocking.append(f"{service.name}: not signed off by the head of service.")
    if waiting:
        listed = ", ".join(f"{q.id} (indicator {numbers.get(q.problem.indicator, q.problem.indicator)}, "
                           f"{q.state.value})" for q in waiting)
        lines.blocking.append(f"{service.name}: {count(len(waiting), 'query')} not yet "
                              f"accepted by the performance team: {listed}.")


def _annotation_lines(lines: _Lines, annotations: Sequence[Annotation], numbers: Mapping[str, str]) -> None:
    for a in annotations:
        if a.kind != COMMENTARY or a.indicator not in numbers:
            continue
        number = numbers[a.indicator]
        if a.waiting:
            lines.notes.append(f"Indicator {number}: commentary edit {a.id} waits for approval "
                               f"('kpixl review --accept {a.id}').")
        elif a.state is AnnotationState.APPROVED and a.lapsed:
            lines.notes.append(f"Indicator {number}: commentary edit {a.id} was made beside the lead's earlier "
                               "commentary; the lead's new commentary is printed.")


def _approval(events: Sequence[Event], committee: Committee, services: set[str]) -> Event | None:
    """The director's latest approval of the committee's paper, unless a service of it was reopened since."""
    approvals = [e for e in events if e.kind == REPORT_APPROVED and e.detail.get("committee") == committee.id]
    if not approvals:
        return None
    last = approvals[-1]
    reopened = any(e.kind == REOPENED and e.service in services and e.id > last.id for e in events)
    return None if reopened else last


@dataclass(frozen=True)
class ReportApproval:
    readiness: Readiness
    event: Event
    already: bool  # approved before this command (by whom: event)


def approve_report(workspace: Workspace, committee_name: str | None, quarter: Quarter, by: str,
                   role: str = "") -> ReportApproval:
    """A director's approval of the committee's paper for the quarter (a report-approved event): the final
    paper's cover records it. NotReady, listing what is missing, while the paper cannot be final."""
    by, role = " ".join(by.split()), " ".join(role.split())
    if not by:
        raise ReviewError("Say who approves the paper: --by NAME.", usage=True)
    register = workspace.valid_register()
    committee = find_committee(register, committee_name)
    wanted = [i.id for i in register.indicators_of_committee(committee.id)]
    with workspace.open_store(by=by) as store:
        figures = store.current_figures(wanted)
        ready = readiness(quarter_state(store, quarter, figures), register, committee, quarter, figures)
        if ready.approval is not None:
            return ReportApproval(ready, ready.approval, True)
        if not ready.ready:
            raise not_ready(ready)
        states = store.events(quarter.slug, kinds=[SIGNED_OFF, REOPENED])
        services = {s.id for s in committee_services(register, committee)}
        after = max((e.id for e in states if e.service in services), default=0)
        made = log_decision(workspace, store, REPORT_APPROVED, actor=by, period=quarter.slug,
                            ref=f"{quarter.slug}/{committee.id}@{after}",
                            detail={"committee": committee.id, "by": by, "role": role,
                                    "recorded_by": workspace.actor()})
        figures = store.current_figures(wanted)
        again = readiness(quarter_state(store, quarter, figures), register, committee, quarter, figures)
    if again.approval is None:  # pragma: no cover - a reopen between the two reads
        raise ReviewError(f"The {committee.name} paper changed while it was being approved: run the command again.")
    return ReportApproval(again, again.approval, made is None)


def not_ready(ready: Readiness) -> NotReady:
    """The error for a paper that cannot be final yet, listing what it waits for."""
    listed = "\n".join(f"  - {line}" for line in ready.blocking)
    return NotReady(f"The {ready.committee.name} paper for {ready.quarter} cannot be final yet: "
                    f"{count(len(ready.blocking), 'thing')} outstanding:\n{listed}\n"
                    "Build the draft (kpixl report) to see them in the paper.", ready.blocking)
