"""The archive of original files and the store agree: what `kpixl check` verifies (issues 7 and 12,
docs/store.md).

collect, history import and comparators import archive each file under its SHA-256 (archive/<sha256>.xlsx, or .<kind>.bin)
before they record it (Workspace.archive), so a stored figure can always be traced to the bytes it came
from. This re-hashes every archived file and compares the two sides; then it reads every accepted return in
the archive again, through the same reading as collect (kpixl/intake, storing nothing), and compares each
figure stored from it with what the file says, so that a value changed in the store by hand is found. Every
figure row is read defensively: one that cannot be read (a status or value typed by hand) is a problem here,
never a traceback. Each disagreement is a problem of the catalogue's group "The archive and the store"
(kpixl/catalogue.py; docs/problems.md says what each means and what to do).

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

from kpixl.errors import KpixlError
from kpixl.files import PARTIAL, partial_hash
from kpixl.intake.assess import ReturnResult, assess_bytes, valid_rows
from kpixl.intake.rules import IntakeContext
from kpixl.problems import Problem, Report, Where, count, problem, shown
from kpixl.steps.workspace import ARCHIVE, Workspace
from kpixl.store import HISTORY_ARCHIVED, StoredFigure, SubmissionRecord, UnreadableRow

__all__ = ["IntegrityReport", "check_integrity"]

_NAME = re.compile(r"^([0-9a-f]{64})\.[A-Za-z0-9.]+$")
# The catalogue's case for a file recorded by each source: its hint names the command that restores it.
_MISSING = {"return": "ARCHIVE_MISSING/return", "history": "ARCHIVE_MISSING/history",
            "comparators": "ARCHIVE_MISSING/comparators", "evidence": "ARCHIVE_MISSING/evidence",
            "message": "ARCHIVE_MISSING/message"}
_ALTERED = {frozenset({"return"}): "ARCHIVE_ALTERED/return", frozenset({"history"}): "ARCHIVE_ALTERED/history",
            frozenset({"comparators"}): "ARCHIVE_ALTERED/comparators",
            frozenset({"evidence"}): "ARCHIVE_ALTERED/evidence"}


@dataclass(frozen=True)
class IntegrityReport:
    report: Report
    submissions: int  # returns recorded
    history: int  # history imports recorded
    figures: int  # versions stored
    archived: int  # files in the archive
    comparators: int = 0  # comparator files imported
    evidence: int = 0  # sign-offs' evidence files kept (docs/review.md)
    messages: int = 0  # messages returns came in

    @property
    def ok(self) -> bool:
        return self.report.valid

    def to_dict(self) -> dict[str, object]:
        return {"ok": self.ok, "submissions": self.submissions, "history_imports": self.history,
                "figures": self.figures, "archived": self.archived, "comparator_imports": self.comparators,
                "evidence": self.evidence, "messages": self.messages, "problems": self.report.to_list()}


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
            report.add(problem("ARCHIVE_LEFTOVER", Where(path.name)))
        else:
            report.add(problem("ARCHIVE_UNKNOWN", Where(path.name)))
    return found


def _kept_file(record: SubmissionRecord, files: dict[str, list[Path]], parts: dict[str, str]) -> str | None:
    """The hash of the archived file a submission was recorded from, or None when it is not archived."""
    if record.file_hash in files:
        return record.file_hash
    if record.source == "history":  # an import of part of a file: the file is kept under its own hash
        return parts.get(record.file_hash)
    return None


def _not_archived(record: SubmissionRecord, gave: int, since: datetime | None) -> Problem:
    where, day = Where(record.file_name), f"{record.received_at:%Y-%m-%d}"
    if record.source == "history" and (since is None or record.recorded_at < since):
        return problem("HISTORY_NOT_ARCHIVED", where, file=record.file_name, date=day,
                       versions=count(gave, "figure version"))
    return problem(_MISSING.get(record.source, "ARCHIVE_MISSING/return"), where, file=record.file_name, date=day,
                   versions=count(gave, "figure version"), sha256=record.file_hash)


def _check_archive(files: dict[str, list[Path]], submissions: list[SubmissionRecord],
                   figures_of: Counter[int], since: datetime | None, report: Report) -> dict[str, Path]:
    """Every submission's file is archived (history imports recorded before `since` never were), and every
    archived file is whole and recorded; the whole ones, by hash."""
    recorded: dict[str, set[str]] = defaultdict(set)  # archived file's hash -> the sources recording it
    parts = {partial_hash(sha): sha for sha in files}
    for record in submissions:
        sha = _kept_file(record, files, parts)
        if sha is None:
            report.add(_not_archived(record, figures_of[record.id], since))
        else:
            recorded[sha].add(record.source)
    whole: dict[str, Path] = {}
    for sha, paths in files.items():
        for path in paths:
            if _sha256(path) != sha:
                # Unrecorded, or recorded both as a return and as history: the hint names both commands.
                key = _ALTERED.get(frozenset(recorded.get(sha, ())), "ARCHIVE_ALTERED")
                report.add(problem(key, Where(path.name)))
            elif sha not in recorded:
                report.add(problem("ARCHIVE_ORPHAN", Where(path.name)))
            else:
                whole[sha] = path
    return whole


def _check_figures(figures: list[StoredFigure], partly: set[int], report: Report) -> None:
    """Each figure from an accepted file, or from a refused one whose valid rows the officer accepted
    (partly: their submission ids); versions 1 to n."""
    versions: dict[tuple[str, str], list[int]] = defaultdict(list)
    for stored in figures:
        key = (stored.figure.indicator, stored.figure.period.slug)
        versions[key].append(stored.version)
        if not stored.submission.accepted and stored.submission.id not in partly:
            report.add(problem("FIGURE_REFUSED", Where(stored.submission.file_name, indicator=key[0]),
                               version=stored.version, period=key[1], file=stored.submission.file_name))
    for (indicator, period), found in sorted(versions.items()):
        if sorted(found) != list(range(1, len(found) + 1)):
            report.add(problem("FIGURE_VERSIONS", Where("", indicator=indicator), period=period,
                               versions=sorted(found), count=len(found)))


def _unreadable(rows: list[UnreadableRow], report: Report) -> None:
    for row in rows:
        report.add(problem("FIGURE_UNREADABLE", Where(""), table=row.table, row=row.id, column=row.column,
                           found=row.found))


def _context(workspace: Workspace, period: str) -> IntakeContext | str:
    """The context a return of this period is read in, as collect reads it but with no figure known (so
    that every revision it made is read again, as it was when it came, and no stored figure is needed to
    read it); or why there is none (a register with errors)."""
    try:
        quarter, register, secret = workspace.period_or_default(period), workspace.valid_register(), workspace.secret
    except KpixlError as exc:
        return str(exc)
    config = workspace.config
    return IntakeContext(config.council, register, quarter, secret, config.tolerances, {})


def _differences(stored: StoredFigure, reading: dict[str, object]) -> list[tuple[str, str, str]]:
    """(what, in the store, in the file) for each part of the stored figure the file says otherwise. A
    revision's commentary and actions are the earlier figure's, taken from the store, not from the file."""
    figure = stored.figure
    mine: dict[str, object] = {"value": figure.value, "status": figure.status.value, "reason": figure.reason}
    if stored.revision_reason:
        mine["revision reason"] = stored.revision_reason
    else:
        mine |= {"commentary": figure.commentary, "actions": figure.actions}
    return [(what, _words(value), _words(reading[what])) for what, value in mine.items() if reading[what] != value]


def _words(value: object) -> str:
    """A figure's part as a message quotes it: a number as it is, a text in quotes, none as nothing."""
    if value is None or value == "":
        return "nothing"
    return f"'{shown(value)}'" if isinstance(value, str) else str(value)


