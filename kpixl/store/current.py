"""The current figures of a workspace's store, read the quickest way there is.

A SQLite store in its usual state (the file there, the schema this kpixl writes) is read with the standard
library's sqlite3, by the same query as the Store's (reading.current_figures): no SQLAlchemy to import (0.15
to 0.2 s of a command's start) and no engine to build. Anything else (a server, no file yet, another schema
version, a file that is locked, damaged or not a database) goes through the Store, which creates, checks and
explains. Both return the same figures: tests/test_store_properties.py compares them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..domain import Figure, FigureStatus, Period, parse_period
from .settings import BUSY_TIMEOUT_SECONDS, SCHEMA_VERSION, sqlite_file, store_url

if TYPE_CHECKING:
    from ..workspace import Workspace

__all__ = ["current_figures", "figure_from_values"]

# The latest version of each figure: one whose key has no newer version.
LATEST = """
select f.indicator, f.period, f.value, f.status, f.reason, f.commentary, f.actions from figures f
where not exists (select 1 from figures n where n.indicator = f.indicator and n.period = f.period
                  and n.version > f.version)
"""
_MAX_PARAMETERS = 900  # indicators named in one query; more are filtered here instead (SQLite's old limit: 999)
_STATUS = {status.value: status for status in FigureStatus}


@lru_cache(maxsize=4096)
def _period(slug: str) -> Period:
    return parse_period(slug)


def figure_from_values(indicator: str, period: str, value: str | None, status: str, reason: str,
                       commentary: str, actions: str) -> Figure:
    """A figure as the store keeps it: the value in Decimal's own spelling, the status by its name."""
    return Figure(indicator, _period(period), None if value is None else Decimal(value),
                  _STATUS.get(status) or FigureStatus(status), reason, commentary, actions)


def current_figures(workspace: Workspace, indicators: Collection[str] | None = None,
                    ) -> dict[tuple[str, str], Figure]:
    """The latest version of every figure (of the indicators named), keyed by (indicator, period slug)."""
    path = sqlite_file(store_url(workspace.root, workspace.config.store))
    if path is not None and path.is_file():
        found = _read_sqlite(path, indicators)
        if found is not None:
            return found
    from .core import open_store

    with open_store(workspace) as store:
        return store.current_figures(indicators)


def _read_sqlite(path: Path, indicators: Collection[str] | None) -> dict[tuple[str, str], Figure] | None:
    """The figures, or None when the Store should read them (see the module's note)."""
    wanted = None if indicators is None else set(indicators)
    query, parameters = LATEST, []
    if wanted is not None and len(wanted) <= _MAX_PARAMETERS:
        parameters = sorted(wanted)
        query += f" and f.indicator in ({', '.join('?' * len(parameters))})"
    try:
        # mode=rw: never creates a file; a reader of a WAL store may need to create its -shm beside it.
        connection = sqlite3.connect(f"{path.as_uri()}?mode=rw", uri=True, timeout=BUSY_TIMEOUT_SECONDS)
    except sqlite3.Error:
        return None
    try:
        version = connection.execute("select max(version) from schema_version").fetchone()[0]
        if version != SCHEMA_VERSION:
            return None
        rows = connection.execute(query, parameters).fetchall()
    except sqlite3.Error:
        return None
    finally:
        connection.close()
    return {(row[0], row[1]): figure_from_values(*row) for row in rows if wanted is None or row[0] in wanted}
