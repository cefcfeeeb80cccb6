"""The workspace's archive of original files (docs/store.md): every file kpixl records, a return collected
or a history file imported, is kept here under its SHA-256 before it is recorded, so every stored figure
can be traced to the bytes it came from, and `kpixl check` (kpixl/integrity.py) can hash them again.

    archive_bytes(workspace, data, sha256, ext)   keep the bytes: atomic and durable, a no-op when kept
    archive_name(sha256, ext)                     <sha256>.xlsx, or <sha256>.<kind>.bin
    partial_hash(sha256)                          what a history import of part of a file is recorded under

Archive first, record second: a crash between the two leaves an archived file the store does not know yet
(ARCHIVE_ORPHAN), never a recorded file that is not kept; doing the same again records it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from .crashpoint import crash_point
from .workspace import Workspace

__all__ = ["ARCHIVE", "READABLE", "archive_bytes", "archive_name", "partial_hash"]

ARCHIVE = "archive"
READABLE = "xlsx"  # the one kind of file kept under its own extension


def archive_name(sha256: str, ext: str) -> str:
    """<sha256>.xlsx for a workbook kpixl reads; <sha256>.<kind>.bin for anything else. A macro workbook, a
    web page or a zip bomb kept as evidence must stay inert: no program opens a .bin on a double click."""
    return f"{sha256}.{ext}" if ext == READABLE else f"{sha256}.{ext}.bin".replace(".bin.bin", ".bin")


def archive_bytes(workspace: Workspace, data: bytes, sha256: str, ext: str) -> Path:
    """Keep the original bytes under their hash; atomic, and a no-op when they are already kept whole (a
    kept file whose bytes were damaged since is written again: collecting or importing the original repairs
    it)."""
    folder = workspace.path(ARCHIVE)
    folder.mkdir(exist_ok=True)
    target = folder / archive_name(sha256, ext)
    if target.is_file() and target.stat().st_size == len(data) and target.read_bytes() == data:
        return target
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{sha256[:16]}.", suffix=".partial")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        crash_point("archive-written")
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_folder(folder)
    return target


def _sync_folder(folder: Path) -> None:
    """Make the rename durable before the store records the file: on POSIX a new name lives in its folder,
    which a power cut could otherwise lose after the file's own bytes were synced. Windows has no such call
    (and keeps names durable itself)."""
    if os.name != "posix":
        return
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def partial_hash(sha256: str) -> str:
    """The hash a history import of part of a file (a quarter left out) is recorded under: another
    submission than the whole file's, whose own file is the one archived under sha256."""
    return hashlib.sha256(f"{sha256} in part".encode()).hexdigest()
