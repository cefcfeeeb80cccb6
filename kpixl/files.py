"""How kpixl writes files: atomically, durably, under names that stay inside their folder.

    write_atomic(path, data)              a temporary file beside path, synced, then renamed over it: a
                                          crash or a full disk leaves the old file or the new, never half
    keep(folder, name, data)              the archive's write: the same, and a no-op when already kept
    read_json(path, what) / write_json(path, data)
    slug("Trading Standards / Fire")      -> "trading-standards-fire"
    safe_stem("csmi") -> "csmi";  safe_stem("../../etc") -> "etc-<6 hex of its hash>"
    safe_child(folder, name)              -> folder/name, or OutputError if it would land elsewhere
    archive_name(sha256, ext)             <sha256>.xlsx, or <sha256>.<kind>.bin

Every file kpixl writes goes through write_atomic. Standard library only, so every layer can use it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

from kpixl.crashpoint import crash_point
from kpixl.errors import OutputError

__all__ = ["PART_MAX", "READABLE", "archive_name", "keep", "partial_hash", "read_json", "safe_child",
           "safe_stem", "slug", "write_atomic", "write_json"]

PARTIAL = ".partial"  # the suffix of write_atomic's temporary files: .<name prefix>.<random>.partial
READABLE = "xlsx"  # the one kind of file the archive keeps under its own extension


def write_atomic(path: Path, data: bytes) -> None:
    """Write data at path so that path holds either its old content or all of data, whatever happens: a
    temporary file in the same folder, flushed to disk, then renamed over path, then the folder synced
    (the new name lives in the folder). OutputError, naming the file, when it cannot be written; the
    temporary file is removed. The folder must exist: a mistyped one is the caller's to report, not to make."""
    folder = path.parent
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name[:16]}.", suffix=PARTIAL)
    except OSError as exc:
        raise OutputError(f"Cannot write {path}: {exc.strerror or exc}. Check the folder exists and you may "
                          "write in it.") from None
    try:
        os.chmod(temporary, 0o666 & ~_UMASK)  # as open() would have made it: mkstemp's files are private
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        crash_point("file-written")
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise OutputError(f"Cannot write {path}: {exc.strerror or exc}. Nothing was changed: close the file "
                          "if it is open in another program, free some disk space, or choose another "
                          "place.") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    try:
        _sync_folder(folder)
    except OSError as exc:  # the file is written and renamed; only its folder entry may not be on disk yet
        raise OutputError(f"Wrote {path}, but its folder could not be synced to disk: {exc.strerror or exc}. "
                          "Check the disk, then run the command again.") from None


def _umask() -> int:
    """The process's umask (only readable by setting it, so set it back at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _umask()


def _sync_folder(folder: Path) -> None:
    """Make a rename durable: on POSIX a new name lives in its folder, which a power cut could otherwise lose
    after the file's own bytes were synced. Windows has no such call (and keeps names durable itself)."""
    if os.name != "posix":
        return
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def keep(folder: Path, name: str, data: bytes) -> Path:
    """Keep data as folder/name, atomically and durably; a no-op when the same bytes are kept already (a kept
    file whose bytes were damaged since is written again: keeping the original repairs it)."""
    target = folder / name
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if target.is_file() and target.stat().st_size == len(data) and target.read_bytes() == data:
            return target
    except OSError as exc:
        raise OutputError(f"Cannot keep {name} in {folder}: {exc.strerror or exc}. Free some disk space, or "
                          "check you may write in the workspace.") from None
    write_atomic(target, data)
    return target


def archive_name(sha256: str, ext: str) -> str:
    """<sha256>.xlsx for a workbook kpixl reads; <sha256>.<kind>.bin for anything else. A macro workbook, a
    web page or a zip bomb kept as evidence must stay inert: no program opens a .bin on a double click."""
    return f"{sha256}.{ext}" if ext == READABLE else f"{sha256}.{ext}.bin".replace(".bin.bin", ".bin")


def partial_hash(sha256: str) -> str:
    """The hash a history import of part of a file (a quarter left out) is recorded under: another
    submission than the whole file's, whose own file is the one archived under sha256."""
    return hashlib.sha256(f"{sha256} in part".encode()).hexdigest()


def read_json(path: Path, what: str) -> dict[str, Any]:
    """A JSON object from path; {} when the file does not exist, OutputError when it cannot be read."""
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise OutputError(f"Cannot read {what} {path}: {exc}. Delete it and run the command again.") from None
    if not isinstance(data, dict):
        raise OutputError(f"{path} is not a kpixl {what}. Delete it and run the command again.")
    return data


def write_json(path: Path, data: dict[str, Any]) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    write_atomic(path, text.encode("utf-8"))


PART_MAX = 60  # characters per part; a whole name stays under 150, well within every file system's limit
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,59}")
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def slug(text: str, fallback: str = "unnamed", limit: int = PART_MAX) -> str:
    """Lower-case ASCII letters and digits joined by single hyphens: "Trading Standards / Fire" ->
    "trading-standards-fire"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    result = _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")[:limit].strip("-")
    return result or fallback


def safe_stem(text: str, fallback: str = "unnamed") -> str:
    """The text itself when it is already a safe name part (letters, digits, _ and -, not a Windows device
    name), else its slug with 6 hex digits of its hash, so that two ids differing only in punctuation
    cannot overwrite each other's file."""
    if _SAFE.fullmatch(text) and text.lower() not in _RESERVED:
        return text
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:6]
    return f"{slug(text, fallback, PART_MAX - 7)}-{digest}"


def safe_child(folder: Path, name: str) -> Path:
    """folder/name, refusing any name that would resolve outside folder (belt and braces over the slugs)."""
    base = folder.resolve()
    path = (base / name).resolve()
    if path.parent != base:
        raise OutputError(f"Refusing to write '{name}': it would land outside {base}")
    return path
