"""One reading or none (issue 12): a return whose XML spreadsheet programs may read two ways is refused with
a problem naming the sheet and the cell, and no figure is taken from it; the forms genuine writers use
(xlsxwriter, openpyxl, Excel, LibreOffice) are read as before. docs/one-reading.md gives each rule and the
evidence for it; tests/test_intake_ambiguity_fuzz.py checks the rules against LibreOffice's own reading.

Each case here is a real filled return (Library Service's) with one thing changed in its XML, mostly in the
first indicator's row (FIRST: its figure is FIGURE, its commentary COMMENTARY). The first three are the
issue's own: kpixl stored 96326, 11111 and 22111 where LibreOffice shows 33333, 96326 and 11122."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from support.ambiguity import (
    COMMENTARY,
    FIGURE,
    as_excel_writes,
    cell,
    inline,
    ref,
    return_sheet,
    row,
    with_cell,
    with_return_sheet,
)
from support.hostile import with_shared_strings
from support.intake import Filled, assess, codes, make_filled, set_cells
from support.zips import deflate, members_of, rezip

from kpixl.intake.assess import assess_bytes
from kpixl.intake.feedback import write_feedbacks
from kpixl.layout.returns import FIRST_ROW
from kpixl.untrusted.sheets import decode_text

SST_HEAD = '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
FIRST, SECOND = FIRST_ROW, FIRST_ROW + 1  # the first two indicators' rows
BEFORE = f"{chr(ord(FIGURE[0]) - 1)}{FIRST}"  # the cell just before the figure
FAR = ref("indicator", 9)  # a cell in another row
LAST = ref("last_commentary")  # the last column kpixl writes


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Filled:
    return make_filled(tmp_path_factory.mktemp("ambiguity"))


@pytest.fixture(scope="module")
def real(filled: Filled) -> bytes:
    return filled.filled["libraries"].read_bytes()


def sheet_changed(change: Callable[[str], str]) -> Callable[[bytes], bytes]:
    return lambda data: with_return_sheet(data, change(return_sheet(data)))


def duplicated_first_row(xml: str) -> str:
    first = row(xml, FIRST)
    return xml.replace(first, first + first.replace("<v>96326</v>", "<v>33333</v>"), 1)


def rows_swapped(xml: str) -> str:
    first, second = row(xml, FIRST), row(xml, SECOND)
    return xml.replace(first, "\0").replace(second, first).replace("\0", second)


def shared(*items: str) -> Callable[[bytes], bytes]:
    """The return with a shared strings table of these <si> contents, FIGURE pointing at the first."""
    def build(data: bytes) -> bytes:
        table = SST_HEAD + "".join(f"<si>{item}</si>" for item in items) + "</sst>"
        xml = with_cell(return_sheet(data), FIGURE, '<c r="{ref}"{s} t="s"><v>0</v></c>')
        return with_shared_strings(with_return_sheet(data, xml), deflate(table.encode()))
    return build


def in_workbook(change: Callable[[str], str], part: str = "xl/workbook.xml") -> Callable[[bytes], bytes]:
    return lambda data: rezip(data, replace={part: change(members_of(data)[part].decode()).encode()})


def second_name_for_return(xml: str) -> str:
    return xml.replace("</sheets>", '<sheet xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
                                    'relationships" name="Copy" sheetId="9" r:id="rId2"/></sheets>')


def merged_over(xml: str) -> str:
    return xml.replace("</sheetData>", f'</sheetData><mergeCells count="1"><mergeCell ref="{BEFORE}:{FIGURE}"/>'
                                       "</mergeCells>")


# (name, what is done to the return, the problem's code, sheet and cell, words of its message)
CASES: list[tuple[str, Callable[[bytes], bytes], str, str, str, str]] = [
    # The issue's three: each was stored silently, as openpyxl read it.
    ("a duplicated row", sheet_changed(duplicated_first_row), "FILE_AMBIGUOUS", "Return", "",
     f"row {FIRST} is there twice"),
    ("two values in one cell", sheet_changed(lambda x: with_cell(x, FIGURE, '<c r="{ref}"{s}><v>11111</v><v>96326</v>'
                                                                          "</c>")),
     "CELL_AMBIGUOUS", "Return", FIGURE, "two <v> elements"),
    ("runs and a bare text", sheet_changed(lambda x: with_cell(
        x, FIGURE, '<c r="{ref}"{s} t="inlineStr"><is><r><t>22</t></r><t>111</t></is></c>')),
     "CELL_AMBIGUOUS", "Return", FIGURE, "mixes rich-text runs (<r>) with a plain text"),
    # Structure
    ("rows out of order", sheet_changed(rows_swapped), "FILE_AMBIGUOUS", "Return", "",
     f"row {FIRST} comes after row {SECOND}"),
    ("a cell in another row", sheet_changed(lambda x: with_cell(x, FIGURE, f'<c r="{FAR}"><v>1</v></c>')),
     "CELL_AMBIGUOUS", "Return", FAR, "LibreOffice in row 9"),
    ("cells out of order", sheet_changed(lambda x: with_cell(x, FIGURE, cell(x, FIGURE) + f'<c r="{BEFORE}"><v>1</v>'
                                                                                        "</c>")),
     "CELL_AMBIGUOUS", "Return", BEFORE, f"comes after {FIGURE}"),
    ("a row outside the rows", sheet_changed(lambda x: x.replace("</sheetData>", '</sheetData><row r="9"><c r="J9">'
                                                                                  "<v>1</v></c></row>")),
     "FILE_AMBIGUOUS", "Return", "", "outside its rows"),
    ("a second table of rows", sheet_changed(lambda x: x.replace("</sheetData>", f'</sheetData><sheetData><row r='
                                                                                  f'"{FIRST}"><c r="{FIGURE}"><v>1</v>'
                                                                                  "</c></row></sheetData>")),
     "FILE_AMBIGUOUS", "Return", "", "second table of rows"),
    ("a row numbered with a zero first", sheet_changed(lambda x: x.replace(f'<row r="{SECOND}"', f'<row r="0{SECOND}"',
                                                                            1)),
     "FILE_AMBIGUOUS", "Return", "", f"numbered '0{SECOND}'"),
    ("a value under merged cells", sheet_changed(merged_over), "CELL_AMBIGUOUS", "Return", FIGURE,
     f"hidden under the merged cells {BEFORE}:{FIGURE}"),
    # Values
    ("1_000", sheet_changed(lambda x: with_cell(x, FIGURE, '<c r="{ref}"{s}><v>96_326</v></c>')),
     "CELL_AMBIGUOUS", "Return", FIGURE, "'96_326' as a number"),
    ("Arabic-Indic digits", sheet_changed(lambda x: with_cell(x, FIGURE, '<c r="{ref}"{s}><v>\u0669\u0666</v></c>')),
     "CELL_AMBIGUOUS", "Return", FIGURE, "as a number"),
    ("an unknown type", sheet_changed(lambda x: with_cell(x, FIGURE, '<c r="{ref}"{s} t="d"><v>2023-09-30</v></c>')),
     "CELL_AMBIGUOUS", "Return", FIGURE, "t='d'"),
    ("a true/false of 2", sheet_changed(lambda x: with_cell(x, FIGURE, '<c r="{ref}"{s} t="b"><v>2</v></c>')),
     "CELL_AMBIGUOUS", "Return", FIGURE, "not 0 or 1"),
    ("a value and an inline string", sheet_changed(lambda x: with_cell(
        x, FIGURE, '<c r="{ref}"{s} t="inlineStr"><v>7</v><is><t>8</t></is></c>')),
     "CELL_AMBIGUOUS", "Return", FIGURE, "inline string"),
    # Texts kpixl reads
    ("an escape Excel decodes", sheet_changed(lambda x: with_cell(x, COMMENTARY, inline("Visits _x0041_ rose again."))),
     "CELL_AMBIGUOUS", "Return", COMMENTARY, "'_x0041_'"),
    ("an escaped underscore openpyxl leaves", sheet_changed(lambda x: with_cell(x, COMMENTARY, inline("a _x005F_ b c d e."))),
     "CELL_AMBIGUOUS", "Return", COMMENTARY, "'_x005F_'"),
    ("a short escape LibreOffice decodes", sheet_changed(lambda x: with_cell(x, COMMENTARY, inline("It rose_x0_x000D_\n"))),
     "CELL_AMBIGUOUS", "Return", COMMENTARY, "'_x0_'"),
    ("a shared string of two texts", shared("<t>22</t><t>111</t>"), "CELL_AMBIGUOUS", "Return", FIGURE,
     "two texts (<t>)"),
    ("a shared string openpyxl cuts", shared("<t>96x005F_326</t>"), "CELL_AMBIGUOUS", "Return", FIGURE,
     "'x005F_'"),
    ("an escaped escape", shared("<t>_x005F_x000D_</t>"), "CELL_AMBIGUOUS", "Return", FIGURE, "escaped escape"),
    ("a shared string out of the table", sheet_changed(lambda x: with_cell(x, FIGURE, '<c r="{ref}"{s} t="s"><v>-1</v>'
                                                                                     "</c>")),
     "CELL_AMBIGUOUS", "Return", FIGURE, "no shared strings"),
    # The workbook's map of its parts
    ("one sheet under two names", in_workbook(second_name_for_return), "FILE_AMBIGUOUS", "Copy", "",
     "one sheet under two names"),
    ("two sheets named Return", in_workbook(lambda x: x.replace('name="Instructions"', 'name="return "')),
     "FILE_AMBIGUOUS", "Return", "", "two sheets are named"),
    ("two shared strings tables", lambda data: in_workbook(
        lambda x: x.replace("</Types>", '<Override PartName="/xl/other.xml" ContentType="application/vnd.'
                            'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'),
        "[Content_Types].xml")(shared("<t>1</t>")(data)),
     "FILE_AMBIGUOUS", "", "", "two shared strings parts"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c[0])
def test_xml_programs_read_two_ways_is_refused_naming_the_cell(filled: Filled, real: bytes,
                                                               case: tuple[str, Callable[[bytes], bytes], str, str,
                                                                           str, str]) -> None:
    _, build, code, sheet, ref, words = case
    result = assess_bytes(filled.ctx, Path("return.xlsx"), build(real))
    [first] = result.report.errors
    assert (first.code, first.sheet, first.cell) == (code, sheet, ref), first
    assert words in first.message, first.message
    assert "Open" in first.hint and not result.accepted and result.figures == []


def test_the_forms_excel_writes_are_read_as_before(filled: Filled, real: bytes) -> None:
    """Shared strings, x14ac attributes, spans, and a pasted commentary's line breaks written _x000D_ + LF:
    the same figures and the same texts as the workbook openpyxl saved."""
    excel = as_excel_writes(real)
    assert "_x000D_" in members_of(excel)["xl/sharedStrings.xml"].decode()
    before, after = assess_bytes(filled.ctx, Path("r.xlsx"), real), assess_bytes(filled.ctx, Path("r.xlsx"), excel)
    assert after.accepted and codes(after) == codes(before)
    assert [(r.figure, r.provenance.cell) for r in after.figures] == [(r.figure, r.provenance.cell)
                                                                     for r in before.figures]


@pytest.mark.parametrize("service", ["libraries", "adult-skills", "coroner", "trading-standards"])
def test_kpixls_own_workbooks_blank_and_filled_mean_one_thing(filled: Filled, service: str) -> None:
    for path in (filled.blank[service], filled.filled[service]):
        result = assess(filled.ctx, path)
        assert not [p for p in result.report if p.code.endswith("_AMBIGUOUS")], codes(result)
        assert result.work.sheets_checked == 2  # Return and the metadata sheet, and no other


@pytest.mark.parametrize("written, shown", [
    ("line one_x000D_\nline two", "line one\r\nline two"),  # Excel's form of a pasted line break
    ("tab_x0009_and_x000A_feed", "tab\tand\nfeed"),
    ("lower_x000d_case", "lower\rcase"),
    ("no escape _x00 here", "no escape _x00 here"),
])
def test_the_escapes_excel_and_libreoffice_decode_are_decoded(written: str, shown: str) -> None:
    assert decode_text(written) == shown


def test_a_commentary_pasted_with_line_breaks_is_stored_as_shown(filled: Filled, real: bytes) -> None:
    text = "Visits rose._x000D_\nThe mobile library returned._x000D_\n"
    result = assess_bytes(filled.ctx, Path("r.xlsx"), sheet_changed(lambda x: with_cell(x, COMMENTARY, inline(text)))(real))
    assert result.accepted
    assert result.figures[0].figure.commentary == "Visits rose.\nThe mobile library returned."


def test_an_escape_outside_the_cells_kpixl_reads_is_no_concern(filled: Filled, real: bytes) -> None:
    """Text rules apply where kpixl reads (the first 60 columns): a lead's note far to the right is not read."""
    def note(xml: str) -> str:
        last = cell(xml, LAST)
        return xml.replace(last, last + f'<c r="BZ{FIRST}" t="inlineStr"><is><t>_x0041_</t></is></c>', 1)

    assert assess_bytes(filled.ctx, Path("r.xlsx"), sheet_changed(note)(real)).accepted


