"""The register as an Excel workbook: reading what a council filled in, and writing the template or a register.

Both directions go by fields.SHEETS, so a heading cannot be spelled one way in the template and another in
the reader. Reading (openpyxl) turns each row into a RawRow that knows its cells, and every damage into a
Problem; writing (xlsxwriter) raises OutputError, because a workbook kpixl cannot build is kpixl's failure.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from xlsxwriter import Workbook
from xlsxwriter.exceptions import XlsxWriterException
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_range_abs
from xlsxwriter.worksheet import Worksheet

from kpixl.domain import Indicator, Register, Unit
from kpixl.domain.numbers import to_decimal
from kpixl.errors import NotANumber, OutputError
from kpixl.problems import Problem, Severity
from kpixl.register.build import RawRow
from kpixl.register.fields import SHEETS, Column
from kpixl.untrusted.limits import MAX_FILE_BYTES
from kpixl.untrusted.sniff import workbook_hazard

__all__ = ["MAX_ROWS", "REQUIRED_SHEETS", "read_workbook_rows", "write_register_workbook"]

MAX_ROWS = 20_000  # data rows read per sheet: far beyond any council's register, short of a runaway file
REQUIRED_SHEETS = ("Indicators", "Services", "Committees")
VALIDATED_ROWS = 2000  # the template's dropdowns and messages reach this row (or the last written row)
FIGURE_KEYS = frozenset({"value", "red", "blue", "statistical_neighbours_mean", "england_mean"})
_NUMBER_KEYS = FIGURE_KEYS | {"decimals"}
_EXCEL_COLUMNS = 16_384
_TEMPLATE = "the template has it: kpixl register template FILE"
_LISTS = "Lists"
_CREATED = datetime(2023, 1, 1)  # pinned so that the same register always gives the same bytes

Cell = Any  # a value as openpyxl reads it: str, int, float, bool, datetime or None


# --- Reading -------------------------------------------------------------------------------------------


def read_workbook_rows(path: Path) -> tuple[list[RawRow], list[Problem]]:
    """The register's rows from a workbook, and the problems that stopped a sheet or the file being read.
    The file is read once, and checked as a return is (size, zip directory, every XML part) before openpyxl
    parses it: a register may come from anyone, and a DOCTYPE or a million rows must not get further."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return [], [_unreadable(f"The file cannot be opened: {exc.strerror or exc}.", _CLOSED, path.name)]
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
        return [], [_unreadable(f"This is not a readable Excel workbook ({why}).", _RESAVE, path.name)]


_CLOSED = "Check the file's name and folder, and close it in Excel if it is open."
_RESAVE = "Save the register as .xlsx (Excel Workbook) and try again."


def _unreadable(message: str, hint: str, file: str) -> Problem:
    return Problem("REG_UNREADABLE", Severity.ERROR, message, hint, file)


def _refused(data: bytes, file: str) -> list[Problem]:
    """Why these bytes must not reach openpyxl (too large, a zip bomb, a DOCTYPE, damage); [] if they may."""
    if len(data) > MAX_FILE_BYTES:
        return [_too_large(f"The file is over {MAX_FILE_BYTES // 2**20} MB: too large to be a register.", file)]
    hit = workbook_hazard(data, MAX_ROWS + 1_000)  # the rows read, and room for titles and blank rows
    if hit is None:
        return []
    if hit.code == "FILE_TOO_LARGE":
        return [_too_large(f"The workbook is too large to read safely: {hit.detail}.", file)]
    return [_unreadable(f"This is not a readable Excel workbook ({hit.detail}).", _RESAVE, file)]


def _too_large(message: str, file: str) -> Problem:
    return Problem("REG_TOO_LARGE", Severity.ERROR, message, "Check it is the register; delete what is not part "
                   "of it (pictures, extra sheets, rows pasted far below the table), save it as .xlsx and try "
                   "again.", file)


