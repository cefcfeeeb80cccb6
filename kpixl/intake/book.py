"""Reading a returned workbook's cells: the Return sheet's rows by header, the hidden metadata's pairs and the
feedback sheet's responses. No judgement here (checks.py and assess.py judge); only what the cells say.

The file is untrusted. By the time it gets here sniff() has checked its zip directory against limits.py;
openpyxl parses its XML with defusedxml (installed with kpixl), in read-only mode (streamed, bounded by
MAX_ROWS and MAX_COLUMNS whatever the sheet's declared dimension), without external links, and with
data_only=False so that a formula typed where a figure goes is seen as a formula and refused, never
evaluated and never taken from its cached value.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from kpixl.layout.returns import (
    ALL_COLUMNS,
    FEEDBACK_HEADERS,
    FEEDBACK_SHEET,
    META_SHEET,
    RESPONSE_HEADER,
    RETURN_SHEET,
    meta_pairs,
)
from kpixl.problems import Problem, Where, problem
from kpixl.untrusted.limits import HEADER_SEARCH_ROWS, MAX_COLUMNS, MAX_META_ROWS, MAX_ROWS

__all__ = ["REQUIRED_KEYS", "Cell", "Response", "ReturnBook", "SheetRow", "cell_text", "feedback_header", "normal",
           "read_book"]

# Without these the rows cannot be matched or the return judged; the others (context, revision) may go.
REQUIRED_KEYS = ("indicator", "period", "current", "reason", "commentary", "actions")
_HEADERS = {c.key: c.header for c in ALL_COLUMNS}


@dataclass(frozen=True)
class Cell:
    ref: str  # A1
    value: Any  # as openpyxl reads it: str, int, float, bool, datetime, None; a formula's text
    formula: bool = False
    number_format: str = "General"

    @property
    def blank(self) -> bool:
        return self.value is None or (isinstance(self.value, str) and not self.value.strip())


@dataclass(frozen=True)
class SheetRow:
    row: int
    cells: dict[str, Cell]  # by layout key, for the columns found

    def get(self, key: str) -> Cell | None:
        return self.cells.get(key)

    def text(self, key: str) -> str:
        cell = self.cells.get(key)
        return cell_text(cell.value) if cell and not cell.formula else ""

    @property
    def indicator(self) -> str:
        return self.text("indicator").strip()


@dataclass(frozen=True)
class Response:
    """A lead's answer in the "Your response" column of a feedback workbook's Problems sheet, sent back."""

    code: str
    indicator: str
    period: str  # as the sheet prints it ("September 2023"); "" on a sheet from before it had the column
    cell: str  # the cell of the problem answered
    text: str
    severity: str  # of the problem answered: only a query can be explained
    ref: str  # where the answer is written on the Problems sheet (I5)


@dataclass
class ReturnBook:
    sheet: str
    columns: dict[str, int]  # layout key -> 1-based column
    rows: list[SheetRow]
    meta_pairs: dict[str, str] | None  # None: no metadata sheet
    responses: list[Response] = field(default_factory=list)
    too_many_rows: bool = False


def normal(text: object) -> str:
    return " ".join(text.split()).casefold() if isinstance(text, str) else ""


def cell_text(value: Any) -> str:
    """A cell as the text a person typed: 36 rather than 36.0, a date as 2023-09-30."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ") if value.time() != time(0) else value.date().isoformat()
    if isinstance(value, (date, time, timedelta, Decimal, int, float)):
        return str(value)
    return str(value)


def _cell(c: Any, ref: str) -> Cell:
    formula = getattr(c, "data_type", "") == "f"
    value = getattr(c, "value", None)
    if formula and not isinstance(value, str):  # an array or data-table formula object
        value = str(getattr(value, "text", value))
    try:
        fmt = getattr(c, "number_format", "General") or "General"
    except (IndexError, AttributeError, KeyError):  # a style index pointing nowhere: damage, not a format
        fmt = "General"
    return Cell(ref, value, formula, str(fmt))


def _header_columns(row: Any, wanted: dict[str, str]) -> dict[str, int]:
    """Each kpixl column heading found in a row of values, by its 1-based column; {} unless the row has
    both the Indicator and Current figure headings."""
    found: dict[str, int] = {}
    for index, value in enumerate(row, start=1):
        key = wanted.get(normal(value))
        if key and key not in found:
            found[key] = index
    return found if "indicator" in found and "current" in found else {}


def _find_header(ws: Any) -> tuple[int, dict[str, int]]:
    """The header row (the first with the Indicator and Current figure headings) and each column found."""
    wanted = {normal(c.header): c.key for c in ALL_COLUMNS}
    for number, row in enumerate(ws.iter_rows(min_row=1, max_row=HEADER_SEARCH_ROWS, max_col=MAX_COLUMNS,
                                              values_only=True), start=1):
        found = _header_columns(row, wanted)
        if found:
            return number, found
    return 0, {}


def _header_and_rows(ws: Any) -> tuple[int, dict[str, int], Iterator[SheetRow]]:
    """The header row, its columns and each non-blank data row below it, up to MAX_ROWS + 1 rows, from one
    pass over the sheet (read-only openpyxl parses a sheet from its start on every iter_rows, so finding
    the header and then reading the rows parsed the Return sheet twice). Read-only sheets yield every row,
    empty ones included, so counting is exact."""
    wanted = {normal(c.header): c.key for c in ALL_COLUMNS}
    rows = ws.iter_rows(min_row=1, max_row=HEADER_SEARCH_ROWS + MAX_ROWS + 1, max_col=MAX_COLUMNS)
    for number, row in enumerate(rows, start=1):
        found = _header_columns([getattr(c, "value", None) for c in row], wanted)
        if found:
            return number, found, _data_rows(rows, number, found)
        if number >= HEADER_SEARCH_ROWS:
            break
    return 0, {}, iter(())


