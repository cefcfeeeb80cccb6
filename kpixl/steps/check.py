"""The archive of original files and the store agree: what `kpixl check` verifies (issue 7, docs/store.md).

collect and history import archive each file under its SHA-256 (archive/<sha256>.xlsx, or .<kind>.bin)
before they record it (Workspace.archive), so a stored figure can always be traced to the bytes it came
from. This re-hashes every archived file and compares the two sides:

    ARCHIVE_MISSING       error    a recorded return or history import (and the figures it gave) whose file
                                   is not in the archive
    ARCHIVE_ALTERED       error    an archived file whose bytes no longer have the hash it is kept under
    ARCHIVE_ORPHAN        error    an archived file no submission records (a collect or import stopped
                                   between the two)
    FIGURE_REFUSED        error    a figure stored from a refused return (the store promises there is none)
    FIGURE_VERSIONS       error    an indicator and period whose versions are not 1, 2, 3... (one lost or
                                   doubled)
    ARCHIVE_LEFTOVER      warning  a temporary file an interrupted collect or import left behind: delete it
    ARCHIVE_UNKNOWN       warning  a file whose name is not a hash: not kpixl's
    HISTORY_NOT_ARCHIVED  warning  a history import recorded before kpixl kept history files (the store's
                                   schema version 2): its file was never archived, and nothing is wrong

A history import of part of a file (kpixl init --example leaving a quarter out) is recorded under
partial_hash of the file's hash; its file is the one archived under the file's own hash. Nothing is
changed: the check only reads.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kpixl.files import PARTIAL, partial_hash
from kpixl.problems import Problem, Report, Severity
from kpixl.steps.workspace import ARCHIVE, Workspace
from kpixl.store import HISTORY_ARCHIVED, StoredFigure, SubmissionRecord

__all__ = ["IntegrityReport", "check_integrity"]

_NAME = re.compile(r"^([0-9a-f]{64})\.[A-Za-z0-9.]+$")
_RECOLLECT = "Collect the original file again: the same bytes restore it, and nothing else changes."
_REIMPORT = ("Import the original file again (kpixl history import FILE): the same bytes restore it, and "
             "nothing else changes.")
_AGAIN = {"return": _RECOLLECT, "history": _REIMPORT}
_EITHER = ("Collect it again if it is a return, or import it again (kpixl history import FILE) if it is a "
           "history file: the same bytes restore it, and nothing else changes.")


@dataclass(frozen=True)
class IntegrityReport:
    report: Report
    submissions: int  # returns recorded
    history: int  # history imports recorded
    figures: int  # versions stored
    archived: int  # files in the archive

    @property
    def ok(self) -> bool:
        return self.report.valid

    def to_dict(self) -> dict[str, object]:
        return {"ok": self.ok, "submissions": self.submissions, "history_imports": self.history,
                "figures": self.figures, "archived": self.archived, "problems": self.report.to_list()}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(2**20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _archive_files(folder: Path, report: Report) -> dict[str, list[Path]]:
    """The archive's files by the hash their name says, with a warning for anything else in the folder."""
    found: dict[str, list[Path]] = defaultdict(list)
    for path in sorted(folder.iterdir()) if folder.is_dir() else ():
        match = _NAME.match(path.name)
        if match and path.is_file():
            found[match.group(1)].append(path)
        elif path.name.endswith(PARTIAL):
            report.add(Problem("ARCHIVE_LEFTOVER", Severity.WARNING,
                               "A temporary file left by a collect or a history import that was interrupted "
                               "while archiving.",
                               "Delete it: the file it was copying was not recorded, and collecting (or "
                               "importing) it again archives it whole.", path.name))
        else:
            report.add(Problem("ARCHIVE_UNKNOWN", Severity.WARNING,
                               "A file kpixl did not put in the archive.", "Move it out of the archive folder.",
                               path.name))
    return found


def _kept_file(record: SubmissionRecord, files: dict[str, list[Path]], parts: dict[str, str]) -> str | None:
    """The hash of the archived file a submission was recorded from, or None when it is not archived."""
    if record.file_hash in files:
        return record.file_hash
    if record.source == "history":  # an import of part of a file: the file is kept under its own hash
        return parts.get(record.file_hash)
    return None


