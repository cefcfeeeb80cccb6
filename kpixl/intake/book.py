"""Reading a returned workbook's cells: the Return sheet's rows by header, the hidden metadata's pairs and the
feedback sheet's responses. No judgement here (checks.py and assess.py judge); only what the cells say.

The file is untrusted. By the time it gets here sniff() has checked its zip directory and every part against
limits.py, and proved that the sheets read here mean one thing to every spreadsheet program
(untrusted/sheets.py, which opens the sheets this module opens: Return by name, else each sheet that may be it,
the metadata sheet, the Problems sheet). openpyxl parses its XML with defusedxml (installed with kpixl), in
read-only mode (streamed, bounded by the READ windows of limits.py whatever the sheet's declared dimension),
without external links, and with data_only=False so that a formula typed where a figure goes is seen as a
formula and refused, never evaluated and never taken from its cached value. Texts are decoded as Excel and
LibreOffice show them (sheets.decode_text: the _x000D_ Excel writes before each line feed of a pasted text).
The sheets opened and the cells handed over are counted (ReturnBook.sheets_read, cells_read).
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from kpixl.layout.returns import (
    ALL_COLUMNS,
    FEEDBACK_SHEET,
    META_SHEET,
    RESPONSE_HEADER,
    RETURN_SHEET,
    SIGNOFF_FIELDS,
    SIGNOFF_MAX,
    SIGNOFF_SHEET,
    meta_pairs,
)
from kpixl.problems import Problem, Where, problem
from kpixl.untrusted.limits import FEEDBACK_READ, HEADER_SEARCH_ROWS, MAX_ROWS, META_READ, RETURN_READ
from kpixl.untrusted.sheets import decode_text, sheet_key

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
    signoff: dict[str, str] = field(default_factory=dict)  # the Sign-off sheet's name, role and date, if typed
    sheets_read: int = 0  # sheets openpyxl parsed (issue 12's cost bound counts them)
    cells_read: int = 0  # cells it handed over, blanks included


class _Counted:
    """The rows of the sheets read, up to each sheet's last row when sniff() found it, counting the sheets
    opened and the cells handed over. openpyxl's read-only mode parses a sheet lazily, a row at a time: asked
    for a row past the last, it would parse the rest of the sheet (merged ranges, validations, hyperlinks,
    each built into an object) only to find there is none."""

    def __init__(self, last_rows: Mapping[str, int] | None) -> None:
        self.last_rows = last_rows or {}
        self.sheets = self.cells = 0

    def rows(self, ws: Any, max_row: int, max_col: int, values_only: bool = False) -> Iterator[Any]:
        self.sheets += 1
        max_row = min(max_row, self.last_rows.get(ws.title, max_row))
        if max_row < 1:
            return
        source = ws.iter_rows(min_row=1, max_row=max_row, max_col=max_col, values_only=values_only)
        for number, row in enumerate(source, start=1):
            self.cells += len(row)
            yield row
            if number == max_row:
                source.close()  # never asks for another row
                return


def normal(text: object) -> str:
    return sheet_key(text) if isinstance(text, str) else ""


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


def _decoded(value: Any) -> Any:
    return decode_text(value) if isinstance(value, str) else value


def _cell(c: Any, ref: str) -> Cell:
    formula = getattr(c, "data_type", "") == "f"
    value = getattr(c, "value", None)
    if formula and not isinstance(value, str):  # an array or data-table formula object
        value = str(getattr(value, "text", value))
    elif not formula:
        value = _decoded(value)
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


def _find_header(ws: Any, counted: _Counted) -> tuple[int, dict[str, int]]:
    """The header row (the first with the Indicator and Current figure headings) and each column found."""
    wanted = {normal(c.header): c.key for c in ALL_COLUMNS}
    for number, row in enumerate(counted.rows(ws, HEADER_SEARCH_ROWS, RETURN_READ[1], values_only=True),
                                 start=1):
        found = _header_columns([_decoded(v) for v in row], wanted)
        if found:
            return number, found
    return 0, {}


def _header_and_rows(ws: Any, counted: _Counted) -> tuple[int, dict[str, int], Iterator[SheetRow]]:
    """The header row, its columns and each non-blank data row below it, up to MAX_ROWS + 1 rows, from one
    pass over the sheet (read-only openpyxl parses a sheet from its start on every iter_rows, so finding
    the header and then reading the rows parsed the Return sheet twice). Read-only sheets yield every row,
    empty ones included, so counting is exact."""
    wanted = {normal(c.header): c.key for c in ALL_COLUMNS}
    rows = counted.rows(ws, *RETURN_READ)
    for number, row in enumerate(rows, start=1):
        found = _header_columns([_decoded(getattr(c, "value", None)) for c in row], wanted)
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


def _return_sheet(book: Any, counted: _Counted) -> Any | None:
    """The Return sheet by name or, renamed, the first other sheet with kpixl's headings: the sheets
    untrusted/sheets.py checked, and no other."""
    titles = {normal(t): t for t in book.sheetnames}
    if normal(RETURN_SHEET) in titles:
        return book[titles[normal(RETURN_SHEET)]]
    for title in book.sheetnames:  # renamed: the sheet with kpixl's headings is the return
        if title not in (META_SHEET, FEEDBACK_SHEET) and _find_header(book[title], counted)[0]:
            return book[title]
    return None


def _meta_pairs(book: Any, counted: _Counted) -> dict[str, str] | None:
    if META_SHEET not in book.sheetnames:
        return None
    rows = counted.rows(book[META_SHEET], *META_READ, values_only=True)
    return meta_pairs(([_decoded(v) for v in row] for row in rows), cell_text)


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


def _responses(book: Any, counted: _Counted) -> list[Response]:
    """The lead's answers on the Problems sheet of a feedback workbook sent back, each with the problem it
    answers (code, indicator, period, cell) and where it is written."""
    if FEEDBACK_SHEET not in book.sheetnames:
        return []
    rows = ([_decoded(v) for v in row] for row in counted.rows(book[FEEDBACK_SHEET], *FEEDBACK_READ,
                                                                 values_only=True))
    at, header = _header_row(rows)
    try:
        code, indicator, cell, response = (header.index(normal(h)) for h in
                                           ("Code", "Indicator", "Cell", RESPONSE_HEADER))
    except ValueError:
        return []
    period = header.index(normal("Period")) if normal("Period") in header else None
    severity = header.index(normal("Severity")) if normal("Severity") in header else None
    found = []
    for number, values in enumerate(rows, start=at + 1):
        row = tuple(values) + (None,) * len(header)
        text = cell_text(row[response]).strip() if isinstance(row[response], (str, int, float)) else ""
        if text:
            found.append(Response(cell_text(row[code]).strip(), cell_text(row[indicator]).strip(),
                                  "" if period is None else cell_text(row[period]).strip(),
                                  cell_text(row[cell]).strip(), text,
                                  "query" if severity is None else cell_text(row[severity]).strip().lower(),
                                  f"{get_column_letter(response + 1)}{number}"))
    return found


def _signoff(book: Any, counted: _Counted) -> dict[str, str]:
    """What the head of service typed on the Sign-off sheet: name, role and date ({} when no name and role)."""
    if SIGNOFF_SHEET not in book.sheetnames:
        return {}
    last = max(row for _, _, row in SIGNOFF_FIELDS)
    column = [row[0] if row else None for row in counted.rows(book[SIGNOFF_SHEET], last, 1, values_only=True)]
    column += [None] * (last - len(column))
    typed = {key: " ".join(cell_text(column[row - 1]).split())[:SIGNOFF_MAX] for key, _, row in SIGNOFF_FIELDS}
    return typed if typed["name"] and typed["role"] else {}


def read_book(data: bytes, file: str, last_rows: Mapping[str, int] | None = None
              ) -> tuple[ReturnBook | None, list[Problem]]:
    """The workbook's cells, or the problems that stop it being read at all. Never raises on content.
    last_rows: each sheet's last row, as sniff() found it (Sniffed.last_rows): no sheet is read past it."""

    where = Where(file)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about parts it drops (extensions, slicers) and bad dates: none hold a figure.
            warnings.simplefilter("ignore")
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
            try:
                return _read(book, where, _Counted(last_rows))
            finally:
                book.close()
    except Exception as exc:  # noqa: BLE001 - damage fails anywhere in zipfile, the XML parser or openpyxl
        detail = f"{type(exc).__name__}: {' '.join(str(exc).split())[:100]}"
        return None, [problem("FILE_CORRUPT", where, detail=detail)]


def _read(book: Any, where: Where, counted: _Counted) -> tuple[ReturnBook | None, list[Problem]]:
    ws = _return_sheet(book, counted)
    if ws is None:
        return None, [problem("SHEET_MISSING", where, sheet=RETURN_SHEET)]
    ws.reset_dimensions()  # the file's own size record may be wrong, or hostile (A1:XFD1048576)
    header, columns, data_rows = _header_and_rows(ws, counted)
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
    meta, responses, signoff = _meta_pairs(book, counted), _responses(book, counted), _signoff(book, counted)
    return ReturnBook(ws.title, columns, rows, meta, responses, too_many, signoff, counted.sheets,
                      counted.cells), []
