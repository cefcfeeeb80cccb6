"""What checking one returned file gives: who it is from, whether it is accepted, every problem, the figures.

A return is accepted when it has no error. Queries do not block: the return is stored with them, and each
stays open until the lead explains it (messages.is_explained). Warnings are stored with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kpixl.domain.returns import ReceivedFigure
from kpixl.intake.messages import is_explained
from kpixl.problems import Report, Severity

__all__ = ["ReturnResult"]


@dataclass
class ReturnResult:
    path: Path
    sha256: str = ""
    ext: str = "bin"  # what the bytes are, for the archive's file name
    service: str = ""
    service_name: str = ""
    period: str = ""  # quarter slug, "" when it could not be told
    verified: bool = False  # kpixl's metadata present and its signature valid
    report: Report = field(default_factory=Report)
    figures: list[ReceivedFigure] = field(default_factory=list)
    archived: Path | None = None  # set by collect
    stored: str = ""  # what the store did, set by collect

    @property
    def file_name(self) -> str:
        return self.path.name

    @property
    def accepted(self) -> bool:
        return self.report.valid

    def _count(self, severity: Severity) -> int:
        return sum(1 for p in self.report if p.severity is severity)

    @property
    def count_errors(self) -> int:
        return self._count(Severity.ERROR)

    @property
    def count_queries(self) -> int:
        return self._count(Severity.QUERY)

    @property
    def count_warnings(self) -> int:
        return self._count(Severity.WARNING)

    @property
    def open_queries(self) -> int:
        return sum(1 for p in self.report if p.severity is Severity.QUERY and not is_explained(p))

    def summary(self) -> dict[str, Any]:
        return {"file": str(self.path), "service": self.service, "service_name": self.service_name,
                "period": self.period, "accepted": self.accepted, "verified": self.verified,
                "errors": self.count_errors, "queries": self.count_queries,
                "open_queries": self.open_queries, "warnings": self.count_warnings,
                "figures": len(self.figures) if self.accepted else 0, "sha256": self.sha256,
                "archived": str(self.archived) if self.archived else "", "stored": self.stored}

    def to_dict(self) -> dict[str, Any]:
        return self.summary() | {"problems": self.report.to_list()}