def _not_archived(record: SubmissionRecord, gave: int, since: datetime | None) -> Problem:
    if record.source == "history" and (since is None or record.recorded_at < since):
        return Problem("HISTORY_NOT_ARCHIVED", Severity.WARNING,
                       f"The history file {record.file_name} (imported {record.received_at:%Y-%m-%d}, "
                       f"{gave} figure version(s) stored from it) is not in the archive: it was imported "
                       "before kpixl kept history files. Its figures are not affected.",
                       "To keep it, import the same file again (kpixl history import FILE): it is "
                       "archived, and nothing else changes. Or leave it: nothing needs doing.",
                       record.file_name)
    what = "history file" if record.source == "history" else "return"
    when = "imported" if record.source == "history" else "received"
    return Problem("ARCHIVE_MISSING", Severity.ERROR,
                   f"The {what} {record.file_name} ({when} {record.received_at:%Y-%m-%d}, {gave} figure "
                   f"version(s) stored from it) is not in the archive: no {record.file_hash}.* file.",
                   _AGAIN.get(record.source, _EITHER), record.file_name)


def _check_archive(files: dict[str, list[Path]], submissions: list[SubmissionRecord],
                   figures_of: Counter[int], since: datetime | None, report: Report) -> None:
    """Every submission's file is archived (history imports recorded before `since` never were), and every
    archived file is whole and recorded."""
    recorded: dict[str, set[str]] = defaultdict(set)  # archived file's hash -> the sources recording it
    parts = {partial_hash(sha): sha for sha in files}
    for record in submissions:
        sha = _kept_file(record, files, parts)
        if sha is None:
            report.add(_not_archived(record, figures_of[record.id], since))
        else:
            recorded[sha].add(record.source)
    for sha, paths in files.items():
        for path in paths:
            if _sha256(path) != sha:
                sources = recorded.get(sha, set())
                hint = _AGAIN.get(next(iter(sources)), _EITHER) if len(sources) == 1 else _EITHER
                report.add(Problem("ARCHIVE_ALTERED", Severity.ERROR,
                                   "The archived file's bytes no longer have the SHA-256 it is kept under: "
                                   "it was changed or damaged after it was archived.", hint, path.name))
            elif sha not in recorded:
                report.add(Problem("ARCHIVE_ORPHAN", Severity.ERROR,
                                   "An archived file no submission records: a collect or a history import "
                                   "stopped between archiving it and recording it.", _EITHER, path.name))


def _check_figures(figures: list[StoredFigure], report: Report) -> None:
    versions: dict[tuple[str, str], list[int]] = defaultdict(list)
    for stored in figures:
        key = (stored.figure.indicator, stored.figure.period.slug)
        versions[key].append(stored.version)
        if not stored.submission.accepted:
            report.add(Problem("FIGURE_REFUSED", Severity.ERROR,
                               f"Version {stored.version} of {key[1]} was stored from "
                               f"{stored.submission.file_name}, a refused file.",
                               "Restore the store from a backup and collect again.",
                               stored.submission.file_name, indicator=key[0]))
    for (indicator, period), found in sorted(versions.items()):
        if sorted(found) != list(range(1, len(found) + 1)):
            report.add(Problem("FIGURE_VERSIONS", Severity.ERROR,
                               f"The versions of {period} are {sorted(found)}, not 1 to {len(found)}.",
                               "Restore the store from a backup and collect again.", indicator=indicator))


def check_integrity(workspace: Workspace) -> IntegrityReport:
    """Every recorded return's and history import's file is archived with its hash, every archived file is
    recorded, and the store's figures come whole from accepted files. Reads only."""
    report = Report()
    with workspace.open_store() as store:
        submissions, figures = store.submissions(), store.figures()
        since = store.first_applied(HISTORY_ARCHIVED)  # history imports recorded before were not archived
    figures_of = Counter(f.submission.id for f in figures)
    files = _archive_files(workspace.path(ARCHIVE), report)
    _check_archive(files, submissions, figures_of, since, report)
    _check_figures(figures, report)
    returns = sum(s.source == "return" for s in submissions)
    return IntegrityReport(report, returns, len(submissions) - returns, len(figures),
                           sum(len(p) for p in files.values()))
