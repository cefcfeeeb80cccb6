"""Figures kept as CSV: the example's seed figures, and history a council brings from before kpixl.

Columns: indicator, period, value, status, reason, commentary, actions. Values as people write them
("380,018", "68%"); status validated (default), provisional or not_available.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ..domain import Figure, FigureStatus, Register, Unit, parse_period
from ..domain.numbers import NotANumber, parse_number
from ..domain.periods import PeriodError
from ..problems import Problem, Severity

__all__ = ["read_figures_csv", "FIGURE_COLUMNS"]

FIGURE_COLUMNS = ("indicator", "period", "value", "status", "reason", "commentary", "actions")
MAX_BYTES = 20 * 1024 * 1024  # far beyond any council's history; a bigger file is a mistake


def _problem(file: str, row: int, column: str, code: str, message: str, hint: str, indicator: str = "") -> Problem:
    cell = f"{chr(ord('A') + FIGURE_COLUMNS.index(column))}{row}" if column in FIGURE_COLUMNS else f"row {row}"
    return Problem(code, Severity.ERROR, message, hint, file, "", cell, indicator)


def _figure(record: dict[str, str], row: int, file: str, register: Register) -> tuple[Figure | None, list[Problem]]:
    ident = (record.get("indicator") or "").strip()
    indicator = register.indicator(ident)
    if indicator is None:
        return None, [_problem(file, row, "indicator", "FIG_UNKNOWN_INDICATOR",
                               f"Indicator '{ident}' is not in the register.", "Correct the number.", ident)]
    try:
        period = parse_period(record.get("period") or "")
    except PeriodError as exc:
        return None, [_problem(file, row, "period", "FIG_BAD_PERIOD", str(exc), "", ident)]
    try:
        status = FigureStatus((record.get("status") or "validated").strip().lower())
    except ValueError:
        return None, [_problem(file, row, "status", "FIG_BAD_STATUS", f"Status '{record.get('status')}' is unknown.",
                               "Write validated, provisional or not_available.", ident)]
    raw = (record.get("value") or "").strip()
    value = None
    if raw:
        try:
            parsed = parse_number(raw)
        except NotANumber as exc:
            return None, [_problem(file, row, "value", "FIG_NOT_A_NUMBER", f"{exc}.",
                                   "Enter the figure, or leave it empty with status not_available and a reason.",
                                   ident)]
        if indicator.unit is Unit.PERCENTAGE and not parsed.percent_sign and parsed.value > 1:
            return None, [_problem(file, row, "value", "FIG_PERCENT_SCALE",
                                   f"Indicator {ident} is a percentage; {raw} would be {raw}00%.",
                                   f"Did you mean {raw}%? Write percentages with a % sign.", ident)]
        value = parsed.value
    elif status is not FigureStatus.NOT_AVAILABLE:
        return None, [_problem(file, row, "value", "FIG_MISSING", "The figure is empty.",
                               "Enter the figure, or set status not_available and give a reason.", ident)]
    return Figure(ident, period, value, status, (record.get("reason") or "").strip(),
                  (record.get("commentary") or "").strip(), (record.get("actions") or "").strip()), []


def read_figures_csv(path: Path, register: Register) -> tuple[list[Figure], list[Problem]]:
    """Every figure of a CSV file, and a problem for each row that cannot be taken."""
    if path.stat().st_size > MAX_BYTES:
        return [], [Problem("FIG_TOO_LARGE", Severity.ERROR, f"The file is over {MAX_BYTES // 2**20} MB.",
                            "Split it, or check it is the right file.", path.name)]
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return [], [Problem("FIG_ENCODING", Severity.ERROR, "The file is not UTF-8 text.",
                            "Save it as 'CSV UTF-8 (Comma delimited)' and try again.", path.name)]
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in FIGURE_COLUMNS[:3] if c not in (reader.fieldnames or [])]
    if missing:
        return [], [Problem("FIG_MISSING_COLUMN", Severity.ERROR, f"Column(s) {', '.join(missing)} missing.",
                            f"The first row must name the columns: {', '.join(FIGURE_COLUMNS)}.", path.name,
                            cell="row 1")]
    figures: list[Figure] = []
    problems: list[Problem] = []
    for row, record in enumerate(reader, start=2):
        figure, found = _figure(record, row, path.name, register)
        problems.extend(found)
        if figure:
            figures.append(figure)
    return figures, problems
