"""Review: the queries of each service's current return, the team's decisions on them, and the team's
annotations of figures. What `kpixl review` and `kpixl annotate` call (docs/review.md).

    review_items(workspace, quarter)              the queries and commentary edits waiting for the team
    decide(workspace, quarter, "Q12", accept=True)  accept or reject a query, or a commentary edit
    annotate(workspace, "37", quarter, note=...)  a note to a figure, or a proposed edit of its commentary
    outstanding_for(store, service, period)       what the lead still has to answer (status, reminders)

Everything here is read from the store's submissions and events and written as events: nothing is changed,
a later decision follows an earlier one. A query's ID is its first problem row's ("Q12"); an annotation's,
its event's ("A7").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from kpixl.catalogue import REJECTED_HINT
from kpixl.domain import Figure, Indicator, Quarter, Register
from kpixl.domain.review import (
    ANNOTATION_ACCEPTED,
    ANNOTATION_REJECTED,
    FIGURE_ANNOTATED,
    QUERY_ACCEPTED,
    QUERY_REJECTED,
    AnnotationState,
    QueryState,
    annotation_id,
    parse_id,
    query_id,
)
from kpixl.errors import ReviewError, UnknownIndicator
from kpixl.problems import Problem, Severity, explanation_of, is_explained, question_of
from kpixl.register import load_register
from kpixl.steps.journal import log_decision
from kpixl.steps.workspace import Workspace
from kpixl.store import Event, Store, SubmissionRecord

__all__ = ["Annotation", "Decision", "Query", "ReviewItems", "annotate", "approved_commentary",
           "current_returns", "decide", "indicator_annotations", "lead_items", "outstanding_for", "quarter_annotations", "quarter_queries",
           "review_items"]

NOTE, COMMENTARY = "note", "commentary"


@dataclass(frozen=True)
class Query:
    """A query of a service's current return, with where it stands."""

    id: str  # "Q12"
    problem: Problem
    submission: SubmissionRecord  # the service's current return, which raises it
    state: QueryState
    decision: Event | None = None  # the team's decision that stands (accepted or rejected), if any

    @property
    def service(self) -> str:
        return self.submission.service

    @property
    def question(self) -> str:
        return question_of(self.problem)

    @property
    def explanation(self) -> str:
        return explanation_of(self.problem)

    def to_dict(self) -> dict[str, Any]:
        p, d = self.problem, self.decision
        return {"id": self.id, "type": "query", "state": self.state.value, "service": self.service,
                "period": self.submission.period, "indicator": p.indicator, "code": p.code, "cell": p.cell,
                "question": self.question, "explanation": self.explanation, "file": self.submission.file_name,
                "submission": self.submission.id, "decided_by": d.actor if d else None,
                "decided_at": d.at.isoformat() if d else None, "note": d.detail.get("note", "") if d else ""}


@dataclass(frozen=True)
class Annotation:
    """A note to a figure, or a proposed edit of its commentary for the report: never an edit of the figure."""

    id: str  # "A7"
    event: Event  # its figure-annotated event: who, when, what
    state: AnnotationState
    lapsed: bool = False  # an edit made beside commentary the lead has since changed: not printed
    decision: Event | None = None

    @property
    def kind(self) -> str:
        return COMMENTARY if COMMENTARY in self.event.detail else NOTE

    @property
    def text(self) -> str:
        return str(self.event.detail.get(self.kind, ""))

    @property
    def indicator(self) -> str:
        return self.event.indicator

    @property
    def lead_commentary(self) -> str:
        return str(self.event.detail.get("lead_commentary", ""))

    @property
    def waiting(self) -> bool:
        return self.state is AnnotationState.PROPOSED

    def to_dict(self) -> dict[str, Any]:
        d = self.decision
        return {"id": self.id, "type": self.kind, "state": self.state.value, "lapsed": self.lapsed,
                "service": self.event.service, "period": self.event.period, "indicator": self.indicator,
                "figure_period": self.event.detail.get("figure_period", ""), "text": self.text,
                "lead_commentary": self.lead_commentary, "by": self.event.actor, "at": self.event.at.isoformat(),
                "decided_by": d.actor if d else None, "decided_at": d.at.isoformat() if d else None,
                "note": d.detail.get("note", "") if d else ""}