def _reread(workspace: Workspace, whole: dict[str, Path], submissions: list[SubmissionRecord],
            figures: list[StoredFigure], partly: set[int], report: Report) -> None:
    """Every return figures were stored from, whose file is archived whole, read again, and each figure stored
    from it compared (from a return partly accepted, with the rows it would take today)."""
    stored_from: dict[int, list[StoredFigure]] = defaultdict(list)
    for stored in figures:
        stored_from[stored.submission.id].append(stored)
    contexts: dict[str, IntakeContext | str] = {}
    for record in submissions:
        mine = stored_from.get(record.id)
        if record.source != "return" or not mine or record.file_hash not in whole:
            continue
        if record.period not in contexts:
            contexts[record.period] = _context(workspace, record.period)
        ctx = contexts[record.period]
        why = ctx if isinstance(ctx, str) else _compare(
            mine, assess_bytes(ctx, Path(record.file_name), whole[record.file_hash].read_bytes()),
            record.id in partly, report)
        if why:
            report.add(problem("ARCHIVE_NOT_REREAD", Where(record.file_name), file=record.file_name, why=why))


def _compare(mine: list[StoredFigure], result: ReturnResult, partly: bool, report: Report) -> str:
    """A problem for each stored figure its file says otherwise; why they could not all be compared, or ""."""
    if not result.accepted and not partly:
        first = result.report.errors[0]
        return f"it is refused ({first.code}: {first.message})"
    given = valid_rows(result).figures if partly else result.figures
    found = {(r.figure.indicator, r.figure.period.slug, r.provenance.cell): r for r in given}
    missing = []
    for stored in mine:
        figure = stored.figure
        key = (figure.indicator, figure.period.slug, stored.provenance.cell)
        if key not in found:
            missing.append(f"{figure.indicator} {figure.period} in {stored.provenance.cell}")
            continue
        got = found[key]
        reading: dict[str, object] = {
            "value": got.figure.value, "status": got.figure.status.value, "reason": got.figure.reason,
            "commentary": got.figure.commentary, "actions": got.figure.actions, "revision reason": got.revision_reason}
        for what, in_store, in_file in _differences(stored, reading):
            where = Where(stored.submission.file_name, stored.provenance.sheet, stored.provenance.cell,
                          figure.indicator)
            report.add(problem("FIGURE_CHANGED", where, version=stored.version, period=str(figure.period),
                               what=what, stored=in_store, file=stored.submission.file_name, found=in_file,
                               cell=stored.provenance.cell))
    return f"it gives no figure for {', '.join(missing[:3])}" if missing else ""


def check_integrity(workspace: Workspace) -> IntegrityReport:
    """Every recorded return's and history import's file is archived with its hash, every archived file is
    recorded, the store's figures come whole from accepted files and say what their returns say, and every
    figure row can be read. Reads only."""
    report = Report()
    unreadable: list[UnreadableRow] = []
    with workspace.open_store() as store:
        submissions, partly = store.submissions(), set(store.partly_accepted())
        figures = store.figures(unreadable_rows=unreadable)
        since = store.first_applied(HISTORY_ARCHIVED)  # history imports recorded before were not archived
    _unreadable(unreadable, report)
    figures_of = Counter(f.submission.id for f in figures)
    files = _archive_files(workspace.path(ARCHIVE), report)
    whole = _check_archive(files, submissions, figures_of, since, report)
    _check_figures(figures, partly, report)
    _reread(workspace, whole, submissions, figures, partly, report)
    sources = Counter(s.source for s in submissions)
    return IntegrityReport(report, sources["return"], sources["history"], len(figures),
                           sum(len(p) for p in files.values()), sources["comparators"], sources["evidence"],
                           sources["message"])
