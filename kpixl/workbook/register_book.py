"""The register as an Excel workbook for a council to fill in: the blank template, or a register's contents,
with a dropdown on every coded column (xlsxwriter). The sheets and headings are kpixl.layout.register's, which
the reader (kpixl.register.workbook_file) uses too.

A workbook kpixl cannot build is kpixl's failure: OutputError, never a half-written file.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_range_abs, xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from kpixl.domain import Indicator, Register, Unit
from kpixl.domain.numbers import to_decimal
from kpixl.errors import NotANumber
from kpixl.files import write_atomic
from kpixl.layout.register import SHEETS, Column
from kpixl.workbook.guard import check, guarded
from kpixl.workbook.language import with_language

__all__ = ["write_register_workbook"]

VALIDATED_ROWS = 2000  # the template's dropdowns and messages reach this row (or the last written row)
_NUMBER_KEYS = frozenset({"value", "red", "blue", "statistical_neighbours_mean", "england_mean", "decimals",
                          "scale"})
_LISTS = "Lists"
_CREATED = datetime(2023, 1, 1)  # pinned so that the same register always gives the same bytes


# --- Writing -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Figure:
    value: Decimal
    percent: bool = False


Written = str | int | _Figure | None


def write_register_workbook(path: Path, register: Register | None = None) -> None:
    """The blank template (register None), or the register's contents, as a workbook with dropdowns."""
    buffer = io.BytesIO()
    with guarded(f"the register workbook {path.name}"):
        book = Workbook(buffer, {"strings_to_numbers": False, "strings_to_formulas": False,
                                 "strings_to_urls": False, "in_memory": True})
        writer = _Writer(book)
        tables = _tables(register) if register is not None else {sheet: [] for sheet in SHEETS}
        for sheet, columns in SHEETS.items():
            writer.sheet(sheet, columns, tables[sheet])
        writer.lists()
        book.set_properties({"title": "kpixl indicator register", "created": _CREATED})
        book.close()
    write_atomic(path, with_language(buffer.getvalue()))


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
            check(ws.set_column(c, c, column.width, text), f"the width of {name} column {column.header}")
            check(ws.write_string(0, c, column.header, self.header), f"the header {name}!{xl_rowcol_to_cell(0, c)}")
            check(ws.data_validation(1, c, last, c, self._validation(name, column)),
                  f"the dropdown or input message of {name} column {column.header}")
        for r, row in enumerate(rows, start=1):
            for c, column in enumerate(columns):
                self._cell(ws, r, c, row.get(column.key))
        ws.freeze_panes(1, 0)
        # An Excel table (with its filter buttons) over the header and the rows, at least one: a screen reader
        # announces each cell's column, and a row typed below the table joins it.
        table = {"name": f"{name}_table", "style": None,
                 "columns": [{"header": column.header, "header_format": self.header} for column in columns]}
        check(ws.add_table(0, 0, max(len(rows), 1), len(columns) - 1, table), f"the {name} table")

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
        where = f"{ws.name}!{xl_rowcol_to_cell(r, c)}"
        if isinstance(value, str):  # write_string: text starting = + - @ must never become a formula
            check(ws.write_string(r, c, value, self.text), where)
        elif isinstance(value, _Figure):
            self._figure(ws, r, c, value, where)
        else:
            check(ws.write_number(r, c, value), where)

    def _figure(self, ws: Worksheet, r: int, c: int, figure: _Figure, where: str) -> None:
        number = _exact_float(figure.value)
        if number is None:  # more digits than a float keeps: as text, which the reader parses exactly
            text = f"{(figure.value * 100).normalize():f}%" if figure.percent else f"{figure.value.normalize():f}"
            check(ws.write_string(r, c, text), where)
        else:
            check(ws.write_number(r, c, number, self._percent(figure.value) if figure.percent else None), where)

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
            check(ws.set_column(index, index, 24), f"the width of {_LISTS} column {index + 1}")
            check(ws.write_string(0, index, f"{sheet}: {column.header}", self.header),
                  f"the header {_LISTS}!{xl_rowcol_to_cell(0, index)}")
            for r, choice in enumerate(column.choices, start=1):
                check(ws.write_string(r, index, choice), f"{_LISTS}!{xl_rowcol_to_cell(r, index)}")
        ws.freeze_panes(1, 0)


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
        "benchmark_metric": i.benchmark_metric,
    }
    if i.calculation is not None:
        row.update(numerator=i.calculation.numerator, denominator=i.calculation.denominator,
                   scale=_Figure(i.calculation.scale))
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
                      "directorate": s.directorate, "deputy_name": s.deputy_name, "deputy_email": s.deputy_email,
                      "cc": ", ".join(s.cc)} for s in register.services],
        "Committees": [{"id": c.id, "name": c.name} for c in register.committees],
    }
