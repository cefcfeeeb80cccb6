"""The store's figures as a table a performance officer can filter: every version, with its rating, change
and provenance. What `kpixl export` writes, as .xlsx or .csv.

Text a lead typed is never turned into a formula. In the workbook every text cell is written as a string
(Excel shows "=1+1" as typed). A CSV has no types, and Excel evaluates a cell that begins with = + - @ tab
or carriage return, so such text gets a leading apostrophe, as OWASP's CSV-injection guidance advises; a
program reading the CSV sees that apostrophe. Numbers (value, target, version) are written as numbers.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kpixl.domain import (
    Figure,
    Indicator,
    Period,
    Quarter,
    Register,
    Tolerances,
    Unit,
    change_in_performance,
    rate,
)
from kpixl.errors import OutputError
from kpixl.register import load_register
from kpixl.steps.workspace import Workspace
from kpixl.store import StoredFigure

__all__ = ["COLUMNS", "EXPORT_SUFFIXES", "ExportResult", "csv_safe", "export_figures", "export_rows"]

COLUMNS = ("indicator", "title", "service", "committees", "period", "version", "current", "value", "unit",
           "status", "reason", "target", "rag", "change", "commentary", "actions", "file", "cell", "received")
NUMBER_COLUMNS = ("version", "value", "target")
EXPORT_SUFFIXES = (".xlsx", ".csv")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int


def csv_safe(text: str) -> str:
    """Text that Excel would run as a formula, made inert with a leading apostrophe (OWASP)."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _periods(period: Period | None) -> set[str] | None:
    if period is None:
        return None
    if isinstance(period, Quarter):  # a quarter's return also carries its months' figures
        return {period.slug, *(m.slug for m in period.months())}
    return {period.slug}


def _row(s: StoredFigure, register: Register, current: Mapping[tuple[str, str], Figure],
         tolerances: Tolerances) -> dict[str, Any]:
    f, indicator = s.figure, register.indicator(s.figure.indicator)
    cell = f"{s.provenance.sheet}!{s.provenance.cell}" if s.provenance.sheet else s.provenance.cell
    row: dict[str, Any] = {
        "indicator": f.indicator, "title": "", "service": "", "committees": "", "period": f.period.slug,
        "version": s.version, "current": "yes" if s.current else "no", "value": f.value, "unit": "",
        "status": f.status.value, "reason": f.reason, "target": s.target or None, "rag": "", "change": "",
        "commentary": f.commentary, "actions": f.actions, "file": s.provenance.file_name, "cell": cell,
        "received": s.submission.received_at,
    }
    if indicator is None:  # figures of an indicator since removed from the register keep their own facts
        return row
    service = register.service(indicator.service)
    names = [c.name for c in register.committees if c.id in indicator.committees]
    target = indicator.target_for(f.period)
    previous = current.get((indicator.id, indicator.comparison_period(f.period).slug))
    row.update(title=indicator.title, service=service.name if service else indicator.service,
               committees="; ".join(names), unit=indicator.unit.value,
               target=target if target is not None else row["target"],
               rag=rate(indicator.kind, f.usable, target, indicator.direction, indicator.unit,
                        indicator.tolerances or tolerances).value,
               change=change_in_performance(f.usable, previous.usable if previous else None,
                                            indicator.direction).value)
    return row


def export_rows(workspace: Workspace, register: Register,
                period: Period | None = None) -> list[dict[str, Any]]:
    """Every stored version (of a quarter and its months, or of a month), as export rows."""
    with workspace.open_store() as store:
        stored, current = store.figures(_periods(period)), store.current_figures()
    return [_row(s, register, current, workspace.config.tolerances) for s in stored]


def export_figures(workspace: Workspace, path: Path, period: Period | None = None) -> ExportResult:
    """Write the store's figures to path (.xlsx or .csv); OutputError when it cannot be written."""
    suffix = path.suffix.lower()
    if suffix not in EXPORT_SUFFIXES:
        raise OutputError(f"{path.name}: kpixl exports to .xlsx or .csv; choose a name ending in one of them")
    register = load_register(workspace.register_path).register
    rows = export_rows(workspace, register, period)
    try:
        if suffix == ".csv":
            _write_csv(path, rows)
        else:
            _write_xlsx(path, rows, register)
    except OSError as exc:
        raise OutputError(f"Cannot write {path}: {exc.strerror or exc}") from None
    return ExportResult(path, len(rows))


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    def cell(column: str, value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            return value.isoformat()
        if column in NUMBER_COLUMNS or not isinstance(value, str):
            return str(value)
        return csv_safe(value)

    # utf-8-sig: Excel reads a CSV as UTF-8 only when it starts with the byte-order mark.
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows([cell(c, row[c]) for c in COLUMNS] for row in rows)


_WIDTHS = {"title": 40, "service": 22, "committees": 22, "commentary": 50, "actions": 40, "reason": 20,
           "file": 24, "received": 17, "period": 11}


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


def _check(code: int, where: str) -> None:
    """xlsxwriter reports a cell it could not write with a negative code instead of raising."""
    if code < 0:
        raise OutputError(f"Cannot write {where} (xlsxwriter code {code}): the text may exceed Excel's "
                          "32,767 characters per cell")


def _write_xlsx(path: Path, rows: list[dict[str, Any]], register: Register) -> None:
    import xlsxwriter
    from xlsxwriter.exceptions import XlsxWriterException

    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                           "strings_to_numbers": False})
    pinned = max((r["received"] for r in rows), default=datetime(2000, 1, 1, tzinfo=UTC))
    book.set_properties({"title": "kpixl figures", "created": _naive(pinned)})  # reproducible output
    sheet = book.add_worksheet("Figures")
    header = book.add_format({"bold": True, "text_wrap": True})
    dates = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    formats: dict[str, Any] = {}
    for col, name in enumerate(COLUMNS):
        _check(sheet.write_string(0, col, name, header), f"the header {name}")
        sheet.set_column(col, col, _WIDTHS.get(name, 10))
    for r, row in enumerate(rows, start=1):
        code = _number_format(register.indicator(row["indicator"]))
        if code not in formats:
            formats[code] = book.add_format({"num_format": code})
        for col, name in enumerate(COLUMNS):
            _check(_write_cell(sheet, r, col, name, row[name], formats[code], dates), f"row {r + 1}, {name}")
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(rows), 1), len(COLUMNS) - 1)
    try:
        book.close()
    except XlsxWriterException as exc:
        raise OutputError(f"Cannot write {path}: {exc}") from None


def _write_cell(sheet: Any, r: int, col: int, name: str, value: Any, number: Any, dates: Any) -> int:
    if value is None:
        return int(sheet.write_blank(r, col, None))
    if isinstance(value, datetime):
        return int(sheet.write_datetime(r, col, _naive(value), dates))
    if name in NUMBER_COLUMNS and not isinstance(value, str):
        return int(sheet.write_number(r, col, float(value), number if name != "version" else None))
    return int(sheet.write_string(r, col, str(value)))  # text stays text, whatever it begins with


def _naive(value: datetime) -> datetime:
    """Spreadsheet dates carry no time zone: UTC, as the store keeps them."""
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
