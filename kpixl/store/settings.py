"""What the store's modules share without importing SQLAlchemy: the schema version this kpixl writes (and the
one from which history files are archived), how long SQLite waits for another writer, and where a
workspace's store is."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

__all__ = ["BUSY_TIMEOUT_SECONDS", "HISTORY_ARCHIVED", "SCHEMA_VERSION", "VERDICT_KEY", "sqlite_file", "store_url"]

# 1: the tables. 2: the same tables; from the moment a store has it, each history import's file is archived
# (before, only returns were), so `kpixl check` can tell a history file never archived from one lost since.
# 3: a file is one submission per verdict, not one in all: a return refused for a reason outside it (the
# wrong --period, a register or key not yet right) is recorded when collected again and accepted.
SCHEMA_VERSION = 3
HISTORY_ARCHIVED = 2
VERDICT_KEY = 3
BUSY_TIMEOUT_SECONDS = 30  # a collect of a whole quarter takes well under a second; 30 s is a stuck process

_SQLITE = "sqlite:///"


def store_url(root: Path, setting: str) -> str:
    """The store kpixl.toml's [paths] store names: a URL as given, or a file in the workspace."""
    if "://" in setting:
        return setting
    return f"{_SQLITE}{(root / setting).resolve()}"


def sqlite_file(url: str) -> Path | None:
    """The file of a plain sqlite:///path URL; None for a server, an in-memory store or a URL with options."""
    if not url.startswith(_SQLITE) or "?" in url:
        return None
    path = unquote(url[len(_SQLITE):])
    return Path(path) if path and path != ":memory:" else None
