"""File names kpixl builds from what people typed (service and committee ids, a lead's attachment name,
an email address): safe on every file system, and never outside the folder they are meant for.

    slug("Trading Standards / Fire")      -> "trading-standards-fire"
    safe_stem("csmi") -> "csmi";  safe_stem("../../etc") -> "etc-<6 hex of its hash>"
    safe_child(folder, name)              -> folder/name, or OutputError if it would land elsewhere

Standard library only, so the workbook, report, mail and intake layers all use the same rules.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

from .errors import OutputError

__all__ = ["PART_MAX", "safe_child", "safe_stem", "slug"]

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
