"""Connecting to the store: a SQLite file in the workspace by default, or any SQLAlchemy URL.

SQLite is set up for several kpixl processes at once (two officers collecting into one workspace):
WAL lets readers carry on while one process writes, the busy timeout makes a writer wait for the other
instead of failing, and a write transaction starts with BEGIN IMMEDIATE so that it takes the write lock
before it reads the next version number (a deferred transaction could read, then fail to upgrade).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from ..errors import StoreError
from .settings import BUSY_TIMEOUT_SECONDS, store_url

__all__ = ["BUSY_TIMEOUT_SECONDS", "make_engine", "store_url"]



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
