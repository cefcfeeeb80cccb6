"""The generated workbooks, opened with openpyxl as a reader would: sheets, protection, locked and
unlocked cells, validations, formats, page setup, properties and the signed metadata (docs/workbooks.md)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from support.workbook import GENERATED, SEED_SERVICES, example_workspace, read_meta, write_all

from kpixl.domain import NO_FIGURE_REASONS
from kpixl.domain.numbers import to_decimal
from kpixl.layout.returns import (
    ACTIONS_MAX,
    COMMENTARY_MAX,
    FIRST_ROW,
    HEADER_ROW,
    META_SHEET,
    OWNER_MAX,
    RETURN_COLUMNS,
    REVISION_REASONS,
    RowMeta,
    WorkbookMeta,
    column,
    verify,
)
from kpixl.steps.generate import WrittenWorkbook
from kpixl.steps.workspace import Workspace

LETTER = {c.key: chr(ord("A") + i) for i, c in enumerate(RETURN_COLUMNS)}


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, list[WrittenWorkbook]]:
    ws = example_workspace(tmp_path_factory.mktemp("writer"))
    return ws, write_all(ws)


def _book(written: tuple[Workspace, list[WrittenWorkbook]], service: str):  # type: ignore[no-untyped-def]
    path = next(w.path for w in written[1] if w.service == service)
    return load_workbook(path)


def _validations(sheet: Worksheet) -> dict[str, object]:
    found = {}
    for dv in sheet.data_validations.dataValidation:
        for cell_range in dv.sqref.ranges:
            for row in cell_range.cells:
                found[f"{chr(ord('A') + row[1] - 1)}{row[0]}"] = dv
    return found


def test_one_workbook_per_seed_service_named_council_service_period(written) -> None:  # type: ignore[no-untyped-def]
    ws, books = written
    assert [w.service for w in books] == SEED_SERVICES
    assert books[0].path.name == "cambridgeshire-county-council_libraries_2023-24-Q2.xlsx"
    assert {w.path.parent for w in books} == {ws.path("workbooks") / "2023-24-Q2"}
    assert sum(w.rows for w in books) == 21  # 19 indicators, 221 monthly: three rows


def test_sheets_order_visibility_and_structure_protection(written) -> None:  # type: ignore[no-untyped-def]
    book = _book(written, "libraries")
    assert book.sheetnames == ["Instructions", "Return", "Sign-off", "Lists", META_SHEET]
    assert book.active.title == "Instructions"
    states = {s.title: s.sheet_state for s in book.worksheets}
    assert states == {"Instructions": "visible", "Return": "visible", "Sign-off": "visible", "Lists": "hidden",
                      META_SHEET: "veryHidden"}
    assert book.security is not None and book.security.lockStructure
    for sheet in book.worksheets:
        assert sheet.protection.sheet, sheet.title
        assert not sheet.merged_cells.ranges, sheet.title
        assert len(sheet.title) <= 31
    ret = book["Return"].protection
    assert ret.insertRows and ret.deleteRows and ret.insertColumns and ret.deleteColumns  # still forbidden
    assert not ret.formatColumns and not ret.formatRows  # resizing is allowed


def test_header_row_and_one_row_per_indicator_and_month(written) -> None:  # type: ignore[no-untyped-def]
    sheet = _book(written, "trading-standards")["Return"]
    assert [c.value for c in sheet[HEADER_ROW]] == [c.header for c in RETURN_COLUMNS]
    rows = [(sheet[f"A{r}"].value, sheet[f"C{r}"].value) for r in range(FIRST_ROW, sheet.max_row + 1)]
    assert rows == [("221", "July 2023"), ("221", "August 2023"), ("221", "September 2023"), ("222", "2023/24 Q2")]
    assert sheet["E5"].value == 291 and sheet["E3"].value == "None set"  # the target is set for September only
    assert sheet["G5"].value == 313 and sheet["F5"].value == "August 2023"
    assert sheet[f"{LETTER['revise_period']}3"].value == "June 2023"


def test_context_cells_locked_inputs_unlocked_and_styled(written) -> None:  # type: ignore[no-untyped-def]
    sheet = _book(written, "registration")["Return"]
    for row in (3, 4):
        for col in RETURN_COLUMNS:
            cell = sheet[f"{LETTER[col.key]}{row}"]
            assert cell.protection.locked is (not col.input), (col.key, row)
            if col.input:
                assert cell.fill.fgColor.rgb == "FFFFF2CC" and cell.border.left.style == "thin"
    assert sheet["E3"].number_format == "0%" and sheet["H3"].number_format == "0.0%"
    assert sheet.freeze_panes == "C3"
    # rows are sized for their wrapped text (spreadsheets do not re-fit rows on opening) and room to write
    assert sheet.row_dimensions[2].height >= 30 and all(sheet.row_dimensions[r].height >= 45 for r in (3, 4))
    # One <col> covers neighbours of the same width: openpyxl keys it by its first column only.
    widths = {n: d.width for d in sheet.column_dimensions.values() for n in range(d.min, d.max + 1)}
    assert all(widths[column(c.key) + 1] >= c.width for c in RETURN_COLUMNS)


def test_every_input_is_validated_with_a_stop_alert(written) -> None:  # type: ignore[no-untyped-def]
    for service in SEED_SERVICES:
        sheet = _book(written, service)["Return"]
        validations = _validations(sheet)
        for row in range(FIRST_ROW, sheet.max_row + 1):
            for key in (c.key for c in RETURN_COLUMNS if c.input):  # the seed has no calculated indicator
                dv = validations[f"{LETTER[key]}{row}"]
                assert dv.errorStyle in (None, "stop") and dv.showErrorMessage and dv.showInputMessage
                assert dv.prompt and dv.promptTitle and dv.error


def test_validation_rules_by_unit_and_column(written) -> None:  # type: ignore[no-untyped-def]
    reg = _validations(_book(written, "registration")["Return"])  # percentages
    assert (reg["H3"].type, reg["H3"].formula1, reg["H3"].formula2) == ("decimal", "0", "1")
    assert reg["H3"].operator in (None, "between")  # "between" is the default, so not written
    assert "Type 68% for sixty-eight per cent" in reg["H3"].prompt
    revised = f"{LETTER['revised']}3"
    assert (reg[revised].type, reg[revised].formula1, reg[revised].formula2) == ("decimal", "0", "1")
    lib = _validations(_book(written, "libraries")["Return"])  # counts
    assert (lib["H3"].type, lib["H3"].operator, lib["H3"].formula1) == ("whole", "greaterThanOrEqual", "0")
    ts = _validations(_book(written, "trading-standards")["Return"])  # hours
    assert (ts["H3"].type, ts["H3"].operator, ts["H3"].formula1) == ("decimal", "greaterThanOrEqual", "0")
    assert (lib["I3"].type, lib["I3"].formula1) == ("list", f"Lists!$A$2:$A${1 + len(NO_FIGURE_REASONS)}")
    why = f"{LETTER['revision_reason']}3"
    assert (lib[why].type, lib[why].formula1) == ("list", f"Lists!$B$2:$B${1 + len(REVISION_REASONS)}")
    assert (lib["K3"].type, lib["K3"].operator, lib["K3"].formula1) == ("textLength", "lessThanOrEqual",
                                                                        str(COMMENTARY_MAX))
    assert (lib["L3"].type, lib["L3"].formula1) == ("textLength", str(ACTIONS_MAX))
    assert (lib["M3"].type, lib["M3"].formula1) == ("textLength", str(OWNER_MAX))  # the actions' owner
    assert (lib["N3"].type, lib["N3"].operator, lib["N3"].formula1, lib["N3"].formula2) == (
        "date", None, "36526", "73050")  # their due date: a date from 2000 to 2099 (Excel serials)


def test_lists_sheet_holds_the_dropdown_sources(written) -> None:  # type: ignore[no-untyped-def]
    sheet = _book(written, "libraries")["Lists"]
    assert [c.value for c in sheet["A"]][1:] == list(NO_FIGURE_REASONS)
    assert [c.value for c in sheet["B"] if c.value is not None][1:] == list(REVISION_REASONS)


def test_rag_preview_formulas_and_colours(written) -> None:  # type: ignore[no-untyped-def]
    sheet = _book(written, "coroner")["Return"]
    formula = sheet["J4"].value
    assert formula.startswith('=IF(H4="","",') and '"Contextual"' in formula
    rules = {str(r.sqref): [rule for rule in r.rules] for r in sheet.conditional_formatting}
    rag = rules[f"J3:J{sheet.max_row}"]
    assert sorted(r.formula[0] for r in rag) == ['"Amber"', '"Blue"', '"Green"', '"Red"']
    assert {r.formula[0]: r.dxf.fill.bgColor.rgb[-6:] for r in rag}['"Red"'] == "C00000"
    actions = rules[f"L3:L{sheet.max_row}"][0]
    assert actions.formula == ['AND($J3="Red",LEN(TRIM($L3))=0)']


def test_print_setup_and_properties_are_pinned(written) -> None:  # type: ignore[no-untyped-def]
    book = _book(written, "libraries")
    sheet = book["Return"]
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth in (None, 1) and sheet.page_setup.fitToHeight == 0  # 1 wide (the default)
    assert sheet.print_title_rows == "$2:$2"
    assert not sheet.oddFooter.left.text and not sheet.oddFooter.right.text  # no footer: a screen reader reads it
    assert book.properties.created == datetime(2023, 10, 1)
    assert book.properties.title == "Performance return: Library Service, 2023/24 Q2"


def test_the_same_input_writes_the_same_bytes(written, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ws, books = written
    again = write_all(ws, services=["libraries"], out=tmp_path)
    assert again[0].path.read_bytes() == books[0].path.read_bytes()


def test_instructions_name_council_service_period_deadline_and_contact(written) -> None:  # type: ignore[no-untyped-def]
    text = "\n".join(str(c.value) for c in _book(written, "libraries")["Instructions"]["A"] if c.value)
    for words in ("Cambridgeshire County Council", "Library Service", "Quarter 2 2023/24", "Friday 27 October 2023",
                  "performance@example.org", "Type percentages with the % sign", "Red: off target by more than 10%"):
        assert words in text


def test_metadata_is_signed_and_matches_the_cells(written) -> None:  # type: ignore[no-untyped-def]
    ws, books = written
    for book in books:
        meta, signature = read_meta(book.path)
        assert verify(meta, signature, ws.secret)
        assert (meta.council, meta.service, meta.period, meta.generated) == (
            "Cambridgeshire County Council", book.service, "2023-24-Q2", GENERATED.isoformat())
        sheet = load_workbook(book.path)["Return"]
        assert [r.row for r in meta.rows] == list(range(FIRST_ROW, FIRST_ROW + book.rows))
        for r in meta.rows:
            assert sheet.cell(r.row, column("indicator") + 1).value == r.indicator
            for key, text in (("target", r.target), ("comparison", r.comparison)):
                value = sheet.cell(r.row, column(key) + 1).value
                assert (Decimal(text) == to_decimal(value)) if text else not isinstance(value, (int, float))


def _tampered(meta: WorkbookMeta, **changes: object) -> WorkbookMeta:
    fields = {**meta.__dict__, **changes}
    return WorkbookMeta(**fields)  # type: ignore[arg-type]


def test_signature_fails_for_another_service_or_an_edited_context_cell(written) -> None:  # type: ignore[no-untyped-def]
    ws, books = written
    meta, signature = read_meta(books[0].path)
    assert not verify(_tampered(meta, service="adult-skills"), signature, ws.secret)
    assert not verify(_tampered(meta, period="2023-24-Q3"), signature, ws.secret)
    first = meta.rows[0]
    edited = RowMeta(first.row, first.indicator, first.period, "1", first.comparison_period, first.comparison,
                     first.revise_period)
    assert not verify(_tampered(meta, rows=(edited, *meta.rows[1:])), signature, ws.secret)
    assert not verify(meta, signature, b"another workspace's secret")
    _, other_signature = read_meta(books[1].path)
    assert not verify(meta, other_signature, ws.secret)


def test_read_meta_is_none_for_a_file_kpixl_did_not_write(tmp_path: Path) -> None:
    (tmp_path / "notes.xlsx").write_bytes(b"not a zip")
    assert read_meta(tmp_path / "notes.xlsx") is None
    from openpyxl import Workbook

    Workbook().save(tmp_path / "plain.xlsx")
    assert read_meta(tmp_path / "plain.xlsx") is None


def test_the_rows_are_an_excel_table_below_a_title(written) -> None:  # type: ignore[no-untyped-def]
    for service in SEED_SERVICES:
        book = _book(written, service)
        sheet = book["Return"]
        [table] = sheet.tables.values()
        last = f"{LETTER[RETURN_COLUMNS[-1].key]}{sheet.max_row}"
        assert (table.ref, table.headerRowCount in (None, 1), table.autoFilter) == (f"A{HEADER_ROW}:{last}", True, None)
        assert [c.name for c in table.tableColumns] == [c.header for c in RETURN_COLUMNS]
        assert sheet["A1"].value == book.properties.title and sheet["A1"].font.b
        assert not sheet.merged_cells.ranges
        assert book.properties.language == "en-GB"


# What Excel shows of a sheet at 100% zoom, maximised on a 1366 x 768 screen: the grid less the row numbers,
# scroll bar and window edges across; less the taskbar, title bar, ribbon, formula bar, column letters,
# sheet tabs and status bar down (about 480 pixels: 400 leaves room for a taller ribbon).
FIRST_SCREEN = (1300, 400)


def _pixels(width: float) -> int:
    """A column's width in pixels at 100% zoom (Calibri 11: 7 pixels a character and 5 of padding)."""
    return int(width * 7 + 0.5) + 5


def test_the_first_cell_to_fill_in_is_on_the_first_screen_and_the_indicator_stays_in_view(written) -> None:  # type: ignore[no-untyped-def]
    first_input = next(c for c in RETURN_COLUMNS if c.input)
    assert first_input.key == "current"
    right = sum(_pixels(c.width) for c in RETURN_COLUMNS[:column("current") + 1])
    assert right <= FIRST_SCREEN[0], right
    for service in SEED_SERVICES:
        sheet = _book(written, service)["Return"]
        bottom = sum(sheet.row_dimensions[r].height * 4 / 3 for r in range(1, FIRST_ROW + 1))
        assert bottom <= FIRST_SCREEN[1], (service, bottom)
        # Frozen: the title and header rows, and the indicator's number and title.
        assert sheet.freeze_panes == f"C{FIRST_ROW}"
