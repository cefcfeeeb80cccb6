"""What went out for a quarter, kept beside its workbooks in workbooks/<period>/:

manifest.json: which workbook was generated for which service, when, with which SHA-256, so that
`kpixl send` attaches exactly what was generated and `kpixl status` can say what went out.

    {"format": "kpixl-workbooks", "version": 1, "council": "...", "period": "2023-24-Q2",
     "workbooks": {"libraries": {"service_name": "Library Service", "file": "....xlsx",
                                 "sha256": "...", "generated": "2023-10-02T09:00:00+00:00", "rows": 3}}}

sent.json: which service's workbook was sent to whom and when, written after each message, so that rerunning
`kpixl send` (after a failure, or by mistake) does not send it again. Drafts are not sends: writing them
records nothing.

    {"format": "kpixl-sent", "version": 1, "period": "2023-24-Q2",
     "sent": {"libraries": {"to": "lead@example.org", "file": "....xlsx", "sha256": "...",
                            "sent": "2023-10-02T09:00:00+00:00", "via": "smtp.example.org:587"}}}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kpixl.files import read_json, write_json

__all__ = ["MANIFEST", "SENT", "read_manifest", "read_sent", "record_sent", "write_manifest"]

MANIFEST = "manifest.json"
SENT = "sent.json"


def read_manifest(folder: Path) -> dict[str, dict[str, Any]]:
    """The workbooks recorded in folder's manifest, by service id."""
    workbooks = read_json(folder / MANIFEST, "workbook manifest").get("workbooks", {})
    return workbooks if isinstance(workbooks, dict) else {}


def write_manifest(folder: Path, council: str, period: str, entries: dict[str, dict[str, Any]]) -> None:
    """Record entries (by service id) in folder's manifest, keeping the other services' entries."""
    workbooks = read_manifest(folder) | entries
    write_json(folder / MANIFEST, {"format": "kpixl-workbooks", "version": 1, "council": council,
                                   "period": period, "workbooks": workbooks})


def read_sent(folder: Path) -> dict[str, dict[str, Any]]:
    sent = read_json(folder / SENT, "record of sent workbooks").get("sent", {})
    return sent if isinstance(sent, dict) else {}


def record_sent(folder: Path, period: str, entries: dict[str, dict[str, Any]]) -> None:
    write_json(folder / SENT, {"format": "kpixl-sent", "version": 1, "period": period,
                               "sent": read_sent(folder) | entries})