def _read_book(book: Any, file: str) -> tuple[list[RawRow], list[Problem]]:
    # Councils retitle sheets in their own case ("INDICATORS"); the name still says which sheet it is.
    titles = {title.strip().casefold(): title for title in book.sheetnames}
    rows: list[RawRow] = []
    problems: list[Problem] = []
    for sheet, columns in SHEETS.items():
        title = titles.get(sheet.casefold())
        if title is None:
            if sheet in REQUIRED_SHEETS:
                problems.append(Problem("REG_MISSING_SHEET", Severity.ERROR,
                                        f"The workbook has no sheet named '{sheet}'.",
                                        f"Add a sheet named '{sheet}' ({_TEMPLATE}).", file, sheet))
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
        return [], [Problem("REG_MISSING_COLUMN", Severity.ERROR, f"The {sheet} sheet has no column headed "
                            f"'{c.header}'.", f"Add a column headed '{c.header}' ({_TEMPLATE}).", file, sheet, cell)
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
            return rows, [Problem("REG_TOO_MANY_ROWS", Severity.ERROR,
                                  f"The {sheet} sheet has more than {MAX_ROWS:,} rows; kpixl stopped reading here.",
                                  "Delete the rows that are not part of the register, including any pasted far "
                                  "below the table.", file, sheet, f"row {number}")]
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


# --- Writing -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Figure:
    value: Decimal
    percent: bool = False


Written = str | int | _Figure | None


def write_register_workbook(path: Path, register: Register | None = None) -> None:
    """The blank template (register None), or the register's contents, as a workbook with dropdowns."""
    book = Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                "strings_to_urls": False})
    try:
        writer = _Writer(book)
        tables = _tables(register) if register is not None else {sheet: [] for sheet in SHEETS}
        for sheet, columns in SHEETS.items():
            writer.sheet(sheet, columns, tables[sheet])
        writer.lists()
        _call(book.set_properties, {"title": "kpixl indicator register", "created": _CREATED})
        book.close()
    except (OSError, XlsxWriterException) as exc:
        raise OutputError(f"Cannot write {path}: {exc}. Check that the folder exists and that the file is not "
                          "open in Excel.") from exc