def _data_rows(rows: Iterator[Any], header: int, columns: dict[str, int]) -> Iterator[SheetRow]:
    """Each non-blank row of rows (those after the header row), up to MAX_ROWS + 1 of them."""

    letters = {key: get_column_letter(col) for key, col in columns.items()}
    last = header + MAX_ROWS + 1
    for number, row in enumerate(rows, start=header + 1):
        if number > last:
            break
        cells = {key: _cell(row[col - 1], f"{letters[key]}{number}") for key, col in columns.items()
                 if col - 1 < len(row)}
        if not all(c.blank for c in cells.values()):
            yield SheetRow(number, cells)


def _return_sheet(book: Any) -> Any | None:
    titles = {normal(t): t for t in book.sheetnames}
    if normal(RETURN_SHEET) in titles:
        return book[titles[normal(RETURN_SHEET)]]
    for title in book.sheetnames:  # renamed: the sheet with kpixl's headings is the return
        if title not in (META_SHEET, FEEDBACK_SHEET) and _find_header(book[title])[0]:
            return book[title]
    return None


def _meta_pairs(book: Any) -> dict[str, str] | None:
    if META_SHEET not in book.sheetnames:
        return None
    rows = book[META_SHEET].iter_rows(min_row=1, max_row=MAX_META_ROWS, max_col=2, values_only=True)
    return meta_pairs(rows, cell_text)


def _header_row(rows: Iterator[Sequence[Any]]) -> tuple[int, list[str]]:
    """The Problems sheet's header row (its number, and its headings normalised), taking rows from rows up to
    and including it; (0, []) when none of the first HEADER_SEARCH_ROWS has the response column (kpixl writes
    a banner above it; older feedback workbooks have the header in row 1)."""
    for number, row in zip(range(1, HEADER_SEARCH_ROWS + 1), rows):
        header = [normal(v) for v in row]
        if normal(RESPONSE_HEADER) in header:
            return number, header
    return 0, []


def feedback_header(rows: Iterator[Sequence[Any]]) -> list[str]:
    """The Problems sheet's header row, normalised, taking rows from rows up to and including it (_header_row)."""
    return _header_row(rows)[1]


def _responses(book: Any) -> list[Response]:
    """The lead's answers on the Problems sheet of a feedback workbook sent back, each with the problem it
    answers (code, indicator, period, cell) and where it is written."""
    if FEEDBACK_SHEET not in book.sheetnames:
        return []
    rows = book[FEEDBACK_SHEET].iter_rows(min_row=1, max_row=HEADER_SEARCH_ROWS + MAX_ROWS,
                                          max_col=len(FEEDBACK_HEADERS) + 5, values_only=True)
    at, header = _header_row(rows)
    try:
        code, indicator, cell, response = (header.index(normal(h)) for h in
                                           ("Code", "Indicator", "Cell", RESPONSE_HEADER))
    except ValueError:
        return []
    period = header.index(normal("Period")) if normal("Period") in header else None
    severity = header.index(normal("Severity")) if normal("Severity") in header else None
    found = []
    for number, row in enumerate(rows, start=at + 1):
        row = tuple(row) + (None,) * len(header)
        text = cell_text(row[response]).strip() if isinstance(row[response], (str, int, float)) else ""
        if text:
            found.append(Response(cell_text(row[code]).strip(), cell_text(row[indicator]).strip(),
                                  "" if period is None else cell_text(row[period]).strip(),
                                  cell_text(row[cell]).strip(), text,
                                  "query" if severity is None else cell_text(row[severity]).strip().lower(),
                                  f"{get_column_letter(response + 1)}{number}"))
    return found


def read_book(data: bytes, file: str) -> tuple[ReturnBook | None, list[Problem]]:
    """The workbook's cells, or the problems that stop it being read at all. Never raises on content."""

    where = Where(file)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about parts it drops (extensions, slicers) and bad dates: none hold a figure.
            warnings.simplefilter("ignore")
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
            try:
                return _read(book, where)
            finally:
                book.close()
    except Exception as exc:  # noqa: BLE001 - damage fails anywhere in zipfile, the XML parser or openpyxl
        detail = f"{type(exc).__name__}: {' '.join(str(exc).split())[:100]}"
        return None, [problem("FILE_CORRUPT", where, detail=detail)]


def _read(book: Any, where: Where) -> tuple[ReturnBook | None, list[Problem]]:
    ws = _return_sheet(book)
    if ws is None:
        return None, [problem("SHEET_MISSING", where, sheet=RETURN_SHEET)]
    ws.reset_dimensions()  # the file's own size record may be wrong, or hostile (A1:XFD1048576)
    header, columns, data_rows = _header_and_rows(ws)
    if not header:
        return None, [problem("SHEET_MISSING", where, sheet=RETURN_SHEET)]
    missing = [k for k in REQUIRED_KEYS if k not in columns]
    if missing:
        at = Where(where.file, ws.title)
        return None, [problem("COLUMN_MISSING", at, sheet=ws.title, header=_HEADERS[k]) for k in missing]
    rows: list[SheetRow] = []
    too_many = False
    for row in data_rows:
        if row.row > header + MAX_ROWS:
            too_many = True
            break
        rows.append(row)
    return ReturnBook(ws.title, columns, rows, _meta_pairs(book), _responses(book), too_many), []
