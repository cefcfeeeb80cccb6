"""The store: every received file and every version of every figure, never overwritten (docs/store.md).

The only part of kpixl that talks to the database (through SQLAlchemy). A SQLite file in the workspace by
default (kpixl.toml [paths] store = "kpixl.sqlite"), or a shared server by URL
(store = "postgresql+psycopg://host/kpixl").

    store = open_store(url)
    result = store.record(submission, figures, problems)   # one transaction; the same file again: no change
    store.current_figures()[("37", "2023-24-Q2")]           # the latest version
"""

from kpixl.store.core import BUSY_TIMEOUT_SECONDS, Store, open_store
from kpixl.store.queries import Event, FigureKey, RecordResult, StoredFigure, SubmissionRecord, UnreadableRow
from kpixl.store.schema import HISTORY_ARCHIVED, SCHEMA_VERSION

__all__ = [
    "BUSY_TIMEOUT_SECONDS",
    "HISTORY_ARCHIVED",
    "SCHEMA_VERSION",
    "Event",
    "FigureKey",
    "RecordResult",
    "Store",
    "StoredFigure",
    "SubmissionRecord",
    "UnreadableRow",
    "open_store",
]
