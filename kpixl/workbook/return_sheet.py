"""The Return sheet: a title, then an Excel table of one header row and one row per indicator and period,
layout.return_columns in order (the two count columns only where a row is a calculated indicator's).

The table is what a screen reader needs to announce each cell's column (GOV.UK's accessible-spreadsheet
checklist calls table mark-up essential); it has no style and no filter buttons of its own (the sheet is
protected, and the cells' formats are the look). Context cells are locked; input cells are unlocked, pale
yellow, and validated; the RAG preview is a formula per row (formulas.rag_formula) coloured by conditional
formats like the report's RAG box. The panes keep the header row and the indicator's number and title in
view; no print footer (a screen reader reads it as part of the sheet).

A calculated indicator's row asks for its two counts: its Current figure is a locked formula that works the
rate out from them (formulas.rate_formula), and the RAG preview rates that. In the other rows the count
cells are locked and empty. Actions, Action owner and Action due date are highlighted while a row previews
Red without them.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from typing import Any

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from kpixl.layout.returns import DUE_DATE_FORMAT, HEADER_ROW, TITLE_ROW, Col, ReturnRow, return_columns
from kpixl.layout.rows import row_height
from kpixl.workbook.formulas import rag_formula, rate_formula
from kpixl.workbook.guard import check
from kpixl.workbook.styles import RAG_COLOURS, Styles, number_format
from kpixl.workbook.validations import count_rule, date_rule, figure_rule, list_rule, text_rule

__all__ = ["PROTECTION", "write_return_sheet"]

# What the lead may still do on a protected sheet: resize rows and columns, select any cell.
PROTECTION = {"format_columns": True, "format_rows": True, "select_locked_cells": True,
              "select_unlocked_cells": True}
_H = HEADER_ROW - 1  # 0-based header row
TABLE_NAME = "Return_rows"
INPUT_LINES = 3  # every row leaves room to write a few lines of commentary
REQUIRED_WHEN_RED = ("actions", "action_owner", "action_due")  # highlighted while a Red row lacks them
COUNTS = ("numerator", "denominator")


@dataclass(frozen=True)
class Columns:
    """The columns one Return sheet is written with, and where each is."""

    cols: tuple[Col, ...]

    def __call__(self, key: str) -> int:
        return next(i for i, c in enumerate(self.cols) if c.key == key)

    def width(self, key: str) -> int:
        return self.cols[self(key)].width


def _ref(at: Columns, row: ReturnRow, key: str) -> str:
    return str(xl_rowcol_to_cell(row.row - 1, at(key)))


def _col_range(at: Columns, key: str, first: int, last: int) -> str:
    letter = xl_col_to_name(at(key))
    return f"{letter}{first}:{letter}{last}"


def _number(sheet: Any, styles: Styles, at: Columns, row: ReturnRow, key: str, value: Any) -> None:
    r, c = row.row - 1, at(key)
    unit, decimals = row.indicator.unit, row.indicator.decimals
    if value is None:
        text = row.target_text if key == "target" else ""
        check(sheet.write_string(r, c, text, styles("context")), f"{key} of row {row.row}")
    else:
        fmt = styles("context", number_format(unit, decimals, value))
        check(sheet.write_number(r, c, float(value), fmt), f"{key} of row {row.row}")


def _context(row: ReturnRow) -> dict[str, str]:
    return row.context_texts()  # layout's: the reader checks a return against the same texts


def _input(col: Col, row: ReturnRow) -> bool:
    """Whether the lead types in this cell: a calculated row's figure (and its revision) comes from its two
    counts, and only a calculated row has counts."""
    if col.key in COUNTS:
        return row.calculated
    if col.key in ("current", "revised"):
        return col.input and not row.calculated
    return col.input


def _input_format(col: Col, row: ReturnRow) -> str:
    if col.key in ("current", "revised"):
        return number_format(row.indicator.unit, row.indicator.decimals, for_input=True)
    return DUE_DATE_FORMAT if col.key == "action_due" else ""


def _write_row(sheet: Any, styles: Styles, at: Columns, row: ReturnRow) -> None:
    r = row.row - 1
    context = _context(row)
    height = row_height(((text, at.width(key)) for key, text in context.items()), INPUT_LINES)
    check(sheet.set_row(r, height), f"the height of row {row.row}")
    for key, text in context.items():
        check(sheet.write_string(r, at(key), text, styles("context")), f"{key} of row {row.row}")
    _number(sheet, styles, at, row, "target", row.target)
    _number(sheet, styles, at, row, "comparison", row.comparison)
    for col in at.cols:
        if _input(col, row):
            fmt = styles("input", _input_format(col, row))
            check(sheet.write_blank(r, at(col.key), None, fmt), f"{col.key} of row {row.row}")
        elif col.input:  # an input column this row does not use: locked, empty
            check(sheet.write_blank(r, at(col.key), None, styles("context")), f"{col.key} of row {row.row}")
    if row.calculated:
        figure = number_format(row.indicator.unit, row.indicator.decimals, for_input=True)
        rate = rate_formula(row.indicator, _ref(at, row, "numerator"), _ref(at, row, "denominator"))
        check(sheet.write_formula(r, at("current"), rate, styles("context", figure), ""),
              f"the calculated figure of row {row.row}")
    formula = rag_formula(row.indicator, row.target, _ref(at, row, "current"), _ref(at, row, "target"),
                          row.tolerances)
    check(sheet.write_formula(r, at("rag"), formula, styles("rag"), ""), f"the RAG preview of row {row.row}")


def _validations(sheet: Any, at: Columns, rows: list[ReturnRow]) -> None:
    """One data validation per input column over each run of consecutive rows with the same rule (the
    figure columns change with the unit). One per cell was 3,108 validations for 518 rows, and xlsxwriter
    runs about 120 regular-expression substitutions on each: 40% of writing the workbooks."""
    for col in (c for c in at.cols if c.input):
        c = at(col.key)
        for rule, run in groupby(rows, key=lambda row: _rule(col, row)):
            run_rows = list(run)
            if rule is None:  # locked cells: nothing to type, nothing to validate
                continue
            first, last = run_rows[0].row, run_rows[-1].row
            check(sheet.data_validation(first - 1, c, last - 1, c, rule),
                  f"the data validation of {col.header} in rows {first} to {last}")


def _rule(col: Col, row: ReturnRow) -> dict[str, Any] | None:
    if not _input(col, row):
        return None
    if col.key in ("current", "revised"):
        return figure_rule(row.indicator.unit, col.header)
    if col.key in COUNTS:
        calculation = row.indicator.calculation
        assert calculation is not None  # only a calculated row's counts are inputs
        return count_rule(col.header, calculation.numerator if col.key == "numerator" else calculation.denominator)
    if col.key in ("reason", "revision_reason"):
        return list_rule(col.key, col.header, col.help)
    if col.key == "action_due":
        return date_rule(col.header, col.help)
    return text_rule(col.key, col.header, col.help)


def _title(sheet: Any, styles: Styles, title: str) -> None:
    # One cell, not merged: it reads across the empty cells beside it, and a screen reader reads it once.
    check(sheet.write_string(TITLE_ROW - 1, 0, title, styles("sheet_title")), "the Return sheet's title")
    check(sheet.set_row(TITLE_ROW - 1, 24), "the title row height")


def _header(sheet: Any, styles: Styles, at: Columns) -> None:
    check(sheet.set_row(_H, row_height((c.header, c.width) for c in at.cols)), "the header row height")
    for i, col in enumerate(at.cols):
        check(sheet.write_string(_H, i, col.header, styles("header")), f"the header {col.header}")
        check(sheet.set_column(i, i, col.width), f"the width of {col.header}")
        if col.help and not col.input:  # inputs explain themselves in their own cells
            check(sheet.data_validation(_H, i, _H, i, {"validate": "any", "input_title": col.header[:32],
                                                       "input_message": col.help[:255]}),
                  f"the note on {col.header}")


def _table(sheet: Any, styles: Styles, at: Columns, last: int) -> None:
    """The header row and the rows as one Excel table; its headers are the header cells already written."""
    columns = [{"header": c.header, "header_format": styles("header")} for c in at.cols]
    check(sheet.add_table(_H, 0, last - 1, len(at.cols) - 1,
                          {"name": TABLE_NAME, "columns": columns, "style": None, "autofilter": False}),
          "the Return table")


def _conditional(sheet: Any, styles: Styles, at: Columns, first: int, last: int) -> None:
    rag = _col_range(at, "rag", first, last)
    for word in RAG_COLOURS:
        check(sheet.conditional_format(rag, {"type": "cell", "criteria": "==", "value": f'"{word}"',
                                             "format": styles.rag(word)}), f"the {word} colour of the RAG preview")
    top_rag = f"${xl_col_to_name(at('rag'))}{first}"
    for key in REQUIRED_WHEN_RED:
        top = f"${xl_col_to_name(at(key))}{first}"
        required = {"type": "formula", "criteria": f'=AND({top_rag}="Red",LEN(TRIM({top}))=0)',
                    "format": styles.required()}
        check(sheet.conditional_format(_col_range(at, key, first, last), required), f"the {key} highlight")


def _page(sheet: Any, at: Columns, last: int) -> None:
    sheet.freeze_panes(HEADER_ROW, at("title") + 1)  # the header row, the indicator's number and title
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    check(sheet.repeat_rows(_H), "the repeated header row")
    indicator, rag = xl_col_to_name(at("indicator")), xl_col_to_name(at("rag"))
    # Each row's RAG formula is its indicator's own: not a table column formula gone inconsistent.
    check(sheet.ignore_errors({"number_stored_as_text": f"{indicator}1:{indicator}{max(last, HEADER_ROW)}",
                               "calculated_column": f"{rag}{HEADER_ROW}:{rag}{max(last, HEADER_ROW)}"}),
          "the number-as-text note")


def write_return_sheet(sheet: Any, styles: Styles, rows: list[ReturnRow], title: str) -> None:
    at = Columns(return_columns(any(row.calculated for row in rows)))
    _title(sheet, styles, title)
    _header(sheet, styles, at)
    for row in rows:
        _write_row(sheet, styles, at, row)
    _validations(sheet, at, rows)
    if rows:  # a table needs a row below its header; a return without rows is only its header
        _table(sheet, styles, at, rows[-1].row)
        _conditional(sheet, styles, at, rows[0].row, rows[-1].row)
    _page(sheet, at, rows[-1].row if rows else HEADER_ROW)
    sheet.protect("", PROTECTION)
