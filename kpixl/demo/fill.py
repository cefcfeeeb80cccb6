"""Typing figures into a generated collection workbook as a service lead would: the tests' returns and the
`kpixl demo` command's are made this way, from the workbooks kpixl really writes.

A lead types 68% into a percentage cell, which Excel keeps as 0.68 in a cell formatted as a percentage:
so does fill_return. A count is typed as a whole number. A figure with a reason (a provisional one) gets
both; no figure with a reason gets the reason alone. Text is written as text, never as a formula. A
calculated indicator's figure is typed as its two counts (the row's figure is kpixl's formula), and an
action's due date as a date.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from kpixl.domain import Figure, FigureStatus
from kpixl.files import write_atomic
from kpixl.layout.returns import ALL_COLUMNS, FIRST_ROW, HEADER_ROW, RETURN_SHEET

__all__ = ["fill_return"]

_HEADERS = {c.header: c.key for c in ALL_COLUMNS}


def _put_text(cell: object, text: str) -> None:
    """Text as a lead typed it: kept as a string even when it starts with '=' (never a formula)."""
    cell.value = text if text else None  # type: ignore[attr-defined]
    if text:
        cell.data_type = "s"  # type: ignore[attr-defined]


def _number(value: object) -> int | float:

    assert isinstance(value, Decimal)
    return int(value) if value == value.to_integral_value() else float(value)


def fill_return(path: Path, figures: Iterable[Figure], out: Path | None = None) -> Path:
    """Write each figure into its row (found by indicator number and period) of the workbook at path; save
    to out (default: over path). ValueError names any figure whose row the workbook does not have."""

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl notes the validation extensions it rewrites
        book = load_workbook(path)
    sheet = book[RETURN_SHEET]
    columns = {_HEADERS[c.value]: c.column for c in sheet[HEADER_ROW] if c.value in _HEADERS}
    rows = {(str(sheet.cell(r, columns["indicator"]).value), str(sheet.cell(r, columns["period"]).value)): r
            for r in range(FIRST_ROW, sheet.max_row + 1)}
    missing = []
    for figure in figures:
        row = rows.get((figure.indicator, str(figure.period)))
        if row is None:
            missing.append(f"{figure.indicator} {figure.period}")
            continue
        if figure.numerator is not None and figure.denominator is not None and "numerator" in columns:
            sheet.cell(row, columns["numerator"]).value = _number(figure.numerator)
            sheet.cell(row, columns["denominator"]).value = _number(figure.denominator)
        elif figure.value is not None:
            sheet.cell(row, columns["current"]).value = _number(figure.value)
        if figure.status is not FigureStatus.VALIDATED:
            _put_text(sheet.cell(row, columns["reason"]), figure.reason)
        _put_text(sheet.cell(row, columns["commentary"]), figure.commentary)
        _put_text(sheet.cell(row, columns["actions"]), figure.actions)
        if "action_owner" in columns:
            _put_text(sheet.cell(row, columns["action_owner"]), figure.action_owner)
        if figure.action_due is not None and "action_due" in columns:
            sheet.cell(row, columns["action_due"]).value = figure.action_due  # a date: the cell keeps its format
    if missing:
        raise ValueError(f"{path.name} has no row for: {', '.join(missing)}")
    target = out or path
    saved = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book.save(saved)
    write_atomic(target, saved.getvalue())
    return target
