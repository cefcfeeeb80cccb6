"""Every statement the store runs, and the records it hands back in the domain's words.

Reading: current figures, every version, submissions with their problems. Writing: a received file is
recorded in one transaction that inserts, never updates or deletes (docs/store.md).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Connection, Engine, and_, bindparam, case, exists, func, insert, or_, select
from sqlalchemy.exc import IntegrityError

from kpixl.crashpoint import crash_point
from kpixl.domain import Figure, FigureStatus, parse_period
from kpixl.domain.figures import Provenance, ReceivedFigure, Submission
from kpixl.domain.review import (
    HISTORY_IMPORTED,
    QUERY_EXPLAINED,
    QUERY_RAISED,
    REOPENED,
    RETURN_ACCEPTED,
    RETURN_HELD,
    RETURN_RECEIVED,
    RETURN_REFUSED,
    SIGNED_OFF,
    query_id,
)
from kpixl.errors import PeriodError, StoreError, StoreValueError
from kpixl.problems import Problem, Severity, count, explanation_of, is_explained, question_of
from kpixl.store.schema import events, figures, problems, schema_version, submissions

__all__ = [
    "PARTLY_ACCEPTED",
    "Event",
    "FigureKey",
    "Partly",
    "RecordResult",
    "StoredFigure",
    "SubmissionRecord",
    "UnreadableRow",
    "add_event",
    "current_figures",
    "events_of",
    "figure_from_row",
    "figure_from_values",
    "first_applied",
    "held_now",
    "iso",
    "record",
    "sent_order",
    "stored_figures",
    "submission_records",
    "unreadable",
    "value_text",
]

FigureKey = tuple[str, str, int]  # (indicator, period slug, version)


@dataclass(frozen=True)
class RecordResult:
    submission_id: int
    duplicate: bool = False  # this file was recorded before: nothing changed
    added: tuple[FigureKey, ...] = ()  # each new version written
    unchanged: int = 0  # figures identical to their current version: not a change, not written
    held_by: int = 0  # recorded while its service's figures were signed off (that event's id): not current

    @property
    def summary(self) -> str:
        if self.duplicate:
            return "already recorded: nothing changed"
        held = "; held: its figures are signed off, and these count only after kpixl reopen" if self.held_by else ""
        return f"{count(len(self.added), 'figure')} stored, {self.unchanged} unchanged{held}"


@dataclass(frozen=True)
class SubmissionRecord:
    """A received file as stored, with the problems found in it."""

    id: int
    file_hash: str
    file_name: str
    received_at: datetime
    service: str
    period: str
    accepted: bool
    source: str
    recorded_at: datetime
    problems: tuple[Problem, ...] = ()
    sent_at: datetime | None = None
    sender: str = ""
    subject: str = ""
    message_id: str = ""
    attachment: str = ""
    held_by: int = 0  # the signed-off event in force when it was recorded (0: none; docs/review.md)
    held: bool = False  # held by that sign-off still (no reopen since): its figures are not current
    problem_ids: tuple[int, ...] = ()  # the store's id of each of its problems, in the same order

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)

    @property
    def sent(self) -> datetime:
        """When it was sent, as far as kpixl knows: recorded before sent_at was, when it was received."""
        return self.sent_at or self.received_at

    @property
    def order(self) -> tuple[datetime, int]:
        """Its place among the returns of one service and quarter: sent later, then recorded later."""
        return (self.sent, self.id)

    @property
    def submission(self) -> Submission:
        return Submission(self.file_hash, self.file_name, self.received_at, self.service, self.period,
                          self.accepted, self.source, self.sent_at, self.sender, self.subject, self.message_id,
                          self.attachment)


@dataclass(frozen=True)
class Event:
    """One step of the quarter as the store logged it: who did what, when, about which service or figure."""

    id: int
    at: datetime
    actor: str
    kind: str  # a stable word: "workbook-generated", "return-accepted", "signed-off" (docs/store.md)
    period: str = ""
    service: str = ""
    indicator: str = ""
    ref: str = ""  # a key that makes the event happen at most once ("" for none)
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "at": self.at.isoformat(), "actor": self.actor, "kind": self.kind,
                "period": self.period, "service": self.service, "indicator": self.indicator, "ref": self.ref,
                "detail": self.detail}


@dataclass(frozen=True)
class StoredFigure:
    """One version of one figure, with where it came from."""

    figure: Figure
    version: int
    provenance: Provenance
    submission: SubmissionRecord  # without its problems
    target: str
    revision_reason: str
    recorded_at: datetime
    current: bool  # the current version of its indicator and period: from the latest-sent accepted file

    @property
    def order(self) -> tuple[datetime, int]:
        """Which version is current: the latest sent, then the later recorded."""
        return (self.submission.sent, self.version)


DbRow = Any  # a result row; its columns are read by name (row.indicator), which the typing cannot follow


# Reading defensively: the store is a file an officer can open and edit by hand. A value this kpixl did not
# write (a status 'weird', a value 'abc', a period '2023-13') is one StoreError naming the table, the row and
# the column, never a traceback or a message that blames what the officer typed. `kpixl check` lists them all.

def unreadable(table: str, row_id: object, column: str, found: object) -> StoreError:
    """The error for a stored value kpixl cannot read."""
    shown = " ".join(str(found).split())[:60]
    return StoreValueError(f"The store holds a value kpixl cannot read: table {table}, row {row_id}, column {column} "
                           f"is '{shown}'. It was changed outside kpixl. Run 'kpixl check' to list every such row, "
                           "then put the value back as it was, or restore the store from a backup.",
                           table, row_id, column, shown)


def figure_from_values(indicator: str, period: str, value: str | None, status: str, reason: str,
                       commentary: str, actions: str, numerator: str | None = None, denominator: str | None = None,
                       action_owner: str = "", action_due: str = "", row_id: object = "?") -> Figure:
    """A figure as the store keeps it: the value (and a calculated indicator's two counts) in Decimal's own
    spelling, the status by its name, the action's due date as ISO text ("" for none). StoreError (naming the
    figures row row_id and its column) when a column holds what kpixl never writes."""
    try:
        parsed_period = parse_period(period)
    except (PeriodError, TypeError):
        raise unreadable("figures", row_id, "period", period) from None
    try:
        figure_status = FigureStatus(status)
    except ValueError:
        raise unreadable("figures", row_id, "status", status) from None
    try:
        due = date.fromisoformat(action_due) if action_due else None
    except (TypeError, ValueError):
        raise unreadable("figures", row_id, "action_due", action_due) from None
    return Figure(indicator, parsed_period, _decimal(value, row_id, "value"), figure_status, reason, commentary,
                  actions, _decimal(numerator, row_id, "numerator"), _decimal(denominator, row_id, "denominator"),
                  action_owner, due)


def _decimal(value: str | None, row_id: object, column: str) -> Decimal | None:
    """A stored number; StoreError for text that is not a finite number."""
    if value is None:
        return None
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise unreadable("figures", row_id, column, value) from None
    if not number.is_finite():
        raise unreadable("figures", row_id, column, value)
    return number


def figure_from_row(row: DbRow) -> Figure:
    return figure_from_values(row.indicator, row.period, row.value, row.status, row.reason, row.commentary,
                              row.actions, row.numerator, row.denominator, row.action_owner, row.action_due, row.id)


# Version 5's columns of a figure, read wherever a Figure is built (in figure_from_values' order).
_FIGURE_EXTRAS = (figures.c.numerator, figures.c.denominator, figures.c.action_owner, figures.c.action_due)


def _time(text: str, table: str = "?", row_id: object = "?", column: str = "?") -> datetime:
    try:
        return datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise unreadable(table, row_id, column, text) from None


def iso(moment: datetime) -> str:
    """A time as the store keeps it: UTC, to the microsecond, so that the text sorts as the time does."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


