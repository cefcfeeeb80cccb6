"""Importing past figures (CSV or workbook) into the store: what `kpixl history import` and `kpixl init
--example` call. A file is checked like a return: any error and nothing is stored; otherwise its bytes are
archived under their SHA-256 as a return's are (Workspace.archive), then all its figures are stored as one
submission (source "history"), so importing the same file again changes nothing, and `kpixl check` can
hash the file again.

Unlike a refused return, a refused history file is neither archived nor recorded: its errors mostly come
from the register (an indicator not there yet), and a file recorded as refused would be a duplicate, never
imported, when the same file came again once the register is corrected.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from kpixl.crashpoint import crash_point
from kpixl.domain import Figure, Indicator, Quarter, Register, format_value
from kpixl.domain.figures import Provenance, ReceivedFigure, Submission
from kpixl.errors import UnknownIndicator, WorkspaceError
from kpixl.files import partial_hash
from kpixl.intake.history_csv import FigureRow, figure_rows_csv, read_capped
from kpixl.intake.history_xlsx import figure_rows_xlsx
from kpixl.problems import Problem, Report, Where, problem
from kpixl.register import load_register
from kpixl.steps.review import Annotation, indicator_annotations
from kpixl.steps.workspace import Receipt, Workspace
from kpixl.store import RecordResult, Store, StoredFigure

__all__ = ["HISTORY_SUFFIXES", "ImportResult", "IndicatorHistory", "import_history",
           "indicator_history"]

HISTORY_SUFFIXES = (".csv", ".xlsx")


@dataclass
class ImportResult:
    path: Path
    figures: list[ReceivedFigure] = field(default_factory=list)
    report: Report = field(default_factory=Report)
    recorded: RecordResult | None = None  # None: nothing was stored (the file has errors)
    sha256: str = ""  # of the bytes read, which are kept in the archive under it
    archived: Path | None = None  # None: not archived (the file has errors)

    @property
    def exit_code(self) -> int:
        return self.report.exit_code


def _read(path: Path, shown: Path, register: Register) -> tuple[bytes, list[FigureRow], list[Problem]]:
    """The file's bytes, read once (bounded by the size limit), and the figures parsed from those bytes; shown
    is the name the file goes by (its kind told by its suffix)."""
    suffix = shown.suffix.lower()
    if suffix not in HISTORY_SUFFIXES:
        found = shown.suffix or "a file without an extension"
        return b"", [], [problem("FIG_UNKNOWN_FORMAT", Where(shown.name), found=found)]
    try:
        data = read_capped(path)
    except OSError as exc:
        raise WorkspaceError(f"Cannot read {path}: {exc.strerror or exc}. Close it in Excel if it is open, "
                             "and check you may read it.") from exc
    if suffix == ".xlsx":
        return data, *figure_rows_xlsx(data, shown.name, register)
    return data, *figure_rows_csv(data, shown.name, register)


def import_history(workspace: Workspace, path: Path, skip: Quarter | None = None,
                   store: Store | None = None, *, name: str = "",
                   sent_at: datetime | None = None) -> ImportResult:
    """Check a history file and, if it has no error, store its figures (less those of `skip`'s periods).
    name: what the file is called, when not its own name (a file rebuilt from the archive); sent_at: when it
    was made (default: its modification time), which orders its figures among other versions."""
    if not path.is_file():
        raise WorkspaceError(f"There is no file {path}")
    shown = Path(name) if name else path
    loaded = load_register(workspace.register_path)
    result = ImportResult(shown)
    result.report.extend(loaded.report.errors)  # a broken register would misjudge every row
    data, rows, problems = _read(path, shown, loaded.register)
    result.report.extend(problems)
    if not rows and not problems:
        result.report.add(problem("FIG_EMPTY", Where(path.name)))
    kept = [r for r in rows if skip is None or r.figure.period.quarter() != skip]
    result.sha256 = hashlib.sha256(data).hexdigest()  # of the very bytes parsed: the file may change meanwhile
    # A partial import (a quarter left out) is another submission than the whole file's, with the same file.
    file_hash = result.sha256 if skip is None else partial_hash(result.sha256)
    result.figures = [ReceivedFigure(r.figure, Provenance(file_hash, shown.name, r.sheet, r.cell))
                      for r in kept]
    if not result.report.valid:
        return result  # neither archived nor recorded (see the module's note)
    # Archived first, recorded second, as collect does: a crash between leaves an archived file no
    # submission records (kpixl check: ARCHIVE_ORPHAN), never a recorded one whose file is not kept. The
    # file is archived again even when it was imported before: that restores a kept copy lost or damaged.
    own = store is None
    store = store or workspace.open_store()  # first: a store that cannot be opened leaves nothing archived
    try:
        # A workbook as <sha256>.xlsx; a CSV as <sha256>.csv.bin, inert (Excel evaluates a CSV's formulas).
        ext = shown.suffix.lower().lstrip(".")
        result.archived = workspace.archive(data, result.sha256, ext)
        crash_point("archived")
        made = sent_at or datetime.fromtimestamp(path.stat().st_mtime, UTC)
        submission = Submission(file_hash, shown.name, datetime.now(UTC), "", "", True, source="history",
                                sent_at=made)
        result.recorded = store.record(submission, result.figures, list(result.report))
        if not result.recorded.duplicate:
            workspace.note_receipt(result.sha256, Receipt.of(submission, "", ext, "file modified",
                                                             skip.slug if skip else ""))
    finally:
        if own:
            store.close()
    crash_point("recorded")
    return result


@dataclass
class IndicatorHistory:
    indicator_id: str
    indicator: Indicator | None  # None: not (or no longer) in the register, yet figures may be stored
    versions: list[StoredFigure]
    partly: frozenset[int] = frozenset()  # submissions refused, whose rows without errors were accepted
    annotations: list[Annotation] = field(default_factory=list)  # the team's notes and commentary edits

    def partly_accepted(self, stored: StoredFigure) -> bool:
        """Whether a version came from a refused return whose rows without errors the officer accepted."""
        return stored.submission.id in self.partly

    def lead_commentary(self, period: str) -> str:
        """The lead's commentary of the current version of a period's figure ("" when none)."""
        return next((s.figure.commentary for s in self.versions if s.current and s.figure.period.slug == period),
                    "")

    def value_text(self, figure: Figure) -> str:
        """A stored figure as the report would print it ("68%"), or its plain number without a register."""
        if figure.value is None:
            return "Not available"
        if self.indicator is None:
            return str(figure.value)
        return format_value(figure.value, self.indicator.unit, self.indicator.decimals)


def indicator_history(workspace: Workspace, indicator_id: str) -> IndicatorHistory:
    """Every stored version of an indicator's figures; WorkspaceError if kpixl knows nothing of it."""
    register = load_register(workspace.register_path).register
    indicator = register.indicator(indicator_id)  # "r03" finds R03: the store keeps the register's spelling
    if indicator is not None:
        indicator_id = indicator.id
    with workspace.open_store() as store:
        versions = store.history(indicator_id)
        partly = frozenset(store.partly_accepted())
        annotations = indicator_annotations(store, indicator_id)
    if indicator is None and not versions:
        known = ", ".join(i.id for i in register.indicators[:12]) or "none"
        raise UnknownIndicator(f"There is no indicator '{indicator_id}' in the register or the store. "
                               f"Indicators include: {known}.")
    return IndicatorHistory(indicator_id, indicator, versions, partly, annotations)
