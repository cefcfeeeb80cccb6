"""The store's tables, in SQLAlchemy Core so that SQLite and PostgreSQL run the same schema (docs/store.md).

Rows are only ever inserted: a revised figure is a new version beside the old one, a re-sent file is
recognised by its hash. Figures are kept as text (Decimal's own spelling) so that 0.68 stays 0.68 and
380018 stays 380018 on every database. Times are ISO 8601 text for the same reason.
"""

from __future__ import annotations

import re

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.schema import CreateIndex, CreateTable

from kpixl.errors import StoreError

# 1: the tables. 2: the same tables; from the moment a store has it, each history import's file is archived
# (before, only returns were), so `kpixl check` can tell a history file never archived from one lost since.
# 3: a file is one submission per verdict, not one in all: a return refused for a reason outside it (the
# wrong --period, a register or key not yet right) is recorded when collected again and accepted.
# 4: when a return was sent and, for one that came by email, its message (sender, subject, Message-ID,
# attachment name); the events table, the quarter's log of who did what, only ever added to.
# 5: a figure's two counts (a calculated indicator) and its action owner and due date; the comparator_values
# table, published benchmark values imported from files (docs/insight.md).
# 6: a return recorded while its service's figures for the quarter were signed off is held by that sign-off
# (held_by, the signed-off event's id): kept and checked, not current until a later reopen (docs/review.md).
SCHEMA_VERSION = 6
HISTORY_ARCHIVED = 2
VERDICT_KEY = 3
PROVENANCE = 4
INSIGHT = 5
SIGN_OFF = 6

__all__ = [
    "HISTORY_ARCHIVED",
    "INSIGHT",
    "SCHEMA_VERSION",
    "SIGN_OFF",
    "comparator_values",
    "ensure_schema",
    "events",
    "figures",
    "metadata",
    "problems",
    "schema_version",
    "schema_version_of",
    "submissions",
]


metadata = MetaData()

schema_version = Table(
    "schema_version", metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("applied_at", String(40), nullable=False),
)

submissions = Table(
    "submissions", metadata,
    Column("id", Integer, primary_key=True),
    Column("file_hash", String(64), nullable=False),
    Column("source", String(16), nullable=False),  # "return", "history", "comparators" or "message"
    Column("file_name", Text, nullable=False),
    Column("received_at", String(40), nullable=False),
    Column("service", String(100), nullable=False, default=""),
    Column("period", String(20), nullable=False, default=""),
    Column("accepted", Boolean, nullable=False),
    Column("recorded_at", String(40), nullable=False),
    # Version 4. When the return was sent (a message's Date, else the file's modification time): the order in
    # which returns for one service and quarter follow each other, whatever order they are collected in.
    Column("sent_at", String(40), nullable=False, server_default=""),
    Column("sender", Text, nullable=False, server_default=""),  # a return from a message: its From address
    Column("subject", Text, nullable=False, server_default=""),
    Column("message_id", Text, nullable=False, server_default=""),
    Column("attachment", Text, nullable=False, server_default=""),  # the attachment's name in the message
    # Version 6. The id of the signed-off event in force when the return was recorded (0: none): its figures
    # are not current until a reopened event of its service and period follows that sign-off.
    Column("held_by", Integer, nullable=False, server_default="0"),
    # The same file collected twice with the same verdict is one submission: the second collect finds it and
    # changes nothing. Refused, then accepted (the period or the register put right) is two (version 3).
    UniqueConstraint("file_hash", "source", "accepted", name="uq_submissions_file"),
)
Index("ix_submissions_period_service", submissions.c.period, submissions.c.service)

problems = Table(
    "problems", metadata,
    Column("id", Integer, primary_key=True),
    Column("submission_id", Integer, ForeignKey("submissions.id"), nullable=False),
    Column("position", Integer, nullable=False),  # the order the checks reported them in
    Column("code", String(60), nullable=False),
    Column("severity", String(10), nullable=False),
    Column("file", Text, nullable=False, default=""),
    Column("sheet", Text, nullable=False, default=""),
    Column("cell", String(40), nullable=False, default=""),
    Column("indicator", String(40), nullable=False, default=""),
    Column("message", Text, nullable=False),
    Column("hint", Text, nullable=False, default=""),
)
Index("ix_problems_submission", problems.c.submission_id)