# Which version is current: the figure of the latest-sent accepted submission (a message's Date, else the
# file's modification time), never the last one collected or the one whose name sorts last; at the same
# moment, the one recorded later (the higher version). A submission recorded before sent_at existed (schema
# version 4) counts as sent when it was received. docs/store.md, "Current".

def sent_order(table: Any) -> Any:
    """The SQL time a submissions table's row is ordered by."""
    return case((table.c.sent_at != "", table.c.sent_at), else_=table.c.received_at)


# The lock (docs/review.md): a return recorded while its service's figures for the quarter were signed off is
# held by that sign-off (submissions.held_by, its event id), and its figures are not current until a reopened
# event of the same service and quarter follows the sign-off. Decided once, when the return is recorded under
# the write lock (_held_by); nothing is ever updated: a reopen is one more event.

def held_now(table: Any) -> Any:
    """The SQL condition: a submissions table's row is held by a sign-off that no reopen has followed."""
    reopened = exists().where(events.c.kind == REOPENED, events.c.service == table.c.service,
                              events.c.period == table.c.period, events.c.id > table.c.held_by)
    return and_(table.c.held_by != 0, ~reopened)


def current_figures(conn: Connection, indicators: Collection[str] | None = None) -> dict[tuple[str, str], Figure]:
    """The current version of every figure (of the indicators named), keyed by (indicator, period slug)."""
    sub, other, other_sub = submissions.alias("s"), figures.alias("other"), submissions.alias("other_s")
    mine, theirs = sent_order(sub), sent_order(other_sub)
    # A figure is current when no version of it was sent later (or, sent at the same moment, recorded later):
    # each figure probes the few versions of its key through the (indicator, period, version) index, where
    # ranking every version with a window function sorted the whole table (6,216 figures: 0.075 s -> 0.059 s).
    # A held return's figures are neither current nor in the way of the current one.
    later = exists().where(other.c.indicator == figures.c.indicator, other.c.period == figures.c.period,
                           other_sub.c.id == other.c.submission_id, ~held_now(other_sub),
                           or_(theirs > mine, and_(theirs == mine, other.c.version > figures.c.version)))
    query = (select(figures.c.indicator, figures.c.period, figures.c.value, figures.c.status, figures.c.reason,
                    figures.c.commentary, figures.c.actions, *_FIGURE_EXTRAS, figures.c.id)
             .join(sub, sub.c.id == figures.c.submission_id).where(~later, ~held_now(sub)))
    if indicators is not None:
        query = query.where(figures.c.indicator.in_(list(indicators)))
    # Only the columns a Figure holds (and the row's id, for a message), fetched at once and unpacked by position.
    return {(row[0], row[1]): figure_from_values(*row) for row in conn.execute(query).all()}


