"""What a return delivers, as the store keeps it: each figure with where it came from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kpixl.domain.figures import Figure

__all__ = ["Provenance", "ReceivedFigure", "Submission"]


@dataclass(frozen=True)
class Provenance:
    file_hash: str  # SHA-256 of the file as received; the archive keeps it under this name
    file_name: str
    sheet: str = ""
    cell: str = ""  # A1 reference of the figure's cell


@dataclass(frozen=True)
class ReceivedFigure:
    figure: Figure
    provenance: Provenance
    target: str = ""  # the target (or baseline) the workbook showed, as text; "" when none
    revision_reason: str = ""  # set when this figure revises an earlier period's


@dataclass(frozen=True)
class Submission:
    """One file received: who it claims to be from, for which quarter, and whether it was accepted."""

    file_hash: str
    file_name: str
    received_at: datetime
    service: str  # service id, "" when it could not be identified
    period: str  # quarter slug, "" when it could not be identified
    accepted: bool
    source: str = "return"  # "return" (a collection workbook) or "history" (an import)
