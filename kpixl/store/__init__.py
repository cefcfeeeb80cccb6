"""The store: every received file and every version of every figure, never overwritten (docs/store.md).

The only part of kpixl that talks to the database. A SQLite file in the workspace by default
(kpixl.toml [paths] store = "kpixl.sqlite"), or a shared server by URL (store = "postgresql://host/kpixl").

    store = open_store(workspace)
    result = store.record(submission, figures, problems)   # one transaction; the same file again: no change
    store.current_figures()[("37", "2023-24-Q2")]           # the latest version

The Store (kpixl.store.core) is SQLAlchemy's; importing it costs a command 0.15 to 0.2 s. So the names below
load it on first use, and kpixl.store.current reads the current figures of a SQLite store without it: a
report or a set of workbooks never needs SQLAlchemy at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .settings import HISTORY_ARCHIVED, SCHEMA_VERSION

if TYPE_CHECKING:
    from .core import Store, open_store
    from .records import FigureKey, RecordResult, StoredFigure, SubmissionRecord

__all__ = [
    "HISTORY_ARCHIVED",
    "SCHEMA_VERSION",
    "FigureKey",
    "RecordResult",
    "Store",
    "StoredFigure",
    "SubmissionRecord",
    "open_store",
]

_FROM_CORE = frozenset(__all__) - {"HISTORY_ARCHIVED", "SCHEMA_VERSION"}


def __getattr__(name: str) -> Any:
    if name in _FROM_CORE:
        from . import core, records

        return getattr(core if name in core.__all__ else records, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
