"""The archive of original files and the store agree: what `kpixl check` verifies (issue 7, docs/store.md).

collect archives each file under its SHA-256 (archive/<sha256>.xlsx, or .<kind>.bin) before it records it,
so a stored figure can always be traced to the bytes it came from. This re-hashes every archived file and
compares the two sides:

    ARCHIVE_MISSING   error    a recorded return (and the figures it gave) whose file is not in the archive
    ARCHIVE_ALTERED   error    an archived file whose bytes no longer have the hash it is kept under
    ARCHIVE_ORPHAN    error    an archived file no submission records (a collect stopped between the two)
    FIGURE_REFUSED    error    a figure stored from a refused return (the store promises there is none)
    FIGURE_VERSIONS   error    an indicator and period whose versions are not 1, 2, 3... (one lost or doubled)
    ARCHIVE_LEFTOVER  warning  a temporary file an interrupted collect left behind: safe to delete
    ARCHIVE_UNKNOWN   warning  a file whose name is not a hash: not kpixl's

History imports are recorded by hash but not archived (the file stays where it was imported from), so only
returns are looked for in the archive. Nothing is changed: the check only reads.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from .archive import ARCHIVE
from .problems import Problem, Report, Severity
from .store import StoredFigure, SubmissionRecord, open_store
from .workspace import Workspace

__all__ = ["IntegrityReport", "check_integrity"]

_NAME = re.compile(r"^([0-9a-f]{64})\.[A-Za-z0-9.]+$")
_PARTIAL = ".partial"  # collect's temporary files: .<hash prefix>.<random>.partial
_RECOLLECT = "Collect the original file again: the same bytes restore it, and nothing else changes."


@dataclass(frozen=True)
class IntegrityReport:
    report: Report
    submissions: int  # returns recorded
    figures: int  # versions stored
    archived: int  # files in the archive

    @property
    def ok(self) -> bool:
        return self.report.valid

    def to_dict(self) -> dict[str, object]:
        return {"ok": self.ok, "submissions": self.submissions, "figures": self.figures,
                "archived": self.archived, "problems": self.report.to_list()}


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
        elif path.name.endswith(_PARTIAL):
            report.add(Problem("ARCHIVE_LEFTOVER", Severity.WARNING,
                               "A temporary file left by a collect that was interrupted while archiving.",
                               "Delete it: the file it was copying was not recorded, and collecting it "
                               "again archives it whole.", path.name))
        else:
            report.add(Problem("ARCHIVE_UNKNOWN", Severity.WARNING,
                               "A file kpixl did not put in the archive.", "Move it out of the archive folder.",
                               path.name))
    return found


def _check_archive(files: dict[str, list[Path]], returns: list[SubmissionRecord],
                   figures_of: Counter[int], report: Report) -> None:
    recorded = {r.file_hash for r in returns}
    for record in returns:
        if record.file_hash not in files:
            gave = figures_of[record.id]
            report.add(Problem("ARCHIVE_MISSING", Severity.ERROR,
                               f"The return {record.file_name} (received {record.received_at:%Y-%m-%d}, "
                               f"{gave} figure version(s) stored from it) is not in the archive: no "
                               f"{record.file_hash}.* file.", _RECOLLECT, record.file_name))
    for sha, paths in files.items():
        for path in paths:
            if _sha256(path) != sha:
                report.add(Problem("ARCHIVE_ALTERED", Severity.ERROR,
                                   "The archived file's bytes no longer have the SHA-256 it is kept under: "
                                   "it was changed or damaged after it was collected.", _RECOLLECT, path.name))
            elif sha not in recorded:
                report.add(Problem("ARCHIVE_ORPHAN", Severity.ERROR,
                                   "An archived file no submission records: a collect stopped between "
                                   "archiving it and recording it.", _RECOLLECT, path.name))


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
    """Every recorded return's file is archived with its hash, every archived file is recorded, and the
    store's figures come whole from accepted returns. Reads only."""
    report = Report()
    with open_store(workspace) as store:
        submissions, figures = store.submissions(), store.figures()
    returns = [s for s in submissions if s.source == "return"]
    figures_of = Counter(f.submission.id for f in figures)
    files = _archive_files(workspace.path(ARCHIVE), report)
    _check_archive(files, returns, figures_of, report)
    _check_figures(figures, report)
    return IntegrityReport(report, len(returns), len(figures), sum(len(p) for p in files.values()))