def _call(method: Callable[..., Any], *args: Any) -> None:
    """xlsxwriter warns and returns -1 or -2 instead of raising: a dropdown could go missing unnoticed."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = method(*args)
    if result or caught:
        reason = str(caught[0].message) if caught else f"returned {result}"
        raise OutputError(f"kpixl could not build the register workbook: {method.__name__} failed ({reason}). "
                          "This is a bug in kpixl; please report it.")


def _coded() -> list[tuple[str, Column]]:
    return [(sheet, column) for sheet, columns in SHEETS.items() for column in columns if column.choices]


class _Writer:
    def __init__(self, book: Workbook) -> None:
        self.book = book
        self.header = book.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "valign": "top"})
        self.text = book.add_format({"num_format": "@"})  # so a typed 2023-09 or 007 stays as typed
        self.formats: dict[str, Format] = {}
        # The dropdowns' sources: one column of the Lists sheet per coded column, by range (never inline).
        self.sources = {(sheet, column.key): f"={_LISTS}!{xl_range_abs(1, index, len(column.choices), index)}"
                        for index, (sheet, column) in enumerate(_coded())}

    def sheet(self, name: str, columns: Sequence[Column], rows: list[dict[str, Written]]) -> None:
        ws = self.book.add_worksheet(name)
        last = max(VALIDATED_ROWS, len(rows) + 1) - 1  # zero-based
        for c, column in enumerate(columns):
            text = None if column.key in _NUMBER_KEYS else self.text
            _call(ws.set_column, c, c, column.width, text)
            _call(ws.write_string, 0, c, column.header, self.header)
            _call(ws.data_validation, 1, c, last, c, self._validation(name, column))
        for r, row in enumerate(rows, start=1):
            for c, column in enumerate(columns):
                self._cell(ws, r, c, row.get(column.key))
        _call(ws.freeze_panes, 1, 0)
        _call(ws.autofilter, 0, 0, len(rows), len(columns) - 1)

    def _validation(self, sheet: str, column: Column) -> dict[str, Any]:
        # No README sheet: each column explains itself when a cell is selected.
        parts = [column.help] if column.help else []
        if column.choices:
            parts.append("Choose from the list.")
        parts.append("Required." if column.required else "Optional.")
        options: dict[str, Any] = {"input_title": column.header[:32], "input_message": " ".join(parts)}
        if not column.choices:
            return {"validate": "any", **options}
        return {"validate": "list", "source": self.sources[(sheet, column.key)], "error_type": "stop",
                "error_title": f"Not a valid {column.header.lower()}"[:32],
                "error_message": f"Choose one of: {', '.join(column.choices)}."[:255], **options}

    def _cell(self, ws: Worksheet, r: int, c: int, value: Written) -> None:
        if value is None or value == "":
            return
        if isinstance(value, str):  # write_string: text starting = + - @ must never become a formula
            _call(ws.write_string, r, c, value, self.text)
        elif isinstance(value, _Figure):
            self._figure(ws, r, c, value)
        else:
            _call(ws.write_number, r, c, value)

    def _figure(self, ws: Worksheet, r: int, c: int, figure: _Figure) -> None:
        number = _exact_float(figure.value)
        if number is None:  # more digits than a float keeps: as text, which the reader parses exactly
            text = f"{(figure.value * 100).normalize():f}%" if figure.percent else f"{figure.value.normalize():f}"
            _call(ws.write_string, r, c, text)
        else:
            _call(ws.write_number, r, c, number, self._percent(figure.value) if figure.percent else None)

    def _percent(self, value: Decimal) -> Format:
        # 0% for whole percentages; more places only where the figure has them (72.5% must not show 73%).
        exponent = (value * 100).normalize().as_tuple().exponent
        places = min(-exponent, 10) if isinstance(exponent, int) and exponent < 0 else 0
        pattern = "0%" if not places else f"0.{'0' * places}%"
        if pattern not in self.formats:
            self.formats[pattern] = self.book.add_format({"num_format": pattern})
        return self.formats[pattern]

    def lists(self) -> None:
        ws = self.book.add_worksheet(_LISTS)
        for index, (sheet, column) in enumerate(_coded()):
            _call(ws.set_column, index, index, 24)
            _call(ws.write_string, 0, index, f"{sheet}: {column.header}", self.header)
            for r, choice in enumerate(column.choices, start=1):
                _call(ws.write_string, r, index, choice)
        _call(ws.freeze_panes, 1, 0)


def _exact_float(value: Decimal) -> float | None:
    """The float that reads back as this Decimal through xlsxwriter (16 digits) and to_decimal, if any."""
    try:
        number = float(f"{float(value):.16G}")
        return number if to_decimal(number) == value else None
    except (NotANumber, ValueError, OverflowError):
        return None


# --- A register as rows --------------------------------------------------------------------------------


def _figure(value: Decimal | None, unit: Unit) -> _Figure | None:
    return None if value is None else _Figure(value, unit is Unit.PERCENTAGE)


def _indicator_row(indicator: Indicator) -> dict[str, Written]:
    i = indicator
    row: dict[str, Written] = {
        "id": i.id, "title": i.title, "service": i.service, "committees": ", ".join(i.committees),
        "unit": i.unit.value, "direction": i.direction.value, "frequency": i.frequency.value,
        "comparison": i.comparison.value, "cumulative": "yes" if i.cumulative else "no", "kind": i.kind.value,
        "description": i.description, "links_note": i.links_note, "data_source": i.data_source,
        "decimals": i.decimals,
        "statistical_neighbours_mean": _figure(i.statistical_neighbours_mean, i.unit),
        "england_mean": _figure(i.england_mean, i.unit),
    }
    if i.tolerances is not None:  # only when set: empty columns mean the council's defaults
        row.update(red=_Figure(i.tolerances.red, True), blue=_Figure(i.tolerances.blue, True),
                   percentage_basis=i.tolerances.percentage_basis.value)
    return row


def _tables(register: Register) -> dict[str, list[dict[str, Written]]]:
    indicators = register.indicators
    return {
        "Indicators": [_indicator_row(i) for i in indicators],
        "Targets": [{"indicator": i.id, "period": period, "value": _figure(value, i.unit),
                     "type": i.target_word.lower()} for i in indicators for period, value in i.targets.items()],
        "Links": [{"indicator": i.id, "label": link.label, "url": link.url} for i in indicators for link in i.links],
        "Services": [{"id": s.id, "name": s.name, "lead_name": s.lead_name, "lead_email": s.lead_email,
                      "directorate": s.directorate} for s in register.services],
        "Committees": [{"id": c.id, "name": c.name} for c in register.committees],
    }
