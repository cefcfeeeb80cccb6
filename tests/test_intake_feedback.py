"""Feedback workbooks: the lead's own return with each problem cell marked and explained in a note, and a
Problems sheet whose "Your response" column, sent back, explains the queries."""

from __future__ import annotations

import math
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from support.intake import Filled, assess, codes, edit, make_filled, set_cells

from kpixl.catalogue import CATALOGUE
from kpixl.intake.feedback import FILLS, write_feedbacks
from kpixl.layout.returns import FEEDBACK_BANNER, FEEDBACK_HEADERS, FEEDBACK_SHEET, META_SHEET
from kpixl.problems import Severity


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Filled:
    return make_filled(tmp_path_factory.mktemp("feedback"))


def _damaged(filled: Filled, tmp_path: Path) -> Path:
    # An error (text), a query (Red without actions, 37) and a warning (a number typed as text).
    return set_cells(filled.copy("libraries", tmp_path / "in"), {"H3": "lots", "L4": None, "H5": "276,954"})


def _rows(sheet: Any) -> list[tuple[Any, ...]]:
    return [tuple(c.value for c in row) for row in sheet.iter_rows()]


def test_each_problem_cell_is_marked_and_explained(filled: Filled, tmp_path: Path) -> None:
    result = assess(filled.ctx, _damaged(filled, tmp_path))
    [path] = write_feedbacks([result], tmp_path / "feedback")
    assert path.name == "cambridgeshire-county-council_libraries_2023-24-Q2-feedback.xlsx"
    book = load_workbook(path)
    sheet = book["Return"]
    for p in result.report:
        cell = sheet[p.cell]
        assert cell.comment is not None and p.message in cell.comment.text and p.hint in cell.comment.text
        assert cell.fill.start_color.rgb.endswith(FILLS[p.severity])
    assert sheet["H4"].comment is None  # a cell without a problem is left alone
    assert [(p.severity, p.cell) for p in result.report] == [
        (Severity.ERROR, "H3"), (Severity.QUERY, "L4"), (Severity.WARNING, "H5")]


def test_the_problems_sheet_lists_every_problem_with_a_response(filled: Filled, tmp_path: Path) -> None:
    result = assess(filled.ctx, _damaged(filled, tmp_path))
    [path] = write_feedbacks([result], tmp_path / "feedback")
    book = load_workbook(path)
    assert book.sheetnames[0] == FEEDBACK_SHEET and book.active.title == FEEDBACK_SHEET
    rows = _rows(book[FEEDBACK_SHEET])
    assert rows[0][0] == FEEDBACK_BANNER and rows[1] == FEEDBACK_HEADERS
    assert [(r[1], r[3], r[4]) for r in rows[2:]] == codes(result)
    assert book[FEEDBACK_SHEET]["D3"].hyperlink.location == "'Return'!H3"
    assert META_SHEET in book.sheetnames and book[META_SHEET].sheet_state == "veryHidden"


def test_the_feedback_workbook_is_still_the_return_and_a_response_explains_the_query(filled: Filled,
                                                                                    tmp_path: Path) -> None:
    result = assess(filled.ctx, _damaged(filled, tmp_path))
    [path] = write_feedbacks([result], tmp_path / "feedback")
    again = assess(filled.ctx, path)
    assert codes(again) == codes(result) and again.verified  # the marks and the new sheet change nothing
    book = load_workbook(path)
    sheet = book[FEEDBACK_SHEET]
    query_row = next(r for r in range(3, sheet.max_row + 1) if sheet.cell(r, 2).value == "ACTIONS_REQUIRED")
    response = "Visits recover in Q3 as the refurbished libraries reopen."
    sheet.cell(query_row, len(FEEDBACK_HEADERS)).value = response
    book["Return"]["H3"].value = 96326
    book["Return"]["H5"].value = 276954
    book.save(path)
    answered = assess(filled.ctx, path)
    assert codes(answered) == [("ACTIONS_REQUIRED", "L4", "37")]
    assert answered.accepted and answered.open_queries == 0
    assert "refurbished libraries reopen" in answered.report.problems[0].message
    # A second round keeps the lead's earlier response in the new Problems sheet.
    [second] = write_feedbacks([answered], tmp_path / "round2")
    assert "refurbished" in _rows(load_workbook(second)[FEEDBACK_SHEET])[2][-1]