def test_a_renamed_return_sheet_is_checked_like_the_return(filled: Filled, real: bytes) -> None:
    renamed = in_workbook(lambda x: x.replace('name="Return"', 'name="Q2 figures"'))(real)
    assert assess_bytes(filled.ctx, Path("r.xlsx"), renamed).accepted
    result = assess_bytes(filled.ctx, Path("r.xlsx"), sheet_changed(duplicated_first_row)(renamed))
    assert [(p.code, p.sheet) for p in result.report.errors] == [("FILE_AMBIGUOUS", "Q2 figures")]


def test_what_each_issue_case_stored_before_is_now_no_figure(filled: Filled, real: bytes) -> None:
    """Before: 96326, 11111 and '22111' (read as text) were stored from these, where LibreOffice shows 33333,
    96326 and '11122'."""
    for build in (CASES[0][1], CASES[1][1], CASES[2][1]):
        result = assess_bytes(filled.ctx, Path("r.xlsx"), build(real))
        assert result.figures == [] and not result.accepted
    found = re.search(r"<v>(\d+)</v>", cell(return_sheet(real), FIGURE))
    assert found is not None and Decimal(found.group(1)) == 96326


def test_a_feedback_workbook_quoting_an_escape_reads_back_without_one(filled: Filled, real: bytes,
                                                                      tmp_path: Path) -> None:
    """The refusal of a '_x0041_' typed as a figure quotes it in the Problems sheet: written as it was, the
    feedback workbook came back refused for kpixl's own message, whatever the lead corrected."""
    typed = sheet_changed(lambda x: with_cell(x, FIGURE, inline("96_x0041_326")))(real)
    path = tmp_path / "r.xlsx"
    path.write_bytes(typed)
    result = assess_bytes(filled.ctx, path, typed)
    assert [p.code for p in result.report.errors] == ["CELL_AMBIGUOUS"] and "'_x0041_'" in result.report.errors[0].message
    result.markable = True  # marked as any other workbook would be: the Problems sheet is the point
    [feedback] = write_feedbacks([result], tmp_path / "feedback")
    corrected = set_cells(feedback, {FIGURE: 96326})  # the lead puts the figure right and sends it back
    assert assess(filled.ctx, corrected).accepted