@dataclass(frozen=True)
class UnreadableRow:
    """A row of the store that cannot be read: changed by hand, or damaged (kpixl check reports each)."""

    table: str
    id: int
    column: str  # the first column that cannot be read
    found: str  # what it holds


def stored_figures(conn: Connection, indicator: str | None = None, periods: Collection[str] | None = None,
                   unreadable_rows: list[UnreadableRow] | None = None) -> list[StoredFigure]:
    """Every version (of one indicator, or in some periods), oldest period first, then by version. With
    unreadable_rows given, a row that cannot be read is put there instead of stopping the whole read."""
    sub = submissions.alias("s")
    labelled = [c.label(f"s_{c.name}") for c in sub.c]  # the submission's columns, apart from the figure's
    query = (select(figures, *labelled, held_now(sub).label("s_held"))
             .join(sub, sub.c.id == figures.c.submission_id))
    if indicator is not None:
        query = query.where(figures.c.indicator == indicator)
    if periods is not None:
        query = query.where(figures.c.period.in_(list(periods)))
    rows = conn.execute(query)
    stored = [_stored(row) for row in rows] if unreadable_rows is None else _readable(rows, unreadable_rows)
    current: dict[tuple[str, str], StoredFigure] = {}
    for item in stored:
        key = (item.figure.indicator, item.figure.period.slug)
        if not item.submission.held and (key not in current or item.order > current[key].order):
            current[key] = item
    chosen = {id(item) for item in current.values()}
    stored = [replace(item, current=True) if id(item) in chosen else item for item in stored]
    return sorted(stored, key=lambda s: (s.figure.indicator, s.figure.period.start_date,
                                         s.figure.period.kind, s.version))


