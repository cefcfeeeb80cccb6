"""Feedback workbooks (`--feedback DIR`): for each return with problems, a copy the lead can act on.

The copy is the lead's own workbook with each problem cell filled (red: error, amber: query, blue:
warning) and explained in a note (an Excel comment) that says what is wrong and what to do, plus a
"Problems" sheet: a banner saying what to do with the file, then every problem (its cell, indicator and
period) with a "Your response" column, each row as tall as its wrapped text (LibreOffice draws rows without
a height over one another). A lead fixes the cells, answers the queries in that column, and sends the file
back: kpixl reads it as a return, and reads each response as the explanation of the query of its code,
indicator and period (assess._explained). The hidden metadata sheet is kept, so the copy still verifies.

A file kpixl could not open as a workbook (an .xls, a PDF), one spreadsheet programs may read two ways, or one
whose sheets hold more cells than openpyxl's full mode should build (sniff counts them, merged and linked
cells included: limits.FEEDBACK_MAX_CELLS) or more styles, names and relationships (FEEDBACK_MAX_KEPT) gets a
workbook holding only the Problems sheet.
Text is always written as text: a message quoting "=SUM(...)" a lead typed is never a formula here.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.hyperlink import Hyperlink

from kpixl.errors import OutputError
from kpixl.files import safe_child, write_atomic
from kpixl.intake.assess import ReturnResult
from kpixl.intake.book import feedback_header, normal
from kpixl.intake.rules import period_of
from kpixl.layout.returns import FEEDBACK_BANNER, FEEDBACK_HEADERS, FEEDBACK_SHEET, RESPONSE_HEADER
from kpixl.layout.rows import row_height
from kpixl.problems import Problem, Severity
from kpixl.untrusted.limits import FEEDBACK_MAX_UNCOMPRESSED, MAX_FILE_BYTES
from kpixl.untrusted.sheets import inert_text

__all__ = ["feedback_name", "write_feedback", "write_feedbacks"]

FILLS = {Severity.ERROR: "FFC7CE", Severity.QUERY: "FFEB9C", Severity.WARNING: "DDEBF7"}
_A1 = re.compile(r"^[A-Z]{1,3}[1-9][0-9]{0,6}$")
_WIDTHS = (10, 22, 10, 8, 10, 16, 70, 60, 40)


def feedback_name(result: ReturnResult, taken: set[str]) -> str:
    """A safe file name from the lead's: letters, digits, dot, dash and underscore only, unique in the run."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(result.file_name).stem).strip("._")[:80] or "return"
    name = f"{stem}-feedback.xlsx"
    if name.casefold() in taken:
        name = f"{stem}-{result.sha256[:8] or len(taken)}-feedback.xlsx"
    taken.add(name.casefold())
    return name


def _text(cell: Any, value: object) -> None:
    cell.value = "" if value is None else inert_text(str(value))  # no escape for a program to decode
    cell.data_type = "s"  # never a formula, whatever the text starts with


def _markable(data: bytes) -> bool:
    """Whether the lead's workbook can be reopened to mark it: a small, real .xlsx (openpyxl's full mode
    holds every cell in memory, so the limit here is tighter than the reader's)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return sum(i.file_size for i in zf.infolist()) <= FEEDBACK_MAX_UNCOMPRESSED
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def _mark(book: Any, problems: Iterable[Problem]) -> None:

    by_cell: dict[tuple[str, str], list[Problem]] = {}
    for p in problems:
        if p.sheet in book.sheetnames and _A1.match(p.cell):
            by_cell.setdefault((p.sheet, p.cell), []).append(p)
    for (sheet, ref), found in by_cell.items():
        cell = book[sheet][ref]
        worst = min(found, key=lambda p: list(Severity).index(p.severity)).severity
        cell.fill = PatternFill("solid", start_color=FILLS[worst], end_color=FILLS[worst])
        text = "\n\n".join(f"{p.severity.value.upper()} {p.code}: {p.message} {p.hint}".strip()
                             for p in found)
        comment = Comment(text[:30000], "kpixl")
        comment.width, comment.height = 420, min(80 + 15 * len(text) // 50, 600)
        cell.comment = comment


Answers = dict[tuple[str, str, str, str], str]  # (code, indicator, period as printed, cell) -> the response


def _period_label(slug: str) -> str:
    """A row's period as the Return sheet prints it ("September 2023"), for the Problems sheet."""
    found = period_of(slug) if slug else None
    return str(found) if found else slug


def _old_responses(book: Any) -> Answers:
    """Responses already written in a feedback sheet the lead sent back: carried into the new one."""
    if FEEDBACK_SHEET not in book.sheetnames:
        return {}
    rows = book[FEEDBACK_SHEET].iter_rows(values_only=True, max_row=5000, max_col=len(FEEDBACK_HEADERS))
    header = feedback_header(rows)
    try:
        index = [header.index(normal(h)) for h in ("Code", "Indicator", "Cell", RESPONSE_HEADER)]
    except ValueError:
        return {}
    period = header.index(normal("Period")) if normal("Period") in header else None
    found = {}
    for row in rows:
        code, indicator, cell, response = (row[i] if i < len(row) else None for i in index)
        when = row[period] if period is not None and period < len(row) else None
        if response:
            found[(str(code or ""), str(indicator or ""), str(when or ""), str(cell or ""))] = str(response)
    return found


