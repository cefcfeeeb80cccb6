"""The Return sheet: a title, then an Excel table of one header row and one row per indicator and period,
layout.RETURN_COLUMNS in order.

The table is what a screen reader needs to announce each cell's column (GOV.UK's accessible-spreadsheet
checklist calls table mark-up essential); it has no style and no filter buttons of its own (the sheet is
protected, and the cells' formats are the look). Context cells are locked; input cells are unlocked, pale
yellow, and validated; the RAG preview is a formula per row (formulas.rag_formula) coloured by conditional
formats like the report's RAG box. The panes keep the header row and the indicator's number and title in
view; no print footer (a screen reader reads it as part of the sheet).
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from kpixl.layout.returns import HEADER_ROW, RETURN_COLUMNS, TITLE_ROW, Col, ReturnRow, column
from kpixl.layout.rows import row_height
from kpixl.workbook.formulas import rag_formula
from kpixl.workbook.guard import check
from kpixl.workbook.styles import RAG_COLOURS, Styles, number_format
from kpixl.workbook.validations import figure_rule, list_rule, text_rule

__all__ = ["PROTECTION", "write_return_sheet"]

# What the lead may still do on a protected sheet: resize rows and columns, select any cell.
PROTECTION = {"format_columns": True, "format_rows": True, "select_locked_cells": True,
              "select_unlocked_cells": True}
_H = HEADER_ROW - 1  # 0-based header row
TABLE_NAME = "Return_rows"
_WIDTH = {c.key: c.width for c in RETURN_COLUMNS}
INPUT_LINES = 3  # every row leaves room to write a few lines of commentary


def _ref(row: ReturnRow, key: str) -> str:
    return str(xl_rowcol_to_cell(row.row - 1, column(key)))


def _col_range(key: str, first: int, last: int) -> str:
    letter = xl_col_to_name(column(key))
    return f"{letter}{first}:{letter}{last}"


def _number(sheet: Any, styles: Styles, row: ReturnRow, key: str, value: Any) -> None:
    r, c = row.row - 1, column(key)
    unit, decimals = row.indicator.unit, row.indicator.decimals
    if value is None:
        text = row.target_text if key == "target" else ""
        check(sheet.write_string(r, c, text, styles("context")), f"{key} of row {row.row}")
    else:
        fmt = styles("context", number_format(unit, decimals, value))
        check(sheet.write_number(r, c, float(value), fmt), f"{key} of row {row.row}")


def _context(row: ReturnRow) -> dict[str, str]:
    return row.context_texts()  # layout's: the reader checks a return against the same texts


def _write_row(sheet: Any, styles: Styles, row: ReturnRow) -> None:
    r = row.row - 1
    context = _context(row)
    height = row_height(((text, _WIDTH[key]) for key, text in context.items()), INPUT_LINES)
    check(sheet.set_row(r, height), f"the height of row {row.row}")
    for key, text in context.items():
        check(sheet.write_string(r, column(key), text, styles("context")), f"{key} of row {row.row}")
    _number(sheet, styles, row, "target", row.target)
    _number(sheet, styles, row, "comparison", row.comparison)
    figure_format = number_format(row.indicator.unit, row.indicator.decimals, for_input=True)
    for col in RETURN_COLUMNS:
        if col.input:
            fmt = styles("input", figure_format if col.key in ("current", "revised") else "")
            check(sheet.write_blank(r, column(col.key), None, fmt), f"{col.key} of row {row.row}")
    formula = rag_formula(row.indicator, row.target, _ref(row, "current"), _ref(row, "target"), row.tolerances)
    check(sheet.write_formula(r, column("rag"), formula, styles("rag"), ""), f"the RAG preview of row {row.row}")


def _validations(sheet: Any, rows: list[ReturnRow]) -> None:
    """One data validation per input column over each run of consecutive rows with the same rule (the
    figure columns change with the unit). One per cell was 3,108 validations for 518 rows, and xlsxwriter
    runs about 120 regular-expression substitutions on each: 40% of writing the workbooks."""
    for col in (c for c in RETURN_COLUMNS if c.input):
        c = column(col.key)
        for rule, run in groupby(rows, key=lambda row: _rule(col, row)):
            run_rows = list(run)
            first, last = run_rows[0].row, run_rows[-1].row
            check(sheet.data_validation(first - 1, c, last - 1, c, rule),
                  f"the data validation of {col.header} in rows {first} to {last}")


def _rule(col: Col, row: ReturnRow) -> dict[str, Any]:
    if col.key in ("current", "revised"):
        return figure_rule(row.indicator.unit, col.header)
    if col.key in ("reason", "revision_reason"):
        return list_rule(col.key, col.header, col.help)
    return text_rule(col.key, col.header, col.help)


def _title(sheet: Any, styles: Styles, title: str) -> None:
    # One cell, not merged: it reads across the empty cells beside it, and a screen reader reads it once.
    check(sheet.write_string(TITLE_ROW - 1, 0, title, styles("sheet_title")), "the Return sheet's title")
    check(sheet.set_row(TITLE_ROW - 1, 24), "the title row height")


def _header(sheet: Any, styles: Styles) -> None:
    check(sheet.set_row(_H, row_height((c.header, c.width) for c in RETURN_COLUMNS)), "the header row height")
    for i, col in enumerate(RETURN_COLUMNS):
        check(sheet.write_string(_H, i, col.header, styles("header")), f"the header {col.header}")
        check(sheet.set_column(i, i, col.width), f"the width of {col.header}")
        if col.help and not col.input:  # inputs explain themselves in their own cells
            check(sheet.data_validation(_H, i, _H, i, {"validate": "any", "input_title": col.header[:32],
                                                       "input_message": col.help[:255]}),
                  f"the note on {col.header}")


def _table(sheet: Any, styles: Styles, last: int) -> None:
    """The header row and the rows as one Excel table; its headers are the header cells already written."""
    columns = [{"header": c.header, "header_format": styles("header")} for c in RETURN_COLUMNS]
    check(sheet.add_table(_H, 0, last - 1, len(RETURN_COLUMNS) - 1,
                          {"name": TABLE_NAME, "columns": columns, "style": None, "autofilter": False}),
          "the Return table")


def _conditional(sheet: Any, styles: Styles, first: int, last: int) -> None:
    rag = _col_range("rag", first, last)
    for word in RAG_COLOURS:
        check(sheet.conditional_format(rag, {"type": "cell", "criteria": "==", "value": f'"{word}"',
                                             "format": styles.rag(word)}), f"the {word} colour of the RAG preview")
    top_rag, top_actions = (f"${xl_col_to_name(column('rag'))}{first}",
                           f"${xl_col_to_name(column('actions'))}{first}")
    required = {"type": "formula", "criteria": f'=AND({top_rag}="Red",LEN(TRIM({top_actions}))=0)',
                "format": styles.required()}
    check(sheet.conditional_format(_col_range("actions", first, last), required), "the Actions highlight")


def _page(sheet: Any, last: int) -> None:
    sheet.freeze_panes(HEADER_ROW, column("title") + 1)  # the header row, the indicator's number and title
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    check(sheet.repeat_rows(_H), "the repeated header row")
    indicator, rag = xl_col_to_name(column("indicator")), xl_col_to_name(column("rag"))
    # Each row's RAG formula is its indicator's own: not a table column formula gone inconsistent.
    check(sheet.ignore_errors({"number_stored_as_text": f"{indicator}1:{indicator}{max(last, HEADER_ROW)}",
                               "calculated_column": f"{rag}{HEADER_ROW}:{rag}{max(last, HEADER_ROW)}"}),
          "the number-as-text note")


def write_return_sheet(sheet: Any, styles: Styles, rows: list[ReturnRow], title: str) -> None:
    _title(sheet, styles, title)
    _header(sheet, styles)
    for row in rows:
        _write_row(sheet, styles, row)
    _validations(sheet, rows)
    if rows:  # a table needs a row below its header; a return without rows is only its header
        _table(sheet, styles, rows[-1].row)
        _conditional(sheet, styles, rows[0].row, rows[-1].row)
    _page(sheet, rows[-1].row if rows else HEADER_ROW)
    sheet.protect("", PROTECTION)