def _readable(rows: Iterable[DbRow], unreadable_rows: list[UnreadableRow]) -> list[StoredFigure]:
    """The rows that read as figures; each other is put in unreadable_rows, with the column it fails at."""
    readable = []
    for row in rows:
        try:
            int(row.version)
            readable.append(_stored(row))
        except StoreValueError as exc:
            unreadable_rows.append(UnreadableRow(exc.table, row.id, exc.column, exc.found))
        except (ValueError, TypeError):  # a version that is no number: no column reader names it
            unreadable_rows.append(UnreadableRow("figures", row.id, "version", str(row.version)[:60]))
    return readable


def _stored(row: DbRow) -> StoredFigure:
    submission = _submission_record(row, prefix="s_")
    provenance = Provenance(submission.file_hash, submission.file_name, row.sheet, row.cell)
    return StoredFigure(figure_from_row(row), row.version, provenance, submission, row.target,
                        row.revision_reason, _time(row.recorded_at, "figures", row.id, "recorded_at"), False)


def submission_records(conn: Connection, period: str | None = None) -> list[SubmissionRecord]:
    """Every received file (of one period), in the order it was recorded, with its problems."""
    query = select(submissions, held_now(submissions).label("held")).order_by(submissions.c.id)
    if period is not None:
        query = query.where(submissions.c.period == period)
    rows = list(conn.execute(query))
    found = _problems_of(conn, [r.id for r in rows])
    return [_submission_record(r, tuple(p for _, p in found.get(r.id, ())),
                               ids=tuple(i for i, _ in found.get(r.id, ()))) for r in rows]


def _submission_record(r: DbRow, found: tuple[Problem, ...] = (), prefix: str = "",
                       ids: tuple[int, ...] = ()) -> SubmissionRecord:
    """A submissions row (its columns named prefix + name, as a join labels them) as a record; held is read
    where the query selected it (held_now)."""
    m = r._mapping

    def get(name: str) -> Any:
        return m[prefix + name]

    row_id, sent = get("id"), get("sent_at")

    def when(column: str) -> datetime:
        return _time(get(column), "submissions", row_id, column)

    return SubmissionRecord(row_id, get("file_hash"), get("file_name"), when("received_at"),
                            get("service"), get("period"), bool(get("accepted")), get("source"),
                            when("recorded_at"), found, when("sent_at") if sent else None, get("sender"),
                            get("subject"), get("message_id"), get("attachment"), int(get("held_by") or 0),
                            bool(m.get(prefix + "held", False)), ids)


def _problems_of(conn: Connection, ids: list[int]) -> dict[int, list[tuple[int, Problem]]]:
    """Each submission's problems, in the order found, with their row ids."""
    found: dict[int, list[tuple[int, Problem]]] = defaultdict(list)
    if not ids:
        return found
    query = (select(problems).where(problems.c.submission_id.in_(ids))
             .order_by(problems.c.submission_id, problems.c.position))
    for r in conn.execute(query):
        try:
            severity = Severity(r.severity)
        except ValueError:
            raise unreadable("problems", r.id, "severity", r.severity) from None
        found[r.submission_id].append((r.id, Problem(r.code, severity, r.message, r.hint, r.file, r.sheet,
                                                     r.cell, r.indicator)))
    return found


def first_applied(conn: Connection, version: int) -> datetime | None:
    """When the store first had this schema version or a later one (a store created at a later version
    records only that one); None for a store still at an earlier version."""
    found = conn.execute(select(func.min(schema_version.c.applied_at))
                         .where(schema_version.c.version >= version)).scalar()
    return None if found is None else _time(found, "schema_version", version, "applied_at")


ATTEMPTS = 3  # a constraint that fails despite the write lock is retried; more failures mean something is wrong


def value_text(value: Decimal | None) -> str | None:
    """A Decimal as the store keeps it: its own exact spelling ("0.68", "380018")."""
    return None if value is None else str(value)


