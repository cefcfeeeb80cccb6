"""Reading the store back as domain records: current figures, every version, submissions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, exists, func, select

from kpixl.domain import Figure, FigureStatus, parse_period
from kpixl.domain.figures import Provenance
from kpixl.problems import Problem, Severity
from kpixl.store.records import StoredFigure, SubmissionRecord
from kpixl.store.schema import figures, problems, schema_version, submissions

__all__ = ["current_figures", "figure_from_row", "figure_from_values", "first_applied", "stored_figures", "submission_records"]

DbRow = Any  # a result row; its columns are read by name (row.indicator), which the typing cannot follow


def figure_from_values(indicator: str, period: str, value: str | None, status: str, reason: str,
                       commentary: str, actions: str) -> Figure:
    """A figure as the store keeps it: the value in Decimal's own spelling, the status by its name."""
    return Figure(indicator, parse_period(period), None if value is None else Decimal(value),
                  FigureStatus(status), reason, commentary, actions)


def figure_from_row(row: DbRow) -> Figure:
    return figure_from_values(row.indicator, row.period, row.value, row.status, row.reason, row.commentary,
                              row.actions)


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def current_figures(conn: Connection, indicators: Collection[str] | None = None) -> dict[tuple[str, str], Figure]:
    """The latest version of every figure (of the indicators named), keyed by (indicator, period slug)."""
    newer = figures.alias("newer")
    # A figure is current when no newer version of it exists: one pass over the figures, each probing the
    # (indicator, period, version) index, where joining a grouped maximum read the table twice (6,734
    # figures: 0.038 s -> 0.025 s in SQLite).
    query = (select(figures.c.indicator, figures.c.period, figures.c.value, figures.c.status, figures.c.reason,
                    figures.c.commentary, figures.c.actions)
             .where(~exists().where(newer.c.indicator == figures.c.indicator, newer.c.period == figures.c.period,
                                    newer.c.version > figures.c.version)))
    if indicators is not None:
        query = query.where(figures.c.indicator.in_(list(indicators)))
    # Only the columns a Figure holds, fetched at once and unpacked by position.
    return {(row[0], row[1]): figure_from_values(*row) for row in conn.execute(query).all()}


def stored_figures(conn: Connection, indicator: str | None = None,
                   periods: Collection[str] | None = None) -> list[StoredFigure]:
    """Every version (of one indicator, or in some periods), oldest period first, then by version."""
    sub = submissions.alias("s")
    labelled = [c.label(f"s_{c.name}") for c in sub.c]  # the submission's columns, apart from the figure's
    query = select(figures, *labelled).join(sub, sub.c.id == figures.c.submission_id)
    if indicator is not None:
        query = query.where(figures.c.indicator == indicator)
    if periods is not None:
        query = query.where(figures.c.period.in_(list(periods)))
    rows = list(conn.execute(query))
    latest: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (row.indicator, row.period)
        latest[key] = max(latest.get(key, 0), row.version)
    stored = [_stored(row, latest[(row.indicator, row.period)] == row.version) for row in rows]
    return sorted(stored, key=lambda s: (s.figure.indicator, s.figure.period.start_date,
                                         s.figure.period.kind, s.version))


def _stored(row: DbRow, current: bool) -> StoredFigure:
    m = row._mapping
    submission = SubmissionRecord(m["s_id"], m["s_file_hash"], m["s_file_name"], _time(m["s_received_at"]),
                                  m["s_service"], m["s_period"], bool(m["s_accepted"]), m["s_source"],
                                  _time(m["s_recorded_at"]))
    provenance = Provenance(submission.file_hash, submission.file_name, row.sheet, row.cell)
    return StoredFigure(figure_from_row(row), row.version, provenance, submission, row.target,
                        row.revision_reason, _time(row.recorded_at), current)


def submission_records(conn: Connection, period: str | None = None) -> list[SubmissionRecord]:
    """Every received file (of one period), in the order it was recorded, with its problems."""
    query = select(submissions).order_by(submissions.c.id)
    if period is not None:
        query = query.where(submissions.c.period == period)
    rows = list(conn.execute(query))
    found = _problems_of(conn, [r.id for r in rows])
    return [SubmissionRecord(r.id, r.file_hash, r.file_name, _time(r.received_at), r.service, r.period,
                             bool(r.accepted), r.source, _time(r.recorded_at), tuple(found.get(r.id, ())))
            for r in rows]


def _problems_of(conn: Connection, ids: list[int]) -> dict[int, list[Problem]]:
    found: dict[int, list[Problem]] = defaultdict(list)
    if not ids:
        return found
    query = (select(problems).where(problems.c.submission_id.in_(ids))
             .order_by(problems.c.submission_id, problems.c.position))
    for r in conn.execute(query):
        problem = Problem(r.code, Severity(r.severity), r.message, r.hint, r.file, r.sheet, r.cell,
                          r.indicator)
        found[r.submission_id].append(problem)
    return found


def first_applied(conn: Connection, version: int) -> datetime | None:
    """When the store first had this schema version or a later one (a store created at a later version
    records only that one); None for a store still at an earlier version."""
    found = conn.execute(select(func.min(schema_version.c.applied_at))
                         .where(schema_version.c.version >= version)).scalar()
    return None if found is None else _time(found)
