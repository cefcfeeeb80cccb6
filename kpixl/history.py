"""Importing past figures (CSV or workbook) into the store: what `kpixl history import` and `kpixl init
--example` call. A file is checked like a return: any error and nothing is stored; otherwise all its figures
are stored as one submission (source "history"), so importing the same file again changes nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .domain import Figure, Indicator, Quarter, Register, format_value
from .domain.returns import Provenance, ReceivedFigure, Submission
from .errors import WorkspaceError
from .intake.figures_csv import FigureRow, figure_rows_csv, read_capped
from .problems import Problem, Report, Severity
from .register import load_register
from .store import RecordResult, Store, StoredFigure, open_store
from .workspace import Workspace

__all__ = ["HISTORY_SUFFIXES", "ImportResult", "IndicatorHistory", "UnknownIndicator", "import_history",
           "indicator_history"]

HISTORY_SUFFIXES = (".csv", ".xlsx")


class UnknownIndicator(WorkspaceError):
    """An indicator number that neither the register nor the store knows: a usage error (exit 2)."""


@dataclass
class ImportResult:
    path: Path
    figures: list[ReceivedFigure] = field(default_factory=list)
    report: Report = field(default_factory=Report)
    recorded: RecordResult | None = None  # None: nothing was stored (the file has errors)
    skipped: int = 0  # rows left out because they belong to the quarter to be collected

    @property
    def exit_code(self) -> int:
        return self.report.exit_code


def _read(path: Path, register: Register) -> tuple[bytes, list[FigureRow], list[Problem]]:
    """The file's bytes, read once (bounded by the size limit), and the figures parsed from those bytes."""
    suffix = path.suffix.lower()
    if suffix not in HISTORY_SUFFIXES:
        found = path.suffix or "a file without an extension"
        return b"", [], [Problem("FIG_UNKNOWN_FORMAT", Severity.ERROR,
                                 f"kpixl imports history from .csv or .xlsx, not '{found}'.",
                                 "Save the table as CSV UTF-8 or as an Excel workbook (.xlsx).", path.name)]
    try:
        data = read_capped(path)
    except OSError as exc:
        raise WorkspaceError(f"Cannot read {path}: {exc.strerror or exc}. Close it in Excel if it is open, "
                             "and check you may read it.") from exc
    if suffix == ".xlsx":
        from .intake.figures_xlsx import figure_rows_xlsx

        return data, *figure_rows_xlsx(data, path.name, register)
    return data, *figure_rows_csv(data, path.name, register)


def _file_hash(data: bytes, skip: Quarter | None) -> str:
    """The file's SHA-256; a partial import (a quarter left out) is another submission than the whole file."""
    digest = hashlib.sha256(data).hexdigest()
    if skip is None:
        return digest
    return hashlib.sha256(f"{digest} without {skip.slug}".encode()).hexdigest()


def import_history(workspace: Workspace, path: Path, skip: Quarter | None = None,
                   store: Store | None = None) -> ImportResult:
    """Check a history file and, if it has no error, store its figures (less those of `skip`'s periods)."""
    if not path.is_file():
        raise WorkspaceError(f"There is no file {path}")
    loaded = load_register(workspace.register_path)
    result = ImportResult(path)
    result.report.extend(loaded.report.errors)  # a broken register would misjudge every row
    data, rows, problems = _read(path, loaded.register)
    result.report.extend(problems)
    if not rows and not problems:
        result.report.add(Problem("FIG_EMPTY", Severity.ERROR, "The file holds no figures.",
                                  "Check it is the right file: one row per indicator and period.", path.name))
    kept = [r for r in rows if skip is None or r.figure.period.quarter() != skip]
    result.skipped = len(rows) - len(kept)
    file_hash = _file_hash(data, skip)  # of the very bytes parsed: the file may change on disk meanwhile
    result.figures = [ReceivedFigure(r.figure, Provenance(file_hash, path.name, r.sheet, r.cell))
                      for r in kept]
    if not result.report.valid:
        return result
    submission = Submission(file_hash, path.name, datetime.now(UTC), "", "", True, source="history")
    own = store is None
    store = store or open_store(workspace)
    try:
        result.recorded = store.record(submission, result.figures, list(result.report))
    finally:
        if own:
            store.close()
    return result


@dataclass
class IndicatorHistory:
    indicator_id: str
    indicator: Indicator | None  # None: not (or no longer) in the register, yet figures may be stored
    versions: list[StoredFigure]

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
    with open_store(workspace) as store:
        versions = store.history(indicator_id)
    indicator = register.indicator(indicator_id)
    if indicator is None and not versions:
        known = ", ".join(i.id for i in register.indicators[:12]) or "none"
        raise UnknownIndicator(f"There is no indicator '{indicator_id}' in the register or the store. "
                               f"Indicators include: {known}.")
    return IndicatorHistory(indicator_id, indicator, versions)