def record(engine: Engine, submission: Submission, received: Sequence[ReceivedFigure],
           found: Sequence[Problem], now: str, partly: Partly | None = None, actor: str = "") -> RecordResult:
    """Store a file's submission, problems and (if accepted) figures, all or nothing, with the events that
    say so (logged by actor: docs/review.md). With partly, a refused file's figures of the rows taken are
    stored too (record_partly)."""
    for attempt in range(ATTEMPTS):
        try:
            with engine.execution_options(kpixl_write=True).begin() as conn:
                if partly is not None:
                    return _record_partly(conn, submission, received, found, now, partly, actor)
                return _record(conn, submission, received, found, now, actor)
        except IntegrityError as exc:
            if attempt == ATTEMPTS - 1:
                why = str(exc.orig).strip().rstrip(".")
                raise StoreError(f"{submission.file_name} could not be stored: {why}. Nothing was changed; "
                                 "run the command again.") from None
    raise AssertionError("unreachable")  # pragma: no cover


PARTLY_ACCEPTED = "return-partly-accepted"  # the event that lets a refused return's valid rows be stored


@dataclass(frozen=True)
class Partly:
    """The rows of a refused return the officer accepts (kpixl collect --accept-valid-rows), and those left:
    each "indicator period" ("37 2023-24-Q2")."""

    taken: tuple[str, ...]
    left: tuple[str, ...]


def _record_partly(conn: Connection, submission: Submission, received: Sequence[ReceivedFigure],
                   found: Sequence[Problem], now: str, partly: Partly, actor: str = "") -> RecordResult:
    """A refused return recorded with its problems (or found recorded already, refused) and the figures of
    the rows taken stored from it, with a return-partly-accepted event naming the rows taken and left: in
    the caller's one transaction. The same file accepted before, or partly accepted before, changes nothing.
    Recorded while its service is signed off, it is held like any return (docs/review.md)."""
    conn.execute(WRITE_LOCK)
    rows = conn.execute(_EXISTING, {"file_hash": submission.file_hash, "source": submission.source}).all()
    if any(row.accepted for row in rows):
        return RecordResult(next(int(row.id) for row in rows if row.accepted), duplicate=True)
    held_by = 0
    if rows:
        submission_id = int(rows[-1].id)
        if conn.execute(_PARTLY_OF, {"ref": str(submission_id)}).first() is not None:
            return RecordResult(submission_id, duplicate=True)
    else:
        held_by = _held_by(conn, submission)
        submission_id = _insert_submission(conn, submission, now, held_by)
        if found:
            conn.execute(_INSERT_PROBLEMS, [_problem_row(submission_id, i, p) for i, p in enumerate(found)])
        _log_recording(conn, submission, RecordResult(submission_id, held_by=held_by), found, held_by, now, actor)
    figure_rows, added = _new_versions(conn, received, submission_id, now)
    if figure_rows:
        conn.execute(_INSERT_FIGURES, figure_rows)
    add_event(conn, PARTLY_ACCEPTED, now, actor, submission.period, submission.service, "", str(submission_id),
              {"file": submission.file_name, "sha256": submission.file_hash, "taken": list(partly.taken),
               "left": list(partly.left)})
    crash_point("before-commit")
    return RecordResult(submission_id, added=tuple(added), unchanged=len(received) - len(added), held_by=held_by)


# The statements of a record, built once: SQLAlchemy then finds each compiled in its cache instead of
# building and hashing a new statement for every file (a fifth of a record's time on SQLite).
WRITE_LOCK = select(schema_version.c.version).with_for_update()
_EXISTING = (select(submissions.c.id, submissions.c.accepted)
             .where(submissions.c.file_hash == bindparam("file_hash"), submissions.c.source == bindparam("source"))
             .order_by(submissions.c.id))
