"""Figures kept as CSV: the example's seed figures, and history a council brings from before kpixl.

Columns: indicator, period, value, status, reason, commentary, actions; and, optionally, numerator and
denominator (a calculated indicator's two counts: its value is their rate) and action_owner and action_due
(who owns the corrective action, by when: 2024-03-31). Values as people write them ("380,018", "68%");
status validated (default), provisional or not_available. The checks here are shared
with the workbook form of the same table (figures_xlsx.py): both hand their rows to figures_from_records.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from kpixl.domain import Figure, FigureStatus, Indicator, Register, Unit, format_value, parse_period
from kpixl.domain.numbers import parse_number
from kpixl.domain.outlook import calculated_rate
from kpixl.errors import NotANumber, PeriodError
from kpixl.problems import Problem, Where, plural, problem

__all__ = ["FIGURE_COLUMNS", "OPTIONAL_COLUMNS", "FigureRow", "figure_rows_csv", "figures_from_records", "read_capped",
           "read_figures_csv", "size_problem"]

FIGURE_COLUMNS = ("indicator", "period", "value", "status", "reason", "commentary", "actions")
OPTIONAL_COLUMNS = ("numerator", "denominator", "action_owner", "action_due")  # docs/insight.md
MAX_BYTES = 20 * 1024 * 1024  # far beyond any council's history; a bigger file is a mistake


@dataclass(frozen=True)
class FigureRow:
    """A figure read from a table, with the cell its value came from (its provenance)."""

    figure: Figure
    row: int
    cell: str
    sheet: str = ""


@dataclass(frozen=True)
class _Table:
    """Where rows come from, so that a problem names the file, sheet and cell a person can open."""

    file: str
    columns: tuple[str, ...]  # the header as found: a person may have moved columns
    sheet: str = ""

    def cell(self, column: str, row: int) -> str:
        if column not in self.columns:
            return f"row {row}"
        return f"{column_letter(self.columns.index(column) + 1)}{row}"

    def where(self, row: int, column: str, indicator: str = "") -> Where:
        """The cell of a row's column (the row, when the column is not there), for a problem found there."""
        return Where(self.file, self.sheet, self.cell(column, row), indicator)


def column_letter(number: int) -> str:
    """1 -> A, 27 -> AA, as a spreadsheet names its columns."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _figure(record: dict[str, str], row: int, table: _Table,
            register: Register) -> tuple[Figure | None, list[Problem]]:
    ident = (record.get("indicator") or "").strip()
    indicator = register.indicator(ident)
    if indicator is None:
        return None, [problem("FIG_UNKNOWN_INDICATOR", table.where(row, "indicator", ident), indicator=ident)]
    try:
        period = parse_period(record.get("period") or "")
    except PeriodError as exc:
        return None, [problem("FIG_BAD_PERIOD", table.where(row, "period", ident), detail=exc)]
    try:
        status = FigureStatus((record.get("status") or "validated").strip().lower())
    except ValueError:
        return None, [problem("FIG_BAD_STATUS", table.where(row, "status", ident), status=record.get("status"))]
    raw = (record.get("value") or "").strip()
    value = None
    if raw:
        try:
            parsed = parse_number(raw)
        except NotANumber as exc:
            return None, [problem("FIG_NOT_A_NUMBER", table.where(row, "value", ident), detail=exc)]
        if indicator.unit is Unit.PERCENTAGE and not parsed.percent_sign and parsed.value > 1:
            return None, [problem("FIG_PERCENT_SCALE", table.where(row, "value", ident), indicator=ident,
                                  value=raw)]
        value = parsed.value
    parts, found = _parts(record, row, table, indicator, value)
    if found:
        return None, found
    if parts[0] is not None:
        value = parts[0]
    elif value is None and status is not FigureStatus.NOT_AVAILABLE:
        return None, [problem("FIG_MISSING", table.where(row, "value", ident))]
    due, found = _due(record, row, table, ident)
    if found:
        return None, found
    return Figure(indicator.id, period, value, status, (record.get("reason") or "").strip(),
                  (record.get("commentary") or "").strip(), (record.get("actions") or "").strip(), parts[1],
                  parts[2], (record.get("action_owner") or "").strip(), due), []


Parts = tuple[Decimal | None, Decimal | None, Decimal | None]  # (the rate, numerator, denominator)


def _parts(record: dict[str, str], row: int, table: _Table, indicator: Indicator,
           value: Decimal | None) -> tuple[Parts, list[Problem]]:
    """A calculated indicator's two counts and their rate; a value given beside them must agree with it."""
    texts = {key: (record.get(key) or "").strip() for key in ("numerator", "denominator")}
    ident = indicator.id
    none: Parts = (None, None, None)
    if not any(texts.values()):
        return none, []
    if indicator.calculation is None:
        return none, [problem("FIG_CALC/not_calculated", table.where(row, "numerator", ident), indicator=ident)]
    if not all(texts.values()):
        missing = next(key for key, text in texts.items() if not text)
        return none, [problem("FIG_CALC/incomplete", table.where(row, missing, ident), missing=missing)]
    counts: dict[str, Decimal] = {}
    for key, text in texts.items():
        try:
            counts[key] = parse_number(text).value
        except NotANumber as exc:
            return none, [problem("FIG_NOT_A_NUMBER", table.where(row, key, ident), detail=exc)]
    rate = calculated_rate(indicator, counts["numerator"], counts["denominator"])
    if rate is None:
        return none, [problem("FIG_CALC/zero", table.where(row, "denominator", ident))]
    if value is not None and not _agrees(rate, value, indicator.unit):
        shown = format_value(rate, indicator.unit, 2)
        return none, [problem("FIG_CALC", table.where(row, "value", ident), indicator=ident, rate=shown,
                              value=(record.get("value") or "").strip())]
    return (rate, counts["numerator"], counts["denominator"]), []