@dataclass(frozen=True)
class ReviewItems:
    quarter: Quarter
    queries: list[Query]
    annotations: list[Annotation]
    names: dict[str, str]  # service id -> its name in the register, for showing

    def name(self, service: str) -> str:
        return self.names.get(service, service)

    @property
    def waiting(self) -> int:
        return sum(q.state.waiting for q in self.queries) + sum(a.waiting for a in self.annotations)


@dataclass(frozen=True)
class Decision:
    """What review --accept or --reject did."""

    id: str
    accepted: bool
    event: Event | None  # the decision logged; None when it was made already (by whom: earlier)
    earlier: Event | None = None  # the decision that already stood

    @property
    def done(self) -> bool:
        return self.event is not None


# --- Queries ---------------------------------------------------------------------------------------------


def current_returns(records: Iterable[SubmissionRecord]) -> dict[str, SubmissionRecord]:
    """Each service's current return: the latest-sent accepted return not held by a sign-off (the one whose
    figures are current, and whose queries are reviewed)."""
    current: dict[str, SubmissionRecord] = {}
    for record in sorted(records, key=lambda r: r.order):
        if record.source == "return" and record.service and record.accepted and not record.held:
            current[record.service] = record
    return current


def _first_ids(records: Iterable[SubmissionRecord]) -> dict[tuple[str, str, str, str], int]:
    """(service, code, indicator, cell) -> the id of the first problem row raising that query: its ID."""
    first: dict[tuple[str, str, str, str], int] = {}
    for record in sorted(records, key=lambda r: r.id):
        for pid, p in zip(record.problem_ids, record.problems):
            if p.severity is Severity.QUERY:
                first.setdefault((record.service, p.code, p.indicator, p.cell), pid)
    return first


def _state(p: Problem, record: SubmissionRecord, decisions: list[Event]) -> tuple[QueryState, Event | None]:
    """Where a query of the current return stands: an acceptance stands while the question is the same, a
    rejection for the return it was made on; otherwise it is explained or open (docs/review.md)."""
    last = decisions[-1] if decisions else None
    if last is not None:
        if last.kind == QUERY_ACCEPTED and last.detail.get("question") == question_of(p):
            return QueryState.ACCEPTED, last
        if last.kind == QUERY_REJECTED and last.detail.get("submission") == record.id:
            return QueryState.REJECTED, last
    return (QueryState.EXPLAINED if is_explained(p) else QueryState.OPEN), None


def quarter_queries(store: Store, period: str, records: Iterable[SubmissionRecord] | None = None) -> list[Query]:
    """Every query of each service's current return for the quarter, with its state, in the order found
    (records: the quarter's submissions, when read already)."""
    records = [r for r in (store.submissions(period) if records is None else records) if r.source == "return"]
    first = _first_ids(records)
    decisions: dict[str, list[Event]] = defaultdict(list)
    for event in store.events(period, kinds=[QUERY_ACCEPTED, QUERY_REJECTED]):
        decisions[str(event.detail.get("query", ""))].append(event)
    found: list[Query] = []
    for record in current_returns(records).values():
        for p in record.problems:
            key = (record.service, p.code, p.indicator, p.cell)
            if p.severity is not Severity.QUERY or key not in first:
                continue
            qid = query_id(first[key])
            state, decision = _state(p, record, decisions[qid])
            found.append(Query(qid, p, record, state, decision))
    return found


def outstanding_for(store: Store, service: str, period: str) -> tuple[Problem, ...]:
    """What the lead of a service still has to do for the quarter: the errors of its latest return, and each
    query of its current return that is open or that the team rejected (the team's note in its hint). The
    mail steps send these with the next reminder or receipt; `kpixl status` shows them."""
    latest = store.latest_submission_by_service(period).get(service)
    return lead_items(latest, [q for q in quarter_queries(store, period) if q.service == service])


def lead_items(latest: SubmissionRecord | None, queries: Iterable[Query]) -> tuple[Problem, ...]:
    """outstanding_for, from the service's latest return and its queries already read."""
    items = list(latest.errors if latest else ())
    for query in queries:
        if query.state not in (QueryState.OPEN, QueryState.REJECTED):
            continue
        p = query.problem
        if query.state is QueryState.REJECTED and query.decision is not None:
            note = str(query.decision.detail.get("note", "")).strip() or "no reason given"
            p = replace(p, message=query.question, hint=REJECTED_HINT.format(note=_sentence(note)))
        items.append(p)
    return tuple(items)


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?")) else text + "."


# --- Annotations -----------------------------------------------------------------------------------------