def _answer(path: Path, code: str, period: str, response: str, drop_period_column: bool = False) -> None:
    """The lead writes a response on the Problems sheet row of code and period (optionally on a sheet from
    before the Period column, which is deleted)."""
    book = load_workbook(path)
    sheet = book[FEEDBACK_SHEET]
    period_col = FEEDBACK_HEADERS.index("Period") + 1
    row = next(r for r in range(1, sheet.max_row + 1)  # found by its values: the header row may move
               if sheet.cell(r, 2).value == code and sheet.cell(r, period_col).value == period)
    sheet.cell(row, len(FEEDBACK_HEADERS)).value = response
    if drop_period_column:
        sheet.delete_cols(period_col)
    book.save(path)


@pytest.mark.parametrize("old_sheet", [False, True], ids=["period-column", "sheet-without-period"])
def test_a_reply_explains_only_the_query_of_its_own_period(filled: Filled, tmp_path: Path, old_sheet: bool) -> None:
    """Issue 13: a reply to the September query of monthly indicator 221 closed a new August query."""
    path = set_cells(filled.copy("trading-standards", tmp_path / "in"), {"H3": 300, "H4": 313, "H5": 900})
    first = assess(filled.ctx, path)
    assert codes(first, ("code", "cell", "period")) == [("CHANGE_UNUSUAL", "H5", "2023-09")]
    [feedback] = write_feedbacks([first], tmp_path / "feedback")
    _answer(feedback, "CHANGE_UNUSUAL", "September 2023", "A large one-off partnership started.", old_sheet)
    set_cells(feedback, {"H4": 900, "H5": 950})  # September put right; August now far from July
    second = assess(filled.ctx, feedback)
    august = next(p for p in second.report if p.code == "CHANGE_UNUSUAL")
    assert (august.cell, august.period, august.hint) == ("H4", "2023-08", CATALOGUE["CHANGE_UNUSUAL"].hint)
    assert second.open_queries == 1  # not explained by September's reply
    [unmatched] = [p for p in second.report if p.code == "RESPONSE_UNMATCHED"]
    assert (unmatched.severity, unmatched.sheet, unmatched.indicator) == (Severity.WARNING, FEEDBACK_SHEET, "221")
    assert "(September 2023, cell H5)" in unmatched.message or (old_sheet and "(no period, cell H5)"
                                                                in unmatched.message)


def test_a_reply_still_explains_its_query_when_the_row_moved(filled: Filled, tmp_path: Path) -> None:
    path = set_cells(filled.copy("trading-standards", tmp_path / "in"), {"H3": 300, "H4": 313, "H5": 900})
    [feedback] = write_feedbacks([assess(filled.ctx, path)], tmp_path / "feedback")
    _answer(feedback, "CHANGE_UNUSUAL", "September 2023", "A large one-off partnership started.")
    edit(feedback, lambda sheet: sheet.move_range("A5:R5", rows=2))  # September's row moved down to row 7
    moved = assess(filled.ctx, feedback)
    query = next(p for p in moved.report if p.code == "CHANGE_UNUSUAL")
    assert (query.cell, moved.open_queries) == ("H7", 0) and "one-off partnership" in query.message
    assert [p for p in moved.report if p.code == "RESPONSE_UNMATCHED"] == []


