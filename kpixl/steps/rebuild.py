"""Rebuilding a lost store from the archive: what `kpixl check --rebuild` calls (docs/store.md, "A store kpixl
will not create").

The archive holds the bytes of every file kpixl recorded, and .kpixl/received/ a receipt for each recording
(kpixl.steps.receipts: the file's name, when it was sent, the quarter it was collected for, return or history).
Each recording is done again in the order it was first done: every return collected again (checked, and
recorded accepted or refused with its problems), every history file imported again (less the quarter a partial
import left out). The same files in the same order give the same figures and versions: the store as it was,
as far as today's register and key judge the files as they were judged then (a file judged otherwise now is
listed). A file archived before receipts were kept is taken in the order it was archived, under its archived
name, collected for kpixl.toml's quarter; one that is not a return but reads as a history file is imported.

Then the team's decisions come back from the journal in .kpixl/decisions/ (kpixl.steps.journal): each is logged
again at its first time, between the recordings made before and after it (so a return collected after a
sign-off is held again, and one collected after the reopen is not), with the ids its rows have in the rebuilt
store.

Only a missing or empty store is rebuilt: a store that holds any recorded file is refused, never overwritten.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from kpixl.domain import parse_period
from kpixl.domain.figures import Submission
from kpixl.domain.periods import Quarter
from kpixl.errors import PeriodError, StoreError
from kpixl.problems import count
from kpixl.steps.collect import Source, collect, collect_paths, validate_paths
from kpixl.steps.history import import_history
from kpixl.steps.journal import Decided, read_journal, replay_decision
from kpixl.steps.messages import MESSAGE
from kpixl.steps.workspace import ARCHIVE, RECEIVED, Receipt, Workspace, read_receipts

__all__ = ["RebuildReport", "Replayed", "rebuild_store"]

_NAME = re.compile(r"^([0-9a-f]{64})\.([A-Za-z0-9]+)(\.bin)?$")
ARCHIVED = "archived"  # how the time of a file without a receipt is told: when it was archived
DECISION = "decision"
NOT_RESTORED = "not restored"


@dataclass(frozen=True)
class Replayed:
    """One recording done again."""

    file_name: str
    source: str  # "return", "history", "evidence" (a sign-off's) or "decision" (file_name: its journal entry)
    outcome: str  # "accepted", "refused", "imported", "not imported", "kept", "already recorded";
    # for a decision "restored", "already recorded" or "not restored" (note: its kind, and why)
    sent_at: datetime | None
    note: str = ""  # judged otherwise than at first, or taken without a receipt


@dataclass
class RebuildReport:
    replayed: list[Replayed] = field(default_factory=list)
    figures: int = 0  # versions stored

    @property
    def changed(self) -> list[Replayed]:
        """The files judged otherwise than when they were first recorded, and the decisions not restored."""
        return [r for r in self.replayed if r.note.startswith("judged") or r.outcome == NOT_RESTORED]

    @property
    def exit_code(self) -> int:
        return 1 if self.changed else 0


@dataclass(frozen=True)
class _Entry:
    path: Path
    ext: str
    receipt: Receipt | None

    @property
    def order(self) -> tuple[datetime, str]:
        if self.receipt is not None:
            return (datetime.fromisoformat(self.receipt.received_at).astimezone(UTC), self.path.name)
        return (_modified(self.path), self.path.name)


def _modified(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC)


def _entries(workspace: Workspace) -> list[_Entry]:
    """Each recording to do again, in the order it was first done."""
    folder = workspace.path(ARCHIVE)
    entries: list[_Entry] = []
    for path in sorted(folder.iterdir()) if folder.is_dir() else ():
        match = _NAME.match(path.name)
        if not match or not path.is_file():
            continue
        receipts: list[Receipt | None] = [*read_receipts(workspace.root / RECEIVED, match.group(1))]
        entries.extend(_Entry(path, match.group(2), r) for r in receipts or [None])
    return sorted(entries, key=lambda e: e.order)


def _empty_or_refuse(workspace: Workspace) -> None:
    with workspace.open_store(rebuilding=True) as store:
        recorded = store.submissions()
        where = store.where
    if recorded:
        raise StoreError(f"The store {where} holds {count(len(recorded), 'recorded file')}: kpixl check --rebuild only "
                         "fills a store that is missing or empty, and never overwrites one. To rebuild it anyway, "
                         "move it aside first (keep it: it is the record), then run kpixl check --rebuild again.")


def rebuild_store(workspace: Workspace) -> RebuildReport:
    """Fill a missing or empty store from the archive; StoreError for a store that holds anything."""
    _empty_or_refuse(workspace)
    report = RebuildReport()
    decisions, unreadable = read_journal(workspace)
    steps: list[tuple[tuple[datetime, int, str], _Entry | Decided]] = [
        ((e.order[0], 0, e.order[1]), e) for e in _entries(workspace)]
    steps += [((d.at, 1, d.name), d) for d in decisions]
    for _, step in sorted(steps, key=lambda s: s[0]):  # each decision between what was recorded before and after
        report.replayed.append(_replay_decision(workspace, step) if isinstance(step, Decided)
                               else _replay(workspace, step))
    report.replayed += [Replayed(name, DECISION, NOT_RESTORED, None, "its journal entry cannot be read")
                        for name in unreadable]
    with workspace.open_store() as store:
        report.figures = len(store.figures())
    return report


def _replay_decision(workspace: Workspace, decided: Decided) -> Replayed:
    with workspace.open_store() as store:
        outcome, why = replay_decision(store, decided)
    return Replayed(decided.name, DECISION, outcome, decided.at, why or decided.kind)


def _replay(workspace: Workspace, entry: _Entry) -> Replayed:
    receipt = entry.receipt
    if receipt is None:
        return _replay_unknown(workspace, entry)
    sent = datetime.fromisoformat(receipt.sent_at) if receipt.sent_at else None
    if receipt.source == "evidence":
        return _evidence(workspace, entry, receipt, sent)
    if receipt.source == "history":
        return _import(workspace, entry.path, receipt.file_name, sent, receipt.skip, receipt.accepted)
    if receipt.source == MESSAGE:  # collected again as a message: it and each of its returns
        run = collect(workspace, [Source(entry.path, sent, receipt.sent_how or ARCHIVED, receipt.file_name)],
                      receipt.period or None)
        message = run.messages[0] if run.messages else None
        outcome = "already recorded" if message is None or message.stored.startswith("already") else "kept"
        return Replayed(receipt.file_name, MESSAGE, outcome, sent)
    source = Source(entry.path, sent, receipt.sent_how or ARCHIVED, receipt.file_name, receipt.sender,
                    receipt.subject, receipt.message_id)
    result = collect_paths(workspace, [source], receipt.period or None)[0]
    return _collected(result.file_name, result.accepted, result.stored, result.sent_at, receipt.accepted)


def _evidence(workspace: Workspace, entry: _Entry, receipt: Receipt, sent: datetime | None) -> Replayed:
    """A sign-off's evidence, recorded again as it was kept (the sign-off itself comes back from the journal)."""
    sha = entry.path.name.split(".")[0]
    submission = Submission(sha, receipt.file_name, datetime.fromisoformat(receipt.received_at), receipt.service,
                            receipt.period, True, source="evidence", sent_at=sent)
    with workspace.open_store() as store:
        recorded = store.record(submission, [])
    return Replayed(receipt.file_name, "evidence", "already recorded" if recorded.duplicate else "kept", sent)


