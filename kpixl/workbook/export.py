"""The store's figures as a table a performance officer can filter, as .xlsx (an Excel table) or .csv: what
`kpixl export` writes (kpixl.steps.export makes the rows).

Text a lead typed is never turned into a formula. In the workbook every text cell is written as a string
(Excel shows "=1+1" as typed). A CSV has no types, and Excel evaluates a cell that begins with = + - @ tab
or carriage return, so such text gets a leading apostrophe, as OWASP's CSV-injection guidance advises; a
program reading the CSV sees that apostrophe. Numbers (value, target, version) are written as numbers.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from kpixl.domain import Indicator, Register, Unit
from kpixl.files import write_atomic
from kpixl.workbook.guard import check, guarded
from kpixl.workbook.language import with_language

__all__ = ["COLUMNS", "NUMBER_COLUMNS", "csv_safe", "write_csv", "write_xlsx"]

COLUMNS = ("indicator", "title", "service", "committees", "period", "version", "current", "value", "unit",
           "status", "reason", "target", "rag", "change", "commentary", "actions", "file", "cell", "received",
           "numerator", "denominator", "action_owner", "action_due")
NUMBER_COLUMNS = ("version", "value", "target", "numerator", "denominator")
_PLAIN_NUMBERS = ("version", "numerator", "denominator")  # counts: never in the indicator's format (a %)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(text: str) -> str:
    """Text that Excel would run as a formula, made inert with a leading apostrophe (OWASP)."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    """The rows (by COLUMNS) as CSV that Excel opens as UTF-8, written atomically."""
    def cell(column: str, value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            return value.isoformat()
        if column in NUMBER_COLUMNS or not isinstance(value, str):
            return str(value)
        return csv_safe(value)

    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(COLUMNS)
    writer.writerows([cell(c, row[c]) for c in COLUMNS] for row in rows)
    # utf-8-sig: Excel reads a CSV as UTF-8 only when it starts with the byte-order mark.
    write_atomic(path, text.getvalue().encode("utf-8-sig"))


_WIDTHS = {"title": 40, "service": 22, "committees": 22, "commentary": 50, "actions": 40, "reason": 20,
           "file": 24, "received": 17, "period": 11, "numerator": 11, "denominator": 11, "action_owner": 20,
           "action_due": 11}


def _number_format(indicator: Indicator | None) -> str:
    if indicator is None:
        return "General"
    places = indicator.decimals
    decimals = "." + "0" * places if places else ""
    if indicator.unit is Unit.PERCENTAGE:
        return f"0{decimals}%"
    if indicator.unit is Unit.MONEY:
        return f"£#,##0{decimals}"
    if places is None and indicator.unit is not Unit.COUNT:
        return "General"  # a rate or hours shows its own decimals; "#,##0.##" would leave "120."
    return f"#,##0{decimals}"


def write_xlsx(path: Path, rows: list[dict[str, Any]], register: Register) -> None:
    """The rows (by COLUMNS) as a workbook with filters and each indicator's number format, written
    atomically."""
    buffer = io.BytesIO()
    with guarded(f"the export {path.name}"):
        book = xlsxwriter.Workbook(buffer, {"strings_to_formulas": False, "strings_to_urls": False,
                                            "strings_to_numbers": False, "in_memory": True})
        pinned = max((r["received"] for r in rows), default=datetime(2000, 1, 1, tzinfo=UTC))
        book.set_properties({"title": "kpixl figures", "created": _naive(pinned)})  # reproducible output
        sheet = book.add_worksheet("Figures")
        header = book.add_format({"bold": True, "text_wrap": True})
        dates = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        formats: dict[str, Any] = {}
        for col, name in enumerate(COLUMNS):
            check(sheet.write_string(0, col, name, header), f"the header {name}")
            check(sheet.set_column(col, col, _WIDTHS.get(name, 10)), f"the width of {name}")
        for r, row in enumerate(rows, start=1):
            code = _number_format(register.indicator(row["indicator"]))
            if code not in formats:
                formats[code] = book.add_format({"num_format": code})
            for col, name in enumerate(COLUMNS):
                check(_write_cell(sheet, r, col, name, row[name], formats[code], dates), f"row {r + 1}, {name}")
        sheet.freeze_panes(1, 0)
        # An Excel table with its filter buttons: a screen reader announces each cell's column.
        check(sheet.add_table(0, 0, max(len(rows), 1), len(COLUMNS) - 1,
                              {"name": "Figures_table", "style": None,
                               "columns": [{"header": name, "header_format": header} for name in COLUMNS]}),
              "the Figures table")
        book.close()
    write_atomic(path, with_language(buffer.getvalue()))


def _write_cell(sheet: Any, r: int, col: int, name: str, value: Any, number: Any, dates: Any) -> int:
    if value is None:
        return int(sheet.write_blank(r, col, None))
    if isinstance(value, datetime):
        return int(sheet.write_datetime(r, col, _naive(value), dates))
    if name in NUMBER_COLUMNS and not isinstance(value, str):
        return int(sheet.write_number(r, col, float(value), number if name not in _PLAIN_NUMBERS else None))
    return int(sheet.write_string(r, col, str(value)))  # text stays text, whatever it begins with


def _naive(value: datetime) -> datetime:
    """Spreadsheet dates carry no time zone: UTC, as the store keeps them."""
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
