"""What the store hands back: plain frozen records in the domain's words, nothing of the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kpixl.domain import Figure
from kpixl.domain.figures import Provenance, Submission
from kpixl.problems import Problem, Severity

__all__ = ["FigureKey", "RecordResult", "StoredFigure", "SubmissionRecord"]

FigureKey = tuple[str, str, int]  # (indicator, period slug, version)


@dataclass(frozen=True)
class RecordResult:
    submission_id: int
    duplicate: bool = False  # this file was recorded before: nothing changed
    added: tuple[FigureKey, ...] = ()  # each new version written
    unchanged: int = 0  # figures identical to their current version: not a change, not written

    @property
    def summary(self) -> str:
        if self.duplicate:
            return "already recorded: nothing changed"
        return f"{len(self.added)} figure(s) stored, {self.unchanged} unchanged"


@dataclass(frozen=True)
class SubmissionRecord:
    """A received file as stored, with the problems found in it."""

    id: int
    file_hash: str
    file_name: str
    received_at: datetime
    service: str
    period: str
    accepted: bool
    source: str
    recorded_at: datetime
    problems: tuple[Problem, ...] = ()

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)

    @property
    def submission(self) -> Submission:
        return Submission(self.file_hash, self.file_name, self.received_at, self.service, self.period,
                          self.accepted, self.source)


@dataclass(frozen=True)
class StoredFigure:
    """One version of one figure, with where it came from."""

    figure: Figure
    version: int
    provenance: Provenance
    submission: SubmissionRecord  # without its problems
    target: str
    revision_reason: str
    recorded_at: datetime
    current: bool  # the latest version of its indicator and period
