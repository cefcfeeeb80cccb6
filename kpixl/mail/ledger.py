"""workbooks/<period>/sent.json: which service's workbook was sent to whom and when, written after each
message, so that rerunning `kpixl send` (after a failure, or by mistake) does not send it again.

    {"format": "kpixl-sent", "version": 1, "period": "2023-24-Q2",
     "sent": {"libraries": {"to": "lead@example.org", "file": "....xlsx", "sha256": "...",
                            "sent": "2023-10-02T09:00:00+00:00", "via": "smtp.example.org:587"}}}

Drafts are not sends: writing them records nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..workbook.manifest import read_json, write_json

__all__ = ["SENT", "read_sent", "record_sent"]

SENT = "sent.json"


def read_sent(folder: Path) -> dict[str, dict[str, Any]]:
    sent = read_json(folder / SENT, "record of sent workbooks").get("sent", {})
    return sent if isinstance(sent, dict) else {}


def record_sent(folder: Path, period: str, entries: dict[str, dict[str, Any]]) -> None:
    write_json(folder / SENT, {"format": "kpixl-sent", "version": 1, "period": period,
                               "sent": read_sent(folder) | entries})
