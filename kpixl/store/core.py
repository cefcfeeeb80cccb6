"""The Store: a connection to the store through SQLAlchemy, for every read and every write (kpixl.store
says what the store is; this is its machinery).

SQLite is set up for several kpixl processes at once (two officers collecting into one workspace):
WAL lets readers carry on while one process writes, the busy timeout makes a writer wait for the other
instead of failing, and a write transaction starts with BEGIN IMMEDIATE so that it takes the write lock
before it reads the next version number (a deferred transaction could read, then fail to upgrade).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Self

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError

from kpixl.domain import Figure
from kpixl.domain.comparators import PublishedValue
from kpixl.domain.figures import ReceivedFigure, Submission
from kpixl.errors import StoreError
from kpixl.problems import Problem
from kpixl.store import benchmarks, queries
from kpixl.store.benchmarks import ComparatorRecord, StoredComparator
from kpixl.store.queries import PARTLY_ACCEPTED, Event, Partly, RecordResult, StoredFigure, SubmissionRecord
from kpixl.store.schema import ensure_schema, schema_version_of

__all__ = ["BUSY_TIMEOUT_SECONDS", "Store", "open_store"]

BUSY_TIMEOUT_SECONDS = 30  # a collect of a whole quarter takes well under a second; 30 s is a stuck process


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


class Store:
    """A connection to the store. Safe to use from one thread; open one per thread or process."""

    def __init__(self, url: str, missing: str = "", actor: str = "") -> None:
        """missing: when given, a store without kpixl's tables is not created but refused with this message
        (the workspace's files say a store should be there: docs/store.md, "A store kpixl will not create").
        actor: who the events this store logs as it records a file are by (docs/review.md)."""
        self.url = url
        self.actor = actor
        self._engine: Engine = make_engine(url)
        with self._guard("opened"):
            if missing and schema_version_of(self._engine) == 0:
                self._engine.dispose()
                raise StoreError(missing)
            ensure_schema(self._engine, _now(), self.where)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._engine.dispose()

    @property
    def where(self) -> str:
        """The store as a message names it: the file, or the URL without its password."""
        url = make_url(self.url)
        if url.get_backend_name() == "sqlite":
            return url.database or ""
        return url.render_as_string(hide_password=True)

    @contextmanager
    def _guard(self, doing: str) -> Iterator[None]:
        """Database failures become a StoreError saying what happened and what to do about it (failure())."""
        try:
            yield
        except DBAPIError as exc:
            raise StoreError(failure(self.where, doing, exc.orig)) from None

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._guard("read"), self._engine.begin() as conn:  # one snapshot for the whole read
            yield conn

    # Writing: inserts only, one transaction.

    def record(self, submission: Submission, figures: Sequence[ReceivedFigure],
               problems: Sequence[Problem] = (), partly: Partly | None = None) -> RecordResult:
        """Keep a received file, its problems and, if accepted, each changed figure as a new version, with the
        events that say so (a return received, accepted or refused, held by a sign-off; its queries). With
        partly (a refused file whose valid rows the officer accepts), the figures given are stored from it
        too, with a return-partly-accepted event naming the rows taken and left."""
        with self._guard("written"):
            return queries.record(self._engine, submission, figures, problems, _now(), partly, self.actor)

    def record_comparators(self, submission: Submission, values: Sequence[PublishedValue]) -> ComparatorRecord:
        """Keep an imported comparator file (source "comparators") and its values; the same file again
        changes nothing (docs/insight.md)."""
        with self._guard("written"):
            return benchmarks.record_comparators(self._engine, submission, values, _now())

    def add_event(self, kind: str, *, actor: str = "", period: str = "", service: str = "", indicator: str = "",
                  ref: str = "", detail: dict[str, Any] | None = None, at: datetime | None = None) -> int | None:
        """Log one step of the quarter (one transaction); its id, or None when ref makes it a duplicate: an event
        of this kind with this ref happened already (a message about to be sent, say), even at the same
        moment from another officer's computer. at: when it happened, for a decision logged again from the
        journal by a rebuild (kpixl.steps.journal); else now."""
        with self._guard("written"):
            try:
                with self._engine.execution_options(kpixl_write=True).begin() as conn:
                    conn.execute(queries.WRITE_LOCK)  # one writer at a time, so the check below holds
                    when = _now() if at is None else at.astimezone(UTC).isoformat(timespec="microseconds")
                    return queries.add_event(conn, kind, when, actor, period, service, indicator, ref,
                                             detail or {})
            except IntegrityError:  # the unique index, should two writers still race: the second is the duplicate
                return None

    # Reading.

    def events(self, period: str | None = None, service: str | None = None,
               kinds: Collection[str] | None = None) -> list[Event]:
        """The events logged (of a period, a service, some kinds), in the order they were logged."""
        with self._read() as conn:
            return queries.events_of(conn, period, service, kinds)

    def partly_accepted(self, period: str | None = None) -> dict[int, Event]:
        """The refused returns (of a quarter) whose valid rows were accepted, by submission id."""
        found = self.events(period, kinds=[PARTLY_ACCEPTED])
        return {int(e.ref): e for e in found if e.ref.isascii() and e.ref.isdigit()}

    def current_figures(self, indicators: Collection[str] | None = None) -> dict[tuple[str, str], Figure]:
        """The latest version of every figure (of the indicators named), keyed by (indicator, period slug)."""
        with self._read() as conn:
            return queries.current_figures(conn, indicators)

    def history(self, indicator: str) -> list[StoredFigure]:
        """Every version of an indicator's figures with their provenance, oldest period first."""
        with self._read() as conn:
            return queries.stored_figures(conn, indicator=indicator)

    def figures(self, periods: Collection[str] | None = None,
                unreadable_rows: list[queries.UnreadableRow] | None = None) -> list[StoredFigure]:
        """Every version of every figure (in the given period slugs), by indicator, period and version; with
        unreadable_rows given, the rows that cannot be read (changed by hand) are put there (kpixl check)."""
        with self._read() as conn:
            return queries.stored_figures(conn, periods=periods, unreadable_rows=unreadable_rows)

    def comparators(self, indicators: Collection[str] | None = None,
                    metrics: Collection[str] | None = None) -> list[StoredComparator]:
        """Published values named for the indicators or metrics given (None and None: all), oldest import
        first."""
        with self._read() as conn:
            return benchmarks.comparators_of(conn, indicators, metrics)

    def submissions(self, period: str | None = None) -> list[SubmissionRecord]:
        """Every received file (for a quarter slug), in the order recorded, with its problems."""
        with self._read() as conn:
            return queries.submission_records(conn, period)

    def first_applied(self, version: int) -> datetime | None:
        """When this store first had the schema version (or a later one): what it recorded before followed
        the rules of an earlier kpixl. None if it has not got it (opening a store brings it up to date)."""
        with self._read() as conn:
            return queries.first_applied(conn, version)

    def latest_submission_by_service(self, period: str) -> dict[str, SubmissionRecord]:
        """Each service's latest-sent return for the quarter (history imports are not returns); at the same
        moment, the one recorded later."""
        latest: dict[str, SubmissionRecord] = {}
        for record in sorted(self.submissions(period), key=lambda r: r.order):
            if record.source == "return" and record.service:
                latest[record.service] = record
        return latest

    def latest_accepted_by_service(self, period: str) -> dict[str, SubmissionRecord]:
        """Each service's latest-sent accepted return for the quarter that is not held by a sign-off: the one
        whose figures are current."""
        latest: dict[str, SubmissionRecord] = {}
        for record in sorted(self.submissions(period), key=lambda r: r.order):
            if record.source == "return" and record.service and record.accepted and not record.held:
                latest[record.service] = record
        return latest

    def superseded(self, period: str) -> dict[int, SubmissionRecord]:
        """Each refused return of the quarter that a later-sent accepted return of its service replaced, by its
        id, with the return that replaced it: nothing is left to correct in it."""
        records = [r for r in self.submissions(period) if r.source == "return" and r.service]
        replaced: dict[int, SubmissionRecord] = {}
        for refused in (r for r in records if not r.accepted):
            later = [r for r in records if r.accepted and r.service == refused.service and r.order > refused.order]
            if later:
                replaced[refused.id] = max(later, key=lambda r: r.order)
        return replaced

    def outstanding_problems(self, period: str) -> dict[str, tuple[Problem, ...]]:
        """Per service, the errors of its latest return for the quarter: what the lead still has to fix."""
        latest = self.latest_submission_by_service(period)
        return {service: record.errors for service, record in latest.items() if record.errors}


def open_store(url: str, missing: str = "", actor: str = "") -> Store:
    """The store at url (a SQLAlchemy URL), created on first use unless missing gives the message refusing a
    store without kpixl's tables; StoreError when it cannot be opened. actor: who its events are by."""
    return Store(url, missing, actor)


# What a database failure means for the officer: one advice each, told apart by the driver's message
# (SQLite's and PostgreSQL's own words; the error classes do not tell them apart).
_FAILURES = (
    (("database is locked", "could not obtain lock", "lock timeout", "deadlock detected"),
     ("it is locked by another kpixl command (another officer's collect, say), which held it for over "
     f"{BUSY_TIMEOUT_SECONDS} s. Wait for that command to finish and run this one again")),
    (("readonly database", "read-only", "permission denied for"),
     ("you may read it but not change it. Ask for write access to the workspace folder and the store file "
     "(or, on PostgreSQL, to the database), or run the command as a user who has it")),
    (("password authentication failed", "no password supplied", "authentication failed", "role \"",
      "pg_hba.conf"),
     ("the database server refused the login. Check the user and password: put the password in the "
     "environment variable PGPASSWORD, or in the URL of [paths] store in kpixl.toml "
     "(postgresql+psycopg://user:password@host/kpixl)")),
    (("no such table", "no such column", "relation \"", "column \""),
     ("its tables are not those kpixl made: it was changed outside kpixl. Restore it from a backup, or move it "
      "aside and rebuild it from the archive with 'kpixl check --rebuild'")),
    (("connection refused", "could not connect", "could not translate host name", "timeout expired",
      "name or service not known", "no route to host", "connection timed out", "server closed the connection",
      "network is unreachable", "does not exist"),
     ("the database server cannot be reached. Check the host, port and database name of [paths] store in "
     "kpixl.toml, that the server is running, and this computer's network connection")),
    (("database or disk is full", "no space left", "disk full", "could not extend file"),
     "the disk is full. Free some space and run the command again"),
    (("unable to open database file",),
     "its file cannot be opened. Check that its folder exists and that you may read and write in it"),
    (("malformed", "file is not a database", "not a database", "disk i/o error"),
     ("its file is damaged. Restore it from a backup, or move it aside and rebuild it from the archive with "
     "'kpixl check --rebuild'")),
)


def failure(where: str, doing: str, cause: object) -> str:
    """The message for a database failure while the store was being opened, read or written."""
    words = " ".join(str(cause).split())
    lowered = words.lower()
    advice = next((text for needles, text in _FAILURES if any(n in lowered for n in needles)),
                  "Nothing was changed. Run the command again; if it fails again, run 'kpixl check'")
    return f"The store {where} could not be {doing}: {advice}. (The database said: {words[:200]})"


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling is off: kpixl emits BEGIN itself (below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get("kpixl_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def make_engine(url: str) -> Engine:
    """An engine for the URL; StoreError when the URL cannot be used at all."""
    try:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            engine = create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT_SECONDS})
            _sqlite_setup(engine)
            return engine
        return create_engine(parsed, pool_pre_ping=True)
    except (ArgumentError, ImportError) as exc:
        raise StoreError(f"The store '{_safe(url)}' cannot be used: {exc}. Check [paths] store in "
                         "kpixl.toml (a file name, or a URL such as postgresql://host/kpixl with its driver "
                         "installed).") from None


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url
