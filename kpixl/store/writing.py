"""Recording a received file: one transaction that inserts, never updates or deletes (docs/store.md)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, insert, select
from sqlalchemy.exc import IntegrityError

from kpixl.crashpoint import crash_point
from kpixl.domain import Figure
from kpixl.domain.figures import ReceivedFigure, Submission
from kpixl.errors import StoreError
from kpixl.problems import Problem
from kpixl.store.reading import figure_from_row
from kpixl.store.records import FigureKey, RecordResult
from kpixl.store.schema import figures, problems, schema_version, submissions

__all__ = ["record", "value_text"]

ATTEMPTS = 3  # a constraint that fails despite the write lock is retried; more failures mean something is wrong


def value_text(value: Decimal | None) -> str | None:
    """A Decimal as the store keeps it: its own exact spelling ("0.68", "380018")."""
    return None if value is None else str(value)


def record(engine: Engine, submission: Submission, received: Sequence[ReceivedFigure],
           found: Sequence[Problem], now: str) -> RecordResult:
    """Store a file's submission, problems and (if accepted) figures, all or nothing."""
    for attempt in range(ATTEMPTS):
        try:
            with engine.execution_options(kpixl_write=True).begin() as conn:
                return _record(conn, submission, received, found, now)
        except IntegrityError as exc:
            if attempt == ATTEMPTS - 1:
                why = str(exc.orig).strip().rstrip(".")
                raise StoreError(f"{submission.file_name} could not be stored: {why}. Nothing was changed; "
                                 "run the command again.") from None
    raise AssertionError("unreachable")  # pragma: no cover


# The statements of a record, built once: SQLAlchemy then finds each compiled in its cache instead of
# building and hashing a new statement for every file (a fifth of a record's time on SQLite).
_WRITE_LOCK = select(schema_version.c.version).with_for_update()
_EXISTING = (select(submissions.c.id, submissions.c.accepted)
             .where(submissions.c.file_hash == bindparam("file_hash"), submissions.c.source == bindparam("source"))
             .order_by(submissions.c.id))
_INSERT_SUBMISSION, _INSERT_PROBLEMS, _INSERT_FIGURES = insert(submissions), insert(problems), insert(figures)
_LATEST = (select(figures.c.indicator, figures.c.period, figures.c.version, figures.c.value,
                  figures.c.status, figures.c.reason, figures.c.commentary, figures.c.actions)
           .where(figures.c.indicator.in_(bindparam("indicators", expanding=True)),
                  figures.c.period.in_(bindparam("periods", expanding=True)))
           .order_by(figures.c.version))


def _record(conn: Connection, submission: Submission, received: Sequence[ReceivedFigure],
            found: Sequence[Problem], now: str) -> RecordResult:
    # One writer at a time, as BEGIN IMMEDIATE gives on SQLite: on PostgreSQL the schema_version row is
    # locked, so two collects cannot both read version 3 and both write version 4 (SQLite ignores FOR UPDATE).
    conn.execute(_WRITE_LOCK)
    existing = _earlier(conn, submission)
    if existing is not None:
        return RecordResult(existing, duplicate=True)
    submission_id = _insert_submission(conn, submission, now)
    if found:
        conn.execute(_INSERT_PROBLEMS, [_problem_row(submission_id, i, p) for i, p in enumerate(found)])
    crash_point("in-transaction")
    if not submission.accepted:  # kept with its problems, so status can say what to fix; no figures
        return RecordResult(submission_id)
    rows, added = _new_versions(conn, received, submission_id, now)
    if rows:
        conn.execute(_INSERT_FIGURES, rows)
    crash_point("before-commit")
    return RecordResult(submission_id, added=tuple(added), unchanged=len(received) - len(added))


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


def _insert_submission(conn: Connection, submission: Submission, now: str) -> int:
    result = conn.execute(_INSERT_SUBMISSION, {
        "file_hash": submission.file_hash, "source": submission.source, "file_name": submission.file_name,
        "received_at": submission.received_at.isoformat(), "service": submission.service,
        "period": submission.period, "accepted": submission.accepted, "recorded_at": now})
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
    """The same content: equal numbers (0.68 and 0.680 are one figure), status, reason and texts."""
    return (a.value == b.value and a.status is b.status and a.reason == b.reason
            and a.commentary == b.commentary and a.actions == b.actions)


def _figure_row(item: ReceivedFigure, version: int, submission_id: int, now: str) -> dict[str, Any]:
    f = item.figure
    return {"indicator": f.indicator, "period": f.period.slug, "version": version,
            "value": value_text(f.value), "status": f.status.value, "reason": f.reason,
            "commentary": f.commentary, "actions": f.actions,
            "target": item.target, "revision_reason": item.revision_reason, "submission_id": submission_id,
            "sheet": item.provenance.sheet, "cell": item.provenance.cell, "recorded_at": now}