def _answer(p: Problem, responses: Answers) -> str:
    """The response already given to this problem: on its period's row, or (a sheet from before the Period
    column) at its cell."""
    return (responses.get((p.code, p.indicator, _period_label(p.period), p.cell))
            or responses.get((p.code, p.indicator, "", p.cell)) or "")


BANNER_FILL = "FFF2CC"  # the pale yellow of the cells a lead fills in
HEADER_ROW = 2  # below the banner


def _banner(sheet: Any) -> None:
    """Row 1: what to do with the file, in one cell that reads across the (shaded, empty) cells beside it."""
    _text(sheet.cell(1, 1), FEEDBACK_BANNER)
    sheet.cell(1, 1).font = Font(bold=True, size=12)
    for column in range(1, len(FEEDBACK_HEADERS) + 1):
        sheet.cell(1, column).fill = PatternFill("solid", start_color=BANNER_FILL, end_color=BANNER_FILL)
    sheet.row_dimensions[1].height = 24


def _problems_sheet(book: Any, problems: list[Problem], responses: Answers) -> None:

    if FEEDBACK_SHEET in book.sheetnames:
        del book[FEEDBACK_SHEET]
    sheet = book.create_sheet(FEEDBACK_SHEET, 0)
    _banner(sheet)
    for column, (header, width) in enumerate(zip(FEEDBACK_HEADERS, _WIDTHS), start=1):
        _text(sheet.cell(HEADER_ROW, column), header)
        sheet.cell(HEADER_ROW, column).font = Font(bold=True)
        sheet.column_dimensions[sheet.cell(HEADER_ROW, column).column_letter].width = width
    for row, p in enumerate(problems, start=HEADER_ROW + 1):
        values = (p.severity.value, p.code, p.sheet, p.cell, p.indicator, _period_label(p.period), p.message,
                  p.hint, _answer(p, responses))
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row, column)
            _text(cell, value)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.row_dimensions[row].height = row_height(zip(map(str, values), _WIDTHS))
        colour = FILLS[p.severity]
        sheet.cell(row, 1).fill = PatternFill("solid", start_color=colour, end_color=colour)
        if p.sheet in book.sheetnames and _A1.match(p.cell):
            link = sheet.cell(row, 4)
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{p.sheet}'!{p.cell}")
            link.font = Font(color="0563C1", underline="single")
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    last = sheet.cell(HEADER_ROW, len(FEEDBACK_HEADERS)).column_letter
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last}{len(problems) + HEADER_ROW}"
    book.active = 0


def _load(data: bytes) -> Any | None:

    if not _markable(data):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return load_workbook(io.BytesIO(data), keep_links=False)
    except Exception:  # noqa: BLE001 - the reader already reported why this file cannot be read
        return None


def write_feedback(result: ReturnResult, folder: Path, data: bytes | None, taken: set[str]) -> Path | None:
    """Write the feedback workbook of one return into folder; None when the return has no problem."""

    problems = list(result.report)
    if not problems:
        return None
    book = _load(data) if data and result.markable else None
    if book is None:
        book = Workbook()
        del book[book.active.title]
    else:
        _mark(book, problems)
    _problems_sheet(book, problems, _old_responses(book))
    book.properties.language = "en-GB"  # what screen readers and spell checkers read
    for sheet in book.worksheets:  # a lead's earlier selection of several sheets would hide the new one
        sheet.sheet_view.tabSelected = sheet.title == FEEDBACK_SHEET

    folder.mkdir(parents=True, exist_ok=True)
    path = safe_child(folder, feedback_name(result, taken))  # the name is the lead's: checked twice
    saved = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book.save(saved)
    write_atomic(path, saved.getvalue())
    return path


def _same_bytes(result: ReturnResult) -> bytes | None:
    """The file's bytes again, if it is still the file that was checked: where it was read from, else its
    archived copy (a return taken from a message has no file of its own)."""

    for path in (result.path, result.archived):
        try:
            data = path.read_bytes() if path is not None and path.stat().st_size <= MAX_FILE_BYTES else b""
        except OSError:
            continue
        if data and hashlib.sha256(data).hexdigest() == result.sha256:
            return data
    return None


def write_feedbacks(results: Iterable[ReturnResult], folder: Path) -> list[Path]:
    """A feedback workbook for each return with problems, in folder; the paths written."""

    taken: set[str] = set()
    written = []
    for result in results:
        try:
            data = _same_bytes(result) if result.report.problems else None
            path = write_feedback(result, folder, data, taken)
        except OSError as exc:
            raise OutputError(f"Cannot write feedback into {folder}: {exc.strerror or exc}") from None
        if path is not None:
            written.append(path)
    return written