figures = Table(
    "figures", metadata,
    Column("id", Integer, primary_key=True),
    Column("indicator", String(40), nullable=False),
    Column("period", String(20), nullable=False),  # slug: 2023-24-Q2 or 2023-09
    Column("version", Integer, nullable=False),
    Column("value", Text, nullable=True),  # Decimal as text; NULL when no figure could be given
    Column("status", String(20), nullable=False),
    Column("reason", Text, nullable=False, default=""),
    Column("commentary", Text, nullable=False, default=""),
    Column("actions", Text, nullable=False, default=""),
    Column("target", Text, nullable=False, default=""),  # as the workbook showed it
    Column("revision_reason", Text, nullable=False, default=""),
    Column("submission_id", Integer, ForeignKey("submissions.id"), nullable=False),
    Column("sheet", Text, nullable=False, default=""),
    Column("cell", String(40), nullable=False, default=""),
    Column("recorded_at", String(40), nullable=False),
    # Version 5. A calculated indicator's two counts (Decimal text; NULL when none): value holds their rate.
    Column("numerator", Text, nullable=True),
    Column("denominator", Text, nullable=True),
    # Version 5. Who owns the corrective action, and by when (ISO date, "" when none): the exception list's.
    Column("action_owner", Text, nullable=False, server_default=""),
    Column("action_due", String(10), nullable=False, server_default=""),
    # Two collects racing for the same next version: one insert fails and is retried (store/queries.py).
    UniqueConstraint("indicator", "period", "version", name="uq_figures_version"),
)
Index("ix_figures_period", figures.c.period)

# Every step of the quarter as it happened (docs/store.md): rows are only ever added. A non-empty ref is a key
# that makes an event happen at most once (a message about to be sent, say): a second insert of the same kind
# and ref, even by another officer at the same moment, is refused by the index and reported as a duplicate.
events = Table(
    "events", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", String(40), nullable=False),
    Column("actor", Text, nullable=False, server_default=""),  # who: an officer's name, or a lead's address
    Column("kind", String(40), nullable=False),
    Column("period", String(20), nullable=False, server_default=""),
    Column("service", String(100), nullable=False, server_default=""),
    Column("indicator", String(40), nullable=False, server_default=""),
    Column("ref", Text, nullable=False, server_default=""),
    Column("detail", Text, nullable=False, server_default="{}"),  # JSON: what the event says beyond the above
)
Index("ix_events_period_service", events.c.period, events.c.service)
Index("uq_events_kind_ref", events.c.kind, events.c.ref, unique=True,
      sqlite_where=events.c.ref != "", postgresql_where=events.c.ref != "")

# Version 5: published benchmark values, one row per value of an imported file (its submission has source
# "comparators"); only ever added to. A value's indicator is the file's own (a tidy file may name the kpixl
# indicator) or found when read, through the register's Benchmark metric (docs/insight.md).
comparator_values = Table(
    "comparator_values", metadata,
    Column("id", Integer, primary_key=True),
    Column("submission_id", Integer, ForeignKey("submissions.id"), nullable=False),
    Column("line", Integer, nullable=False),  # the file's line the value is on
    Column("source", Text, nullable=False, server_default=""),  # the publisher, as named on import
    Column("metric", String(100), nullable=False, server_default=""),  # the source's metric id
    Column("indicator", String(40), nullable=False, server_default=""),  # a kpixl indicator the file names
    Column("area_code", String(40), nullable=False),
    Column("area_name", Text, nullable=False, server_default=""),
    Column("period", String(20), nullable=False),  # a published period's slug: 2022-23, 2022-23-Q2, 2023-09, 2022
    Column("period_label", Text, nullable=False, server_default=""),  # as the file printed it
    Column("value", Text, nullable=False),  # Decimal as text, as the file gave it
    Column("per_cent", Boolean, nullable=False),  # a percentage is written as a number of per cent (LG Inform)
)
Index("ix_comparator_values_metric", comparator_values.c.metric)
Index("ix_comparator_values_indicator", comparator_values.c.indicator)

_SCHEMA_LOCK = 0x6B70786C  # "kpxl" in ASCII: any constant no other application on the server uses


def schema_version_of(engine: Engine) -> int:
    """The store's schema version; 0 for a store without kpixl's tables (new, or empty). DBAPIError when the
    database cannot be reached at all."""
    with engine.connect() as conn:
        if not inspect(conn).has_table(schema_version.name):
            return 0
        return int(conn.execute(select(func.max(schema_version.c.version))).scalar() or 0)


def _current_version(engine: Engine) -> int:
    return schema_version_of(engine)


def _version_in(conn: Connection) -> int:
    """The schema version as this transaction sees it (0 without kpixl's tables)."""
    if not inspect(conn).has_table(schema_version.name):
        return 0
    return int(conn.execute(select(func.max(schema_version.c.version))).scalar() or 0)