def quarter_annotations(store: Store, period: str, figures: Mapping[tuple[str, str], Figure],
                        indicator: str | None = None) -> list[Annotation]:
    """The quarter's annotations (of one indicator), oldest first, each with its state; figures: the current
    figures, to tell an edit whose lead's commentary changed since (lapsed)."""
    logged = store.events(period, kinds=[FIGURE_ANNOTATED, ANNOTATION_ACCEPTED, ANNOTATION_REJECTED])
    return _annotations(logged, figures, indicator)


def indicator_annotations(store: Store, indicator: str) -> list[Annotation]:
    """Every quarter's annotations of one indicator, oldest first (kpixl history show)."""
    logged = store.events(kinds=[FIGURE_ANNOTATED, ANNOTATION_ACCEPTED, ANNOTATION_REJECTED])
    return _annotations(logged, store.current_figures([indicator]), indicator)


def _annotations(logged: list[Event], figures: Mapping[tuple[str, str], Figure],
                 indicator: str | None) -> list[Annotation]:
    decided: dict[str, Event] = {}
    for event in logged:  # the first decision on an annotation is the one that counts
        if event.kind != FIGURE_ANNOTATED:
            decided.setdefault(event.ref, event)
    found = []
    for event in logged:
        if event.kind != FIGURE_ANNOTATED or (indicator is not None and event.indicator != indicator):
            continue
        aid = annotation_id(event.id)
        decision = decided.get(aid)
        if NOTE in event.detail and COMMENTARY not in event.detail:
            found.append(Annotation(aid, event, AnnotationState.FINAL))
            continue
        state = (AnnotationState.PROPOSED if decision is None else AnnotationState.APPROVED
                 if decision.kind == ANNOTATION_ACCEPTED else AnnotationState.REJECTED)
        figure = figures.get((event.indicator, str(event.detail.get("figure_period", ""))))
        lapsed = (figure.commentary if figure else "") != event.detail.get("lead_commentary", "")
        found.append(Annotation(aid, event, state, lapsed, decision))
    return found


def approved_commentary(annotations: Iterable[Annotation]) -> dict[str, str]:
    """Per indicator, the commentary the report prints in place of the lead's: the latest approved edit made
    beside the lead's current commentary."""
    chosen: dict[str, str] = {}
    for a in annotations:  # oldest first: a later approved edit wins
        if a.kind == COMMENTARY and a.state is AnnotationState.APPROVED and not a.lapsed:
            chosen[a.indicator] = a.text
    return chosen


def annotate(workspace: Workspace, indicator_id: str, quarter: Quarter, *, note: str | None = None,
             commentary: str | None = None, by: str | None = None) -> Annotation:
    """Log a note to the figure the quarter's report shows for the indicator, or a proposed edit of its
    commentary (waiting for `kpixl review --accept`); the lead's text is kept as it is."""
    if (note is None) == (commentary is None):
        raise ReviewError("Give either --note TEXT (a remark on the figure) or --commentary TEXT (the commentary "
                          "the report should print instead of the lead's), not both.")
    text = (note if note is not None else commentary or "").strip()
    if not text:
        raise ReviewError("The annotation is empty: write the text after --note or --commentary.")
    register = workspace.valid_register()
    indicator = _indicator(register, indicator_id)
    period = indicator.reporting_period(quarter)
    with workspace.open_store(by=by) as store:
        versions = [s for s in store.history(indicator.id) if s.figure.period.slug == period.slug]
        current = next((s for s in versions if s.current), None)
        detail: dict[str, Any] = {NOTE if note is not None else COMMENTARY: text, "figure_period": period.slug,
                                  "version": current.version if current else None,
                                  "lead_commentary": current.figure.commentary if current else ""}
        made = log_decision(workspace, store, FIGURE_ANNOTATED, actor=store.actor, period=quarter.slug,
                               service=indicator.service, indicator=indicator.id, detail=detail)
        figures = store.current_figures([indicator.id])
        found = quarter_annotations(store, quarter.slug, figures, indicator.id)
    return next(a for a in found if a.id == annotation_id(made or 0))


def _indicator(register: Register, ident: str) -> Indicator:
    found = register.indicator(ident)
    if found is None:
        known = ", ".join(i.id for i in register.indicators[:12]) or "none"
        raise UnknownIndicator(f"There is no indicator '{ident}' in the register. Indicators include: {known}.")
    return found


# --- Listing and deciding --------------------------------------------------------------------------------


