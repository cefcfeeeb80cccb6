"""workbooks/<period>/manifest.json: which workbook was generated for which service, when, with which
SHA-256, so that `kpixl send` attaches exactly what was generated and `kpixl status` can say what went out.

    {"format": "kpixl-workbooks", "version": 1, "council": "...", "period": "2023-24-Q2",
     "workbooks": {"libraries": {"service_name": "Library Service", "file": "....xlsx",
                                 "sha256": "...", "generated": "2023-10-02T09:00:00+00:00", "rows": 3}}}
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..errors import OutputError

__all__ = ["MANIFEST", "read_json", "read_manifest", "write_json", "write_manifest"]

MANIFEST = "manifest.json"


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
    temporary = path.with_name(f".{path.name}.partial")
    try:
        temporary.write_text(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(temporary, path)
    except OSError as exc:
        raise OutputError(f"Cannot write {path}: {exc.strerror or exc}") from None


def read_manifest(folder: Path) -> dict[str, dict[str, Any]]:
    """The workbooks recorded in folder's manifest, by service id."""
    workbooks = read_json(folder / MANIFEST, "workbook manifest").get("workbooks", {})
    return workbooks if isinstance(workbooks, dict) else {}


def write_manifest(folder: Path, council: str, period: str, entries: dict[str, dict[str, Any]]) -> None:
    """Record entries (by service id) in folder's manifest, keeping the other services' entries."""
    workbooks = read_manifest(folder) | entries
    write_json(folder / MANIFEST, {"format": "kpixl-workbooks", "version": 1, "council": council,
                                   "period": period, "workbooks": workbooks})
