"""Reading the register kept as an Excel workbook, as a council filled it in (openpyxl).

The sheets and headings are kpixl.layout.register's, which the template writer (kpixl.workbook.register_book)
uses too, so a heading cannot be spelled one way in the template and another here. Each row becomes a RawRow
that knows its cells, and every damage a Problem.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from kpixl.domain.numbers import to_decimal
from kpixl.errors import NotANumber
from kpixl.layout.register import SHEETS, Column
from kpixl.problems import Problem, Where, problem
from kpixl.register.build import RawRow
from kpixl.untrusted.limits import MAX_FILE_BYTES
from kpixl.untrusted.sniff import workbook_hazard

__all__ = ["MAX_ROWS", "REQUIRED_SHEETS", "read_workbook_rows"]

MAX_ROWS = 20_000  # data rows read per sheet: far beyond any council's register, short of a runaway file
REQUIRED_SHEETS = ("Indicators", "Services", "Committees")
FIGURE_KEYS = frozenset({"value", "red", "blue", "statistical_neighbours_mean", "england_mean"})

_EXCEL_COLUMNS = 16_384

Cell = Any  # a value as openpyxl reads it: str, int, float, bool, datetime or None


def read_workbook_rows(path: Path) -> tuple[list[RawRow], list[Problem]]:
    """The register's rows from a workbook, and the problems that stopped a sheet or the file being read.
    The file is read once, and checked as a return is (size, zip directory, every XML part) before openpyxl
    parses it: a register may come from anyone, and a DOCTYPE or a million rows must not get further."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return [], [problem("REG_UNREADABLE/open", Where(path.name), detail=exc.strerror or exc)]
    if refused := _refused(data, path.name):
        return [], refused
    try:
        with warnings.catch_warnings():
            # openpyxl warns about parts it drops (validation extensions, slicers): they hold no values.
            warnings.simplefilter("ignore", UserWarning)
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                return _read_book(book, path.name)
            finally:
                book.close()
    except Exception as exc:  # noqa: BLE001 - a damaged file fails anywhere in zipfile, XML or openpyxl
        why = f"{type(exc).__name__}: {str(exc)[:120]}"
        return [], [problem("REG_UNREADABLE/workbook", Where(path.name), detail=why)]


def _refused(data: bytes, file: str) -> list[Problem]:
    """Why these bytes must not reach openpyxl (too large, a zip bomb, a DOCTYPE, damage); [] if they may."""
    if len(data) > MAX_FILE_BYTES:
        return [problem("REG_TOO_LARGE/file", Where(file), limit=MAX_FILE_BYTES // 2**20)]
    hit = workbook_hazard(data, MAX_ROWS + 1_000)  # the rows read, and room for titles and blank rows
    if hit is None:
        return []
    if hit.code == "FILE_TOO_LARGE":
        return [problem("REG_TOO_LARGE", Where(file), detail=hit.detail)]
    return [problem("REG_UNREADABLE/workbook", Where(file), detail=hit.detail)]


def _read_book(book: Any, file: str) -> tuple[list[RawRow], list[Problem]]:
    # Councils retitle sheets in their own case ("INDICATORS"); the name still says which sheet it is.
    titles = {title.strip().casefold(): title for title in book.sheetnames}
    rows: list[RawRow] = []
    problems: list[Problem] = []
    for sheet, columns in SHEETS.items():
        title = titles.get(sheet.casefold())
        if title is None:
            if sheet in REQUIRED_SHEETS:
                problems.append(problem("REG_MISSING_SHEET", Where(file, sheet), sheet=sheet))
            continue
        sheet_rows, sheet_problems = _read_sheet(book[title], sheet, columns, file)
        rows.extend(sheet_rows)
        problems.extend(sheet_problems)
    return rows, problems


def _read_sheet(ws: Any, sheet: str, columns: Sequence[Column], file: str) -> tuple[list[RawRow], list[Problem]]:
    ws.reset_dimensions()  # a file's own size record can be wrong, and openpyxl would stop reading there
    header = next(iter(ws.iter_rows(min_row=1, max_row=1)), ())
    positions = _match_headers(header, columns)
    missing = [c for c in columns if c.required and c.key not in positions]
    if missing:
        # One problem per missing column, not one "is empty" per row: the rows wait until the column is added.
        cell = _first_empty_header(header)
        return [], [problem("REG_MISSING_COLUMN", Where(file, sheet, cell), sheet=sheet, header=c.header)
                    for c in missing]
    return _data_rows(ws, sheet, positions, file)


def _normal(text: object) -> str:
    return " ".join(text.split()).casefold() if isinstance(text, str) else ""


def _match_headers(header: Iterable[Any], columns: Sequence[Column]) -> dict[str, int]:
    """Each known column's key and its 1-based position; unknown columns are the council's own, ignored."""
    wanted = {_normal(c.header): c.key for c in columns}
    positions: dict[str, int] = {}
    for index, cell in enumerate(header, start=1):
        key = wanted.get(_normal(cell.value))
        if key and key not in positions:
            positions[key] = index
    return positions


def _first_empty_header(header: Sequence[Any]) -> str:
    """Where a missing column could go: the first empty heading, else the one after the last."""
    index = next((i for i, cell in enumerate(header, start=1) if _blank(cell.value)), len(header) + 1)
    return f"{get_column_letter(index)}1" if index <= _EXCEL_COLUMNS else "row 1"


def _blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _data_rows(ws: Any, sheet: str, positions: dict[str, int], file: str) -> tuple[list[RawRow], list[Problem]]:
    letters = {key: get_column_letter(index) for key, index in positions.items()}
    rows: list[RawRow] = []
    # Our own row counter: openpyxl fills rows missing from the file with empty ones, so it stays exact.
    for number, cells in enumerate(ws.iter_rows(min_row=2, max_col=max(positions.values())), start=2):
        values = {key: _value(cells[index - 1], key) for key, index in positions.items()}
        if all(_blank(value) for value in values.values()):
            continue  # blank lines and rows holding only the council's own columns are not records
        if len(rows) == MAX_ROWS:
            return rows, [problem("REG_TOO_MANY_ROWS", Where(file, sheet, f"row {number}"), sheet=sheet,
                                  limit=MAX_ROWS)]
        rows.append(RawRow(sheet, values, _placer(letters, number), number))
    return rows, []


def _placer(letters: dict[str, str], number: int) -> Callable[[str], str]:
    return lambda key: f"{letters[key]}{number}" if key in letters else f"row {number}"


def _value(cell: Any, key: str) -> Cell:
    """A cell's value as the person saw it, where Excel's own conversion would mislead the checks."""
    value = cell.value
    if key in FIGURE_KEYS and isinstance(value, (int, float)) and not isinstance(value, bool) \
            and "%" in (cell.number_format or ""):
        # Typed 150% shows as 150% but is held as 1.5: say so, or the check would ask "did you mean 1.5%?".
        try:
            return f"{(to_decimal(value) * 100).normalize():f}%"
        except NotANumber:
            return value
    if key == "period" and isinstance(value, (datetime, date)) and value.day == 1:
        return f"{value.year:04d}-{value.month:02d}"  # Excel turns a typed 2023-09 into 1 September 2023
    return value
