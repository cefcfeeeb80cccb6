"""The store: every received file and every version of every figure, never overwritten (docs/store.md).

The only part of kpixl that talks to the database (through SQLAlchemy). A SQLite file in the workspace by
default (kpixl.toml [paths] store = "kpixl.sqlite"), or a shared server by URL
(store = "postgresql+psycopg://host/kpixl").

    store = open_store(url)
    result = store.record(submission, figures, problems)   # one transaction; the same file again: no change
    store.current_figures()[("37", "2023-24-Q2")]           # the latest version
"""

from kpixl.store.benchmarks import ComparatorRecord, StoredComparator
from kpixl.store.core import BUSY_TIMEOUT_SECONDS, Store, open_store
from kpixl.store.queries import (
    PARTLY_ACCEPTED,
    Event,
    FigureKey,
    Partly,
    RecordResult,
    StoredFigure,
    SubmissionRecord,
    UnreadableRow,
)
from kpixl.store.schema import HISTORY_ARCHIVED, INSIGHT, SCHEMA_VERSION

__all__ = [
    "BUSY_TIMEOUT_SECONDS",
    "HISTORY_ARCHIVED",
    "INSIGHT",
    "PARTLY_ACCEPTED",
    "SCHEMA_VERSION",
    "ComparatorRecord",
    "Event",
    "FigureKey",
    "Partly",
    "RecordResult",
    "Store",
    "StoredComparator",
    "StoredFigure",
    "SubmissionRecord",
    "UnreadableRow",
    "open_store",
]