def _collected(name: str, accepted: bool, stored: str, sent: datetime | None, before: bool | None) -> Replayed:
    outcome = "already recorded" if stored.startswith("already") else "accepted" if accepted else "refused"
    note = ""
    if before is not None and before != accepted:
        note = f"judged {'accepted' if accepted else 'refused'} now, {'accepted' if before else 'refused'} then"
    return Replayed(name, "return", outcome, sent, note)


def _import(workspace: Workspace, path: Path, name: str, sent: datetime | None, skip: str,
            before: bool | None) -> Replayed:
    quarter = None
    if skip:
        try:
            parsed = parse_period(skip)
            quarter = parsed if isinstance(parsed, Quarter) else None
        except PeriodError:
            quarter = None
    with workspace.open_store() as store:
        result = import_history(workspace, path, quarter, store, name=name, sent_at=sent)
    imported = result.recorded is not None
    note = ""
    if before is not None and before != imported:
        note = f"judged {'valid' if imported else 'in error'} now, {'valid' if before else 'in error'} then"
    return Replayed(name, "history", "imported" if imported else "not imported", sent, note)


def _replay_unknown(workspace: Workspace, entry: _Entry) -> Replayed:
    """A file archived before kpixl kept receipts: its name and time are the archive's."""
    archived = _modified(entry.path)
    name = f"{entry.path.name.split('.')[0]}.{entry.ext}"
    note = "no receipt: named and ordered as archived"
    if entry.ext == "csv":
        found = _import(workspace, entry.path, name, archived, "", None)
        return Replayed(found.file_name, found.source, found.outcome, found.sent_at, note)
    source = Source(entry.path, archived, ARCHIVED, name)
    if entry.ext == "xlsx":
        checked = validate_paths(workspace, [source])[0]
        if not checked.service:  # no service's return: perhaps a history workbook
            found = _import(workspace, entry.path, name, archived, "", None)
            if found.outcome == "imported":
                return Replayed(found.file_name, found.source, found.outcome, found.sent_at, note)
    result = collect_paths(workspace, [source])[0]
    replayed = _collected(result.file_name, result.accepted, result.stored, result.sent_at, None)
    return Replayed(replayed.file_name, replayed.source, replayed.outcome, replayed.sent_at, note)