def test_text_that_looks_like_a_formula_is_written_as_text(filled: Filled, tmp_path: Path) -> None:
    path = set_cells(filled.copy("libraries", tmp_path / "in"), {"H3": '=HYPERLINK("http://x","y")'})
    result = assess(filled.ctx, path)
    [out] = write_feedbacks([result], tmp_path / "feedback")
    book = load_workbook(out)
    assert book.sheetnames.index(FEEDBACK_SHEET) == 0
    with zipfile.ZipFile(out) as zf:
        problems_xml = zf.read("xl/worksheets/sheet1.xml").decode()  # openpyxl numbers parts in sheet order
    assert "HYPERLINK" in problems_xml and "<f>" not in problems_xml  # written inline, as a string
    assert book[FEEDBACK_SHEET]["G3"].data_type == "s" and "HYPERLINK" in book[FEEDBACK_SHEET]["G3"].value
    assert book["Return"]["H3"].data_type == "f"  # the lead's own formula is kept as they typed it


def test_a_file_that_is_not_a_workbook_gets_a_problems_only_workbook(filled: Filled, tmp_path: Path) -> None:
    pdf = tmp_path / "Libraries Q2.xlsx"
    pdf.write_bytes(b"%PDF-1.7\n")
    [out] = write_feedbacks([assess(filled.ctx, pdf)], tmp_path / "feedback")
    book = load_workbook(out)
    assert book.sheetnames == [FEEDBACK_SHEET]
    assert _rows(book[FEEDBACK_SHEET])[2][1] == "FILE_NOT_WORKBOOK"


def test_no_feedback_for_a_return_without_problems_and_names_stay_in_the_folder(filled: Filled,
                                                                                 tmp_path: Path) -> None:
    clean = assess(filled.ctx, filled.filled["libraries"])
    hostile = tmp_path / "..%2F..%2Fevil name;rm -rf.xlsx"
    hostile.write_bytes(b"")
    written = write_feedbacks([clean, assess(filled.ctx, hostile)], tmp_path / "feedback")
    assert [p.name for p in written] == ["2F.._2Fevil_name_rm_-rf-feedback.xlsx"]
    assert written[0].parent == tmp_path / "feedback"


def test_the_problems_sheet_says_what_to_do_and_its_rows_fit_their_text(filled: Filled, tmp_path: Path) -> None:
    [path] = write_feedbacks([assess(filled.ctx, _damaged(filled, tmp_path))], tmp_path / "feedback")
    book = load_workbook(path)
    sheet = book[FEEDBACK_SHEET]
    assert sheet["A1"].value.startswith("What to do with this file:") and sheet["A1"].font.b
    assert sheet.freeze_panes == "A3" and sheet.auto_filter.ref.startswith("A2:")
    for row in range(3, sheet.max_row + 1):  # each row as tall as its longest wrapped text: none at the default
        longest = max(len(str(sheet.cell(row, c).value or "")) / (sheet.column_dimensions[sheet.cell(row, c)
                      .column_letter].width - 1) for c in range(1, len(FEEDBACK_HEADERS) + 1))
        assert sheet.row_dimensions[row].height >= 15 * min(math.ceil(longest), 24), row
    assert book.properties.language == "en-GB"


def test_a_feedback_workbook_from_before_the_banner_still_gives_its_responses(filled: Filled, tmp_path: Path) -> None:
    result = assess(filled.ctx, _damaged(filled, tmp_path))
    [path] = write_feedbacks([result], tmp_path / "feedback")
    book = load_workbook(path)
    sheet = book[FEEDBACK_SHEET]
    sheet.delete_rows(1)  # as kpixl wrote it before: the header in row 1
    query_row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 2).value == "ACTIONS_REQUIRED")
    sheet.cell(query_row, len(FEEDBACK_HEADERS)).value = "Visits recover in Q3."
    book.save(path)
    messages = [p.message for p in assess(filled.ctx, path).report.problems if p.code == "ACTIONS_REQUIRED"]
    assert len(messages) == 1 and "Visits recover in Q3." in messages[0]