_INSERT_SUBMISSION, _INSERT_PROBLEMS, _INSERT_FIGURES = insert(submissions), insert(problems), insert(figures)
_PARTLY_OF = select(events.c.id).where(events.c.kind == PARTLY_ACCEPTED, events.c.ref == bindparam("ref"))
_LATEST = (select(figures.c.id, figures.c.indicator, figures.c.period, figures.c.version, figures.c.value,
                  figures.c.status, figures.c.reason, figures.c.commentary, figures.c.actions, *_FIGURE_EXTRAS)
           .where(figures.c.indicator.in_(bindparam("indicators", expanding=True)),
                  figures.c.period.in_(bindparam("periods", expanding=True)))
           .order_by(figures.c.version))


def _record(conn: Connection, submission: Submission, received: Sequence[ReceivedFigure],
            found: Sequence[Problem], now: str, actor: str = "") -> RecordResult:
    # One writer at a time, as BEGIN IMMEDIATE gives on SQLite: on PostgreSQL the schema_version row is
    # locked, so two collects cannot both read version 3 and both write version 4 (SQLite ignores FOR UPDATE).
    conn.execute(WRITE_LOCK)
    existing = _earlier(conn, submission)
    if existing is not None:
        return RecordResult(existing, duplicate=True)
    held_by = _held_by(conn, submission)
    submission_id = _insert_submission(conn, submission, now, held_by)
    if found:
        conn.execute(_INSERT_PROBLEMS, [_problem_row(submission_id, i, p) for i, p in enumerate(found)])
    crash_point("in-transaction")
    result = RecordResult(submission_id, held_by=held_by)
    if submission.accepted:  # a refused file is kept with its problems, so status can say what to fix
        rows, added = _new_versions(conn, received, submission_id, now)
        if rows:
            conn.execute(_INSERT_FIGURES, rows)
        result = RecordResult(submission_id, added=tuple(added), unchanged=len(received) - len(added),
                              held_by=held_by)
    _log_recording(conn, submission, result, found, held_by, now, actor)
    crash_point("before-commit")
    return result


def _earlier(conn: Connection, submission: Submission) -> int | None:
    """The submission this file already is, if any: the same bytes accepted before (whatever the verdict now),
    or refused before and refused again. A file refused before and accepted now is new: it was refused for a
    reason outside it (the period collected, the register), and its figures must be stored now."""
    rows = conn.execute(_EXISTING, {"file_hash": submission.file_hash, "source": submission.source}).all()
    accepted = [row.id for row in rows if row.accepted]
    if accepted:
        return int(accepted[0])
    if rows and not submission.accepted:
        return int(rows[-1].id)
    return None


def _insert_submission(conn: Connection, submission: Submission, now: str, held_by: int = 0) -> int:
    result = conn.execute(_INSERT_SUBMISSION, {
        "file_hash": submission.file_hash, "source": submission.source, "file_name": submission.file_name,
        "received_at": iso(submission.received_at), "service": submission.service,
        "period": submission.period, "accepted": submission.accepted, "recorded_at": now,
        "sent_at": iso(submission.sent_at) if submission.sent_at else "", "sender": submission.sender,
        "subject": submission.subject, "message_id": submission.message_id, "attachment": submission.attachment,
        "held_by": held_by})
    key = result.inserted_primary_key
    if key is None:  # pragma: no cover - every supported database hands back the new id
        raise StoreError("The store did not return the new submission's id; nothing was changed.")
    return int(key[0])


def _problem_row(submission_id: int, position: int, p: Problem) -> dict[str, Any]:
    return {"submission_id": submission_id, "position": position, "code": p.code,
            "severity": p.severity.value, "file": p.file, "sheet": p.sheet, "cell": p.cell,
            "indicator": p.indicator, "message": p.message, "hint": p.hint}


def _new_versions(conn: Connection, received: Sequence[ReceivedFigure], submission_id: int,
                  now: str) -> tuple[list[dict[str, Any]], list[FigureKey]]:
    """The rows to insert: a figure is a new version unless it says exactly what its current version says."""
    latest = _latest(conn, received)
    rows: list[dict[str, Any]] = []
    added: list[FigureKey] = []
    for item in received:
        key = (item.figure.indicator, item.figure.period.slug)
        version, current = latest.get(key, (0, None))
        if current is not None and _same(current, item.figure):
            continue
        rows.append(_figure_row(item, version + 1, submission_id, now))
        added.append((*key, version + 1))
        latest[key] = (version + 1, item.figure)  # a second figure for the key in one file follows this one
    return rows, added


