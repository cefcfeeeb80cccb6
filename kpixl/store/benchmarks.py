"""Published benchmark values (schema version 5, docs/insight.md): the statements for comparator files.

An imported file is a submission (source "comparators", its SHA-256 and name) and each of its values a row of
comparator_values, written in one transaction that only inserts. The same file again is a duplicate and
changes nothing (the submissions' own rule, store/queries.py); values of a later file stand beside the
earlier ones, and the reader takes the latest import of each area and period.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, insert, or_, select
from sqlalchemy.exc import IntegrityError

from kpixl.crashpoint import crash_point
from kpixl.domain.comparators import PublishedValue, parse_benchmark_period
from kpixl.domain.figures import Submission
from kpixl.errors import StoreError
from kpixl.problems import count
from kpixl.store.queries import ATTEMPTS, WRITE_LOCK, _earlier, _insert_submission
from kpixl.store.schema import comparator_values, submissions

__all__ = ["SOURCE", "ComparatorRecord", "StoredComparator", "comparators_of", "record_comparators"]

SOURCE = "comparators"  # the submissions' source of an imported comparator file


@dataclass(frozen=True)
class ComparatorRecord:
    submission_id: int
    duplicate: bool = False  # this file was imported before: nothing changed
    values: int = 0  # values stored

    @property
    def summary(self) -> str:
        return "already imported: nothing changed" if self.duplicate else f"{count(self.values, 'value')} stored"


@dataclass(frozen=True)
class StoredComparator:
    """A published value as stored, with the file it came from."""

    value: PublishedValue
    submission_id: int
    file_name: str
    file_hash: str
    imported_at: datetime


def record_comparators(engine: Engine, submission: Submission, values: Sequence[PublishedValue],
                       now: str) -> ComparatorRecord:
    """Store a comparator file's submission and values, all or nothing; the same file again: a duplicate."""
    for attempt in range(ATTEMPTS):
        try:
            with engine.execution_options(kpixl_write=True).begin() as conn:
                return _record(conn, submission, values, now)
        except IntegrityError as exc:
            if attempt == ATTEMPTS - 1:
                why = str(exc.orig).strip().rstrip(".")
                raise StoreError(f"{submission.file_name} could not be stored: {why}. Nothing was changed; "
                                 "run the command again.") from None
    raise AssertionError("unreachable")  # pragma: no cover


def _record(conn: Connection, submission: Submission, values: Sequence[PublishedValue],
            now: str) -> ComparatorRecord:
    conn.execute(WRITE_LOCK)  # one writer at a time, as a return's record takes it
    existing = _earlier(conn, submission)
    if existing is not None:
        return ComparatorRecord(existing, duplicate=True)
    submission_id = _insert_submission(conn, submission, now)
    if values:
        conn.execute(insert(comparator_values), [_row(submission_id, v) for v in values])
    crash_point("before-commit")
    return ComparatorRecord(submission_id, values=len(values))


def _row(submission_id: int, v: PublishedValue) -> dict[str, Any]:
    return {"submission_id": submission_id, "line": v.line, "source": v.source, "metric": v.metric,
            "indicator": v.indicator, "area_code": v.area_code, "area_name": v.area_name, "period": v.period.slug,
            "period_label": v.period.label, "value": str(v.value), "per_cent": v.per_cent}


def comparators_of(conn: Connection, indicators: Collection[str] | None = None,
                   metrics: Collection[str] | None = None) -> list[StoredComparator]:
    """Every stored value named for the indicators or the metrics given (both None: every value), in the
    order imported (then by line), so that a later import of the same area and period comes later."""
    query = (select(comparator_values, submissions.c.file_name, submissions.c.file_hash,
                    submissions.c.recorded_at)
             .join(submissions, submissions.c.id == comparator_values.c.submission_id)
             .order_by(comparator_values.c.submission_id, comparator_values.c.line, comparator_values.c.id))
    if indicators is not None or metrics is not None:
        query = query.where(or_(comparator_values.c.indicator.in_(list(indicators or ())),
                                comparator_values.c.metric.in_([m for m in metrics or () if m])))
    return [_stored(row) for row in conn.execute(query)]


def _stored(row: Any) -> StoredComparator:
    value = PublishedValue(row.line, row.metric, row.indicator, row.area_code, row.area_name,
                           parse_benchmark_period(row.period), Decimal(row.value), bool(row.per_cent), row.source)
    return StoredComparator(value, row.submission_id, row.file_name, row.file_hash,
                            datetime.fromisoformat(row.recorded_at))