def _agrees(rate: Decimal, value: Decimal, unit: Unit) -> bool:
    """The value as typed is the rate rounded to the places it was typed with (33% for 0.3333...), counted as
    shown: a percentage's in per cent, so 1 (100%) never passes for 70%."""
    exponent = value.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    scale = Decimal(1)
    if unit is Unit.PERCENTAGE:
        scale, places = Decimal(100), max(0, places - 2)
    quantum = Decimal(1).scaleb(-places)
    return (rate * scale).quantize(quantum, rounding=ROUND_HALF_UP) == (value * scale).quantize(quantum)


def _due(record: dict[str, str], row: int, table: _Table, ident: str) -> tuple[date | None, list[Problem]]:
    text = (record.get("action_due") or "").strip()
    if not text:
        return None, []
    try:  # a workbook's date cell comes as 2024-03-31T00:00:00
        return date.fromisoformat(text[:10] if len(text) > 10 and text[10] == "T" else text), []
    except ValueError:
        return None, [problem("FIG_BAD_DATE", table.where(row, "action_due", ident), date=text[:40])]


def _missing_columns(table: _Table) -> list[Problem]:
    missing = [c for c in FIGURE_COLUMNS[:3] if c not in table.columns]
    if not missing:
        return []
    word = "Column" if len(missing) == 1 else plural("Column")
    return [problem("FIG_MISSING_COLUMN", Where(table.file, table.sheet, "row 1"), missing=f"{word} {', '.join(missing)}",
                    columns=", ".join(FIGURE_COLUMNS))]


def figures_from_records(records: Iterable[tuple[int, dict[str, str]]], columns: Sequence[str], file: str,
                         register: Register, sheet: str = "") -> tuple[list[FigureRow], list[Problem]]:
    """Every figure of a table's rows (row number, column -> text), and a problem for each row not taken."""
    table = _Table(file, tuple(columns), sheet)
    problems = _missing_columns(table)
    if problems:
        return [], problems
    rows: list[FigureRow] = []
    seen: dict[tuple[str, str], int] = {}
    for row, record in records:
        figure, found = _figure(record, row, table, register)
        problems.extend(found)
        if figure is None:
            continue
        key = (figure.indicator, figure.period.slug)
        if key in seen:  # two figures for one period: which is right is the person's call, not kpixl's
            problems.append(problem("FIG_DUPLICATE", table.where(row, "period", key[0]), indicator=key[0],
                                    period=key[1], first=seen[key]))
            continue
        seen[key] = row
        rows.append(FigureRow(figure, row, table.cell("value", row), table.sheet))
    return rows, problems


def read_capped(path: Path) -> bytes:
    """The file's bytes, read once and at most MAX_BYTES + 1 of them: enough to tell it is too large. The
    caller checks and hashes these same bytes, so a file changed meanwhile cannot be hashed as another."""
    with path.open("rb") as handle:
        return handle.read(MAX_BYTES + 1)


def size_problem(data: bytes, file: str) -> list[Problem]:
    """A file too big to be a council's history: read no further."""
    if len(data) <= MAX_BYTES:
        return []
    return [problem("FIG_TOO_LARGE/file", Where(file), limit=MAX_BYTES // 2**20)]


def figure_rows_csv(data: bytes, file: str, register: Register) -> tuple[list[FigureRow], list[Problem]]:
    """Every figure of a CSV file's bytes with its cell, and a problem for each row that cannot be taken."""
    if too_large := size_problem(data, file):
        return [], too_large
    try:  # universal newlines, as reading the file as text would: a cell's line breaks come back as \n
        text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig").read()
    except UnicodeDecodeError:
        return [], [problem("FIG_ENCODING", Where(file))]
    reader = csv.DictReader(io.StringIO(text))
    columns = [(name or "").strip().lower() for name in reader.fieldnames or []]
    reader.fieldnames = columns
    return figures_from_records(enumerate(reader, start=2), columns, file, register)


def read_figures_csv(path: Path, register: Register) -> tuple[list[Figure], list[Problem]]:
    """Every figure of a CSV file, and a problem for each row that cannot be taken."""
    rows, problems = figure_rows_csv(read_capped(path), path.name, register)
    return [r.figure for r in rows], problems