def _latest(conn: Connection,
            received: Iterable[ReceivedFigure]) -> dict[tuple[str, str], tuple[int, Figure]]:
    """The current version of every key the file touches, in one query."""
    received = list(received)
    if not received:
        return {}
    keys = {"indicators": sorted({r.figure.indicator for r in received}),
            "periods": sorted({r.figure.period.slug for r in received})}
    latest: dict[tuple[str, str], tuple[int, Figure]] = {}
    for row in conn.execute(_LATEST, keys):  # oldest version first, so the last one seen per key is current
        latest[(row.indicator, row.period)] = (row.version, figure_from_row(row))
    return latest


def _same(a: Figure, b: Figure) -> bool:
    """The same content: equal numbers (0.68 and 0.680 are one figure; a calculated figure's counts too),
    status, reason, texts, action owner and due date."""
    return (a.value == b.value and a.status is b.status and a.reason == b.reason
            and a.commentary == b.commentary and a.actions == b.actions and a.numerator == b.numerator
            and a.denominator == b.denominator and a.action_owner == b.action_owner
            and a.action_due == b.action_due)


def _figure_row(item: ReceivedFigure, version: int, submission_id: int, now: str) -> dict[str, Any]:
    f = item.figure
    return {"indicator": f.indicator, "period": f.period.slug, "version": version,
            "value": value_text(f.value), "status": f.status.value, "reason": f.reason,
            "commentary": f.commentary, "actions": f.actions, "numerator": value_text(f.numerator),
            "denominator": value_text(f.denominator), "action_owner": f.action_owner,
            "action_due": f.action_due.isoformat() if f.action_due else "",
            "target": item.target, "revision_reason": item.revision_reason, "submission_id": submission_id,
            "sheet": item.provenance.sheet, "cell": item.provenance.cell, "recorded_at": now}


_LAST_SIGN_OFF = (select(events.c.id, events.c.kind)
                  .where(events.c.kind.in_([SIGNED_OFF, REOPENED]), events.c.service == bindparam("service"),
                         events.c.period == bindparam("period"))
                  .order_by(events.c.id.desc()).limit(1))


def _held_by(conn: Connection, submission: Submission) -> int:
    """The sign-off in force for a return's service and quarter (its event id; 0 for none). Read under the
    write lock that sign-offs take too, so a sign-off logged at the same moment is before this return or
    after it, never both."""
    if submission.source != "return" or not submission.service:
        return 0
    row = conn.execute(_LAST_SIGN_OFF, {"service": submission.service, "period": submission.period}).first()
    return int(row.id) if row is not None and row.kind == SIGNED_OFF else 0


def _log_recording(conn: Connection, submission: Submission, result: RecordResult, found: Sequence[Problem],
                   held_by: int, now: str, actor: str) -> None:
    """The events of a recording, in its transaction (docs/review.md): a return received, then accepted or
    refused (and held), and each query an accepted return raises or explains; a history import. Nothing for
    other sources (a comparator file, a sign-off's evidence: their steps log what they do)."""
    ref, sid = f"submission:{result.submission_id}", result.submission_id
    file = {"file": submission.file_name, "sha256": submission.file_hash, "submission": sid}
    if submission.source == "history":
        conn.execute(insert(events), [_event_row(HISTORY_IMPORTED, now, actor, ref=ref,
                                                 detail=file | {"figures": len(result.added)})])
        return
    if submission.source != "return":
        return
    where = {"period": submission.period, "service": submission.service}
    sent = iso(submission.sent_at) if submission.sent_at else ""
    verdict = RETURN_ACCEPTED if submission.accepted else RETURN_REFUSED
    errors = sum(1 for p in found if p.severity is Severity.ERROR)
    rows = [_event_row(RETURN_RECEIVED, now, submission.sender or actor, ref=ref,
                       detail=file | {"sent_at": sent, "sender": submission.sender, "recorded_by": actor},
                       **where),
            _event_row(verdict, now, actor, ref=ref, detail=file | {
                "figures": len(result.added), "unchanged": result.unchanged, "errors": errors}, **where)]
    if held_by:
        rows.append(_event_row(RETURN_HELD, now, actor, ref=ref, detail=file | {"signed_off": held_by}, **where))
    if submission.accepted:
        rows += _query_events(conn, submission, sid, found, now, actor)
    conn.execute(insert(events), rows)