def ensure_schema(engine: Engine, now: str, where: str) -> None:
    """Create what is missing and record the version; safe to run any number of times, even at once.

    Every statement is IF NOT EXISTS and runs in one write transaction, so two processes opening a new
    store together both succeed. Future versions add their steps here, each guarded by the version. A store
    written by a newer kpixl is refused: this kpixl would misread, or write what the newer one forbids.
    """
    current = _current_version(engine)
    if current > SCHEMA_VERSION:
        raise StoreError(f"The store {where} was written by a newer kpixl (its schema version is {current}; this "
                         f"kpixl knows versions up to {SCHEMA_VERSION}). Nothing was read or changed: upgrade "
                         "kpixl on this computer (pip install --upgrade kpixl) and run the command again.")
    if current == SCHEMA_VERSION:
        return
    if 0 < current < VERDICT_KEY and engine.dialect.name == "sqlite":
        _rekey_sqlite(engine)
    with engine.execution_options(kpixl_write=True).begin() as conn:
        if engine.dialect.name == "postgresql":
            # CREATE TABLE IF NOT EXISTS is not safe against itself on PostgreSQL (two creators collide in
            # pg_type): a transaction-scoped advisory lock makes the second opener wait, then find the tables.
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK})
            # The opener that waited finds the work done: it must not run the DDL again, whose CREATE INDEX IF
            # NOT EXISTS still locks each table, and so deadlocks with the first opener's first collect.
            if _version_in(conn) >= SCHEMA_VERSION:
                return
            if 0 < current < VERDICT_KEY:
                _rekey_postgresql(conn)
        if 0 < current < PROVENANCE:
            _add_columns(conn, submissions, _PROVENANCE_COLUMNS)
        if 0 < current < INSIGHT:
            _add_columns(conn, figures, _INSIGHT_COLUMNS)
        if 0 < current < SIGN_OFF:
            _add_columns(conn, submissions, _SIGN_OFF_COLUMNS)
        for table in metadata.sorted_tables:
            conn.execute(CreateTable(table, if_not_exists=True))
            for index in sorted(table.indexes, key=lambda i: str(i.name)):
                conn.execute(CreateIndex(index, if_not_exists=True))
        found = conn.execute(select(func.max(schema_version.c.version))).scalar() or 0
        if found < SCHEMA_VERSION:
            conn.execute(insert(schema_version).values(version=SCHEMA_VERSION, applied_at=now))


# Versions 4, 5 and 6: new columns on submissions and on figures, added to an older store's table (every row
# gets '', 0 for a number, or NULL for a nullable column), only where missing so that two processes upgrading
# at once both succeed.
_PROVENANCE_COLUMNS = ("sent_at", "sender", "subject", "message_id", "attachment")
_INSIGHT_COLUMNS = ("numerator", "denominator", "action_owner", "action_due")  # version 5, on figures
_SIGN_OFF_COLUMNS = ("held_by",)  # version 6, on submissions
_V3_SUBMISSION_COLUMNS = ("id", "file_hash", "source", "file_name", "received_at", "service", "period",
                          "accepted", "recorded_at")


def _add_columns(conn: Connection, table: Table, names: tuple[str, ...]) -> None:
    existing = {c["name"] for c in inspect(conn).get_columns(table.name)}
    for name in names:
        if name not in existing:
            column = table.c[name]
            kind = column.type.compile(dialect=conn.dialect)
            literal = "0" if isinstance(column.type, Integer) else "''"  # held_by: 0, no sign-off held it
            rule = "" if column.nullable else f" NOT NULL DEFAULT {literal}"  # a nullable column: NULL in every row
            conn.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {name} {kind}{rule}"))


# Version 3: the submissions' unique key gains the verdict. Both steps check the key first, so two processes
# opening an older store at once both succeed (the second finds the work done).
_OLD_KEY = re.compile(r"CONSTRAINT uq_submissions_file UNIQUE \(\s*file_hash\s*,\s*source\s*\)")


def _rekey_postgresql(conn: Connection) -> None:
    columns = conn.execute(text(
        "SELECT array_agg(a.attname::text ORDER BY a.attname) FROM pg_constraint c JOIN pg_attribute a "
        "ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey) WHERE c.conname = 'uq_submissions_file'")).scalar()
    if columns and "accepted" not in columns:
        conn.execute(text("ALTER TABLE submissions DROP CONSTRAINT uq_submissions_file, "
                          "ADD CONSTRAINT uq_submissions_file UNIQUE (file_hash, source, accepted)"))


def _rekey_sqlite(engine: Engine) -> None:
    """SQLite cannot change a table's constraint: the table is rebuilt with the new one, its rows and ids kept
    (SQLite's documented way). Foreign keys are off for the rebuild, which must be outside a transaction, so
    this uses the driver's connection; one BEGIN IMMEDIATE holds the write lock throughout, and the keys are
    checked before the commit."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA foreign_keys = OFF")
        cursor.execute("BEGIN IMMEDIATE")
        try:
            found = cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'submissions'"
                                   ).fetchone()
            if found and _OLD_KEY.search(found[0]):
                create = str(CreateTable(submissions).compile(engine)).strip()
                cursor.execute(create.replace("CREATE TABLE submissions ", "CREATE TABLE submissions_rekeyed ", 1))
                # The columns a version-3 store has; those added since take their defaults (and version 4's step
                # adds them to the rebuilt table's definition only if they are missing).
                columns = ", ".join(_V3_SUBMISSION_COLUMNS)
                cursor.execute(f"INSERT INTO submissions_rekeyed ({columns}) SELECT {columns} FROM submissions")
                cursor.execute("DROP TABLE submissions")
                cursor.execute("ALTER TABLE submissions_rekeyed RENAME TO submissions")
                for index in submissions.indexes:
                    cursor.execute(str(CreateIndex(index).compile(engine)))
                if cursor.execute("PRAGMA foreign_key_check").fetchall():
                    raise RuntimeError("the store's figures and problems no longer match its submissions")
            cursor.execute("COMMIT")
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        finally:
            cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        raw.close()