def review_items(workspace: Workspace, quarter: Quarter, everything: bool = False) -> ReviewItems:
    """The queries and commentary edits waiting for the team (everything: decided ones and notes too)."""
    names = {s.id: s.name for s in load_register(workspace.register_path).register.services}
    with workspace.open_store() as store:
        queries = quarter_queries(store, quarter.slug)
        annotations = quarter_annotations(store, quarter.slug, store.current_figures())
    if not everything:
        queries = [q for q in queries if q.state.waiting]
        annotations = [a for a in annotations if a.waiting]
    return ReviewItems(quarter, queries, annotations, names)


def decide(workspace: Workspace, quarter: Quarter, ident: str, accept: bool, note: str = "",
           by: str | None = None) -> Decision:
    """Accept or reject the query or commentary edit ident ("Q12", "A7"): one event. A rejection needs a note
    (the lead reads it). ReviewError for an ID that is not waiting in this quarter."""
    parsed = parse_id(ident)
    if parsed is None:
        raise ReviewError(f"'{ident}' is not a review ID: queries are Q and a number (Q12), commentary edits A "
                          "and a number (A7), as 'kpixl review' lists them.", usage=True)
    if not accept and not note.strip():
        raise ReviewError("Say why with --note TEXT: a rejected query goes back to the lead with it.", usage=True)
    with workspace.open_store(by=by) as store:
        if parsed[0] == "Q":
            return _decide_query(workspace, store, quarter, f"Q{parsed[1]}", accept, note.strip())
        return _decide_annotation(workspace, store, quarter, f"A{parsed[1]}", accept, note.strip())


def _decide_query(workspace: Workspace, store: Store, quarter: Quarter, qid: str, accept: bool, note: str) -> Decision:
    query = next((q for q in quarter_queries(store, quarter.slug) if q.id == qid), None)
    if query is None:
        raise ReviewError(f"No current return for {quarter} raises query {qid}: it may have been answered by a "
                          "later return, or belong to another quarter. 'kpixl review --all' lists them.")
    wanted = QueryState.ACCEPTED if accept else QueryState.REJECTED
    if query.state is wanted:
        return Decision(qid, accept, None, query.decision)
    previous = [e for e in store.events(quarter.slug, kinds=[QUERY_ACCEPTED, QUERY_REJECTED])
                if e.detail.get("query") == qid]
    after = previous[-1].id if previous else 0
    kind = QUERY_ACCEPTED if accept else QUERY_REJECTED
    made = log_decision(workspace, store, kind, actor=store.actor, period=quarter.slug, service=query.service,
                           indicator=query.problem.indicator, ref=f"{qid}@{query.submission.id}#{after}",
                           detail={"query": qid, "question": query.question, "submission": query.submission.id,
                                   "note": note})
    return Decision(qid, accept, _event(store, quarter, made), None if made else _latest(store, quarter, qid))


def _latest(store: Store, quarter: Quarter, qid: str) -> Event | None:
    found = [e for e in store.events(quarter.slug, kinds=[QUERY_ACCEPTED, QUERY_REJECTED])
             if e.detail.get("query") == qid]
    return found[-1] if found else None


def _event(store: Store, quarter: Quarter, made: int | None) -> Event | None:
    if made is None:
        return None
    return next(e for e in store.events(quarter.slug) if e.id == made)


def _decide_annotation(workspace: Workspace, store: Store, quarter: Quarter, aid: str, accept: bool, note: str) -> Decision:
    found = next((a for a in quarter_annotations(store, quarter.slug, store.current_figures()) if a.id == aid),
                 None)
    if found is None:
        raise ReviewError(f"There is no annotation {aid} for {quarter}: 'kpixl review --all' lists them.")
    if found.kind == NOTE:
        raise ReviewError(f"{aid} is a note, final when made: nothing to accept or reject. To change what it says, "
                          "add another note.")
    if found.decision is not None:
        return Decision(aid, accept, None, found.decision)
    kind = ANNOTATION_ACCEPTED if accept else ANNOTATION_REJECTED
    made = log_decision(workspace, store, kind, actor=store.actor, period=quarter.slug, service=found.event.service,
                           indicator=found.indicator, ref=aid, detail={"annotation": aid, "note": note})
    if made is None:  # another officer decided it at the same moment: theirs stands
        again = next(a for a in quarter_annotations(store, quarter.slug, {}) if a.id == aid)
        return Decision(aid, accept, None, again.decision)
    return Decision(aid, accept, _event(store, quarter, made))