def _query_events(conn: Connection, submission: Submission, sid: int, found: Sequence[Problem], now: str,
                  actor: str) -> list[dict[str, Any]]:
    """query-raised for each query of an accepted return, and query-explained for each the lead explained,
    under the query's ID: the first problem row raising it for this service and quarter (docs/review.md)."""
    first = {(code, indicator, cell): int(n) for code, indicator, cell, n in conn.execute(
        select(problems.c.code, problems.c.indicator, problems.c.cell, func.min(problems.c.id))
        .join(submissions, submissions.c.id == problems.c.submission_id)
        .where(submissions.c.service == submission.service, submissions.c.period == submission.period,
               problems.c.severity == Severity.QUERY.value)
        .group_by(problems.c.code, problems.c.indicator, problems.c.cell))}
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for p in found:
        key = (p.code, p.indicator, p.cell)
        if p.severity is not Severity.QUERY or key not in first or query_id(first[key]) in seen:
            continue
        qid = query_id(first[key])
        seen.add(qid)
        where = {"period": submission.period, "service": submission.service, "indicator": p.indicator}
        detail = {"query": qid, "code": p.code, "cell": p.cell, "submission": sid, "question": question_of(p)}
        rows.append(_event_row(QUERY_RAISED, now, actor, ref=f"{qid}@{sid}", detail=detail, **where))
        if is_explained(p):
            rows.append(_event_row(QUERY_EXPLAINED, now, submission.sender or actor, ref=f"{qid}@{sid}",
                                   detail={"query": qid, "submission": sid, "explanation": explanation_of(p)},
                                   **where))
    return rows


# Events: only ever added.

def _event_row(kind: str, at: str, actor: str, period: str = "", service: str = "", indicator: str = "",
               ref: str = "", detail: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"at": at, "actor": actor, "kind": kind, "period": period, "service": service, "indicator": indicator,
            "ref": ref, "detail": json.dumps(detail or {}, sort_keys=True, ensure_ascii=False, default=str)}


def add_event(conn: Connection, kind: str, at: str, actor: str, period: str, service: str, indicator: str,
              ref: str, detail: dict[str, Any]) -> int | None:
    """Log an event; its id, or None when an event of this kind and (non-empty) ref is logged already."""
    if ref:
        found = conn.execute(select(events.c.id).where(events.c.kind == kind, events.c.ref == ref)).first()
        if found is not None:
            return None
    result = conn.execute(insert(events).values(_event_row(kind, at, actor, period, service, indicator, ref,
                                                           detail)))
    key = result.inserted_primary_key
    return None if key is None else int(key[0])


def events_of(conn: Connection, period: str | None = None, service: str | None = None,
              kinds: Collection[str] | None = None) -> list[Event]:
    """The events logged (of a period, a service, some kinds), in the order they were logged."""
    query = select(events).order_by(events.c.id)
    if period is not None:
        query = query.where(events.c.period == period)
    if service is not None:
        query = query.where(events.c.service == service)
    if kinds is not None:
        query = query.where(events.c.kind.in_(list(kinds)))
    return [Event(r.id, _time(r.at, "events", r.id, "at"), r.actor, r.kind, r.period, r.service, r.indicator, r.ref, _detail(r.detail))
            for r in conn.execute(query)]


def _detail(text: str) -> dict[str, Any]:
    """An event's detail; a hand-edited value that is not a JSON object is kept as text, never raised."""
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return {"text": str(text)}
    return value if isinstance(value, dict) else {"value": value}
