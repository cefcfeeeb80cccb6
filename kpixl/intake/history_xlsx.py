"""Figures kept in a workbook: the same table as figures.csv, on the first sheet, for a council whose
history lives in Excel. Cells become the text a person would have typed, then the CSV checks apply.

Excel's habits are undone here: a period typed 2023-09 comes back as a date (read as that month), a
percentage typed 68% comes back as 0.68 (already the fraction kpixl keeps).
"""

from __future__ import annotations

import io
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from itertools import islice
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from kpixl.domain import Register
from kpixl.domain.numbers import to_decimal
from kpixl.errors import NotANumber
from kpixl.intake.history_csv import FigureRow, figures_from_records, size_problem
from kpixl.problems import Problem, Where, problem
from kpixl.untrusted.sniff import workbook_hazard

__all__ = ["MAX_ROWS", "figure_rows_xlsx"]

MAX_ROWS = 100_000  # rows read at most: a declared dimension of a million rows is damage, not history
# The rows the part scan lets through: the rows read, and room for titles and blank rows, so that a long
# history meets the reader's own message (FIG_TOO_MANY_ROWS, which says to split it), not the scan's.
SCAN_ROWS = MAX_ROWS + 1_000
MAX_COLUMNS = 30  # columns read: the table has 7, a lead may add notes beside them


def _text(value: Any, column: str) -> str:
    """A cell as the text a person typed."""
    if value is None:
        return ""
    if isinstance(value, (datetime, date)):
        return f"{value.year}-{value.month:02d}" if column == "period" else value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return str(to_decimal(value))
        except NotANumber:
            return str(value)
    return str(value)


def _records(rows: Iterable[tuple[Any, ...]], columns: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    for number, values in enumerate(rows, start=2):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue  # an empty row between blocks is layout, not a figure
        yield number, {c: _text(v, c) for c, v in zip(columns, values) if c}


def _unreadable(file: str, why: str) -> tuple[list[FigureRow], list[Problem]]:
    return [], [problem("FIG_UNREADABLE", Where(file), detail=why)]


def _refused(file: str, data: bytes) -> list[Problem]:
    """The checks a return gets before openpyxl opens it (size, zip directory, every XML part), as problems."""
    if too_large := size_problem(data, file):
        return too_large
    hit = workbook_hazard(data, SCAN_ROWS)
    if hit is None:
        return []
    if hit.code == "FILE_TOO_LARGE":
        return [problem("FIG_TOO_LARGE", Where(file), detail=hit.detail)]
    return _unreadable(file, hit.detail)[1]


def figure_rows_xlsx(data: bytes, file: str, register: Register) -> tuple[list[FigureRow], list[Problem]]:
    """Every figure on the first sheet of a workbook's bytes with its cell, and a problem for each row not
    taken. The bytes are checked as a return's are before openpyxl parses anything."""

    if refused := _refused(file, data):
        return [], refused
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns of features it drops; the figures are unaffected
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        return _unreadable(file, str(exc) or type(exc).__name__)
    except Exception as exc:  # noqa: BLE001 - XML openpyxl cannot parse (defusedxml refuses entities)
        return _unreadable(file, f"{type(exc).__name__}: {' '.join(str(exc).split())[:100]}")
    try:
        return _read(book, file, register)
    except Exception as exc:  # noqa: BLE001 - damaged or hostile XML fails inside openpyxl's streaming
        return _unreadable(file, f"{type(exc).__name__}: {' '.join(str(exc).split())[:100]}")
    finally:
        book.close()


def _read(book: Any, file: str, register: Register) -> tuple[list[FigureRow], list[Problem]]:
    sheet = book.worksheets[0]
    sheet.reset_dimensions()  # a declared A1:XFD1048576 would make every row 16,384 cells wide
    rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
    header = next(rows, ())
    columns = [str(v).strip().lower() if v is not None else "" for v in header]
    records = _records(islice(rows, MAX_ROWS), columns)
    found, problems = figures_from_records(records, columns, file, register, sheet.title)
    if any(v is not None for v in next(rows, ())):
        problems.append(problem("FIG_TOO_MANY_ROWS", Where(file, sheet.title), limit=MAX_ROWS))
    return found, problems
