"""The register as a workbook: the template, the round trip through write and load, and damaged workbooks.

Workbooks a council might send are built here from readable tables; each damage is one small edit, and the
expectation is the (code, sheet, cell) of every problem the load reports.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter

from kpixl.catalogue import CATALOGUE
from kpixl.domain import (
    Committee,
    Comparison,
    Direction,
    Frequency,
    Indicator,
    Kind,
    Link,
    PercentageBasis,
    Register,
    Service,
    Tolerances,
    Unit,
)
from kpixl.errors import OutputError
from kpixl.layout.register import SHEETS
from kpixl.problems import Severity, Where, problem
from kpixl.register import load_register, workbook_file
from kpixl.workbook.register_book import write_register_workbook

# --- Workbooks from text ----------------------------------------------------------------------------------

BASE = {
    "Indicators": """
        | Indicator | Title          | Service ID | Committee IDs | Unit       | Direction | Frequency | Compare with          | Kind   |
        | 36        | Library visits | libraries  | csmi          | count      | up        | quarterly | previous_period       | target |
        | 37        | Satisfaction   | libraries  | csmi          | percentage | up        | quarterly | previous_period       | target |
        | 38        | Missed bins    | waste      | csmi          | count      | down      | monthly   | same_period_last_year | target |
    """,
    "Targets": """
        | Indicator | Period     | Target or baseline |
        | 36        | 2023-24-Q2 | 475381             |
        | 37        | 2023-24    | 70%                |
        | 38        | 2023-09    | 120                |
    """,
    "Links": """
        | Indicator | Label     | URL                            |
        | 36        | LG Inform | https://lginform.local.gov.uk/ |
    """,
    "Services": """
        | Service ID | Service name | Lead name | Lead email             |
        | libraries  | Libraries    | Ann Lee   | ann.lee@council.gov.uk |
        | waste      | Waste        | Bob Roe   | bob.roe@council.gov.uk |
    """,
    "Committees": """
        | Committee ID | Committee name       |
        | csmi         | Communities Scrutiny |
    """,
}


def _cell(text: str) -> object:
    """As Excel takes what is typed: whole numbers and decimals become numbers, the rest stays text."""
    if not text:
        return None
    if re.fullmatch(r"-?(0|[1-9]\d*)", text):
        return int(text)
    if re.fullmatch(r"-?\d+\.\d+", text):
        return float(text)
    return text


def table(text: str) -> list[list[object]]:
    lines = [line.strip() for line in text.strip().splitlines()]
    return [[_cell(c.strip()) for c in line.strip("|").split("|")] for line in lines]


Edit = Callable[[openpyxl.Workbook], None]


def make_workbook(path: Path, tables: dict[str, str] = BASE, edit: Edit | None = None) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for sheet, text in tables.items():
        ws = book.create_sheet(sheet)
        for row in table(text):
            ws.append(row)
    if edit:
        edit(book)
    book.save(path)
    return path


def problems(path: Path) -> list[tuple[str, str, str]]:
    return [(p.code, p.sheet, p.cell) for p in load_register(path).report]


# --- The template ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    path = tmp_path_factory.mktemp("template") / "register.xlsx"
    write_register_workbook(path)
    return openpyxl.load_workbook(path)


def test_template_has_the_sheets_in_order_then_the_lists(template: openpyxl.Workbook) -> None:
    assert template.sheetnames == [*SHEETS, "Lists"]


@pytest.mark.parametrize("sheet", SHEETS)
def test_template_headers_follow_the_fields(template: openpyxl.Workbook, sheet: str) -> None:
    ws = template[sheet]
    assert [cell.value for cell in ws[1]] == [c.header for c in SHEETS[sheet]]
    assert all(cell.font.b for cell in ws[1])
    assert ws.freeze_panes == "A2"
    [table] = ws.tables.values()  # an Excel table over the header and (in the template) one empty row
    assert (table.ref, table.autoFilter.ref) == (f"A1:{get_column_letter(len(SHEETS[sheet]))}2",) * 2
    assert [c.name for c in table.tableColumns] == [c.header for c in SHEETS[sheet]]
    assert template.properties.language == "en-GB"


def _validations(ws: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, object]:
    return {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}


@pytest.mark.parametrize("sheet", SHEETS)
def test_every_column_explains_itself_and_coded_ones_have_a_dropdown_from_lists(
        template: openpyxl.Workbook, sheet: str) -> None:
    validations = _validations(template[sheet])
    for index, column in enumerate(SHEETS[sheet], start=1):
        letter = get_column_letter(index)
        dv = validations[f"{letter}2:{letter}2000"]
        assert dv.promptTitle == column.header and dv.prompt and dv.showInputMessage
        if column.help:
            assert column.help in dv.prompt
        if not column.choices:
            assert dv.type is None  # "any": a message, no restriction
            continue
        # "stop" is the file format's default, so xlsxwriter leaves errorStyle out for it.
        assert (dv.type, dv.errorStyle or "stop", dv.showErrorMessage) == ("list", "stop", True)
        source = re.fullmatch(r"Lists!\$([A-Z]+)\$2:\$\1\$(\d+)", dv.formula1)
        assert source, dv.formula1
        lists = template["Lists"]
        values = [lists[f"{source[1]}{r}"].value for r in range(2, int(source[2]) + 1)]
        assert tuple(values) == column.choices
        assert lists[f"{source[1]}1"].value == f"{sheet}: {column.header}"


def test_template_properties_are_pinned_so_the_bytes_repeat(tmp_path: Path) -> None:
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_register_workbook(first)
    write_register_workbook(second)
    assert first.read_bytes() == second.read_bytes()
    properties = openpyxl.load_workbook(first).properties
    assert (properties.title, properties.created) == ("kpixl indicator register", datetime(2023, 1, 1))


def test_the_blank_template_loads_as_an_empty_register_with_warnings_saying_what_to_add(tmp_path: Path) -> None:
    path = tmp_path / "register.xlsx"
    write_register_workbook(path)
    loaded = load_register(path)
    assert loaded.register == Register() and loaded.report.valid  # no error: kpixl register check exits 0
    assert loaded.report.flatten(("code", "severity", "sheet")) == [
        ("REG_EMPTY", Severity.WARNING, "Services"), ("REG_EMPTY", Severity.WARNING, "Committees"),
        ("REG_EMPTY", Severity.WARNING, "Indicators")]
    assert [p.message for p in loaded.report] == [CATALOGUE[f"REG_EMPTY/{what}"].message
                                                  for what in ("services", "committees", "indicators")]


# --- The round trip --------------------------------------------------------------------------------------

REGISTER = Register(
    services=(Service("libraries", "Libraries", "Ann Lee", "ann.lee@council.gov.uk", "Communities"),
              Service("waste", "Waste", "Bob Roe", "bob.roe@council.gov.uk")),
    committees=(Committee("csmi", "Communities Scrutiny"),),
    indicators=(
        Indicator("36", "Library visits", "libraries", ("csmi",), targets={"2023-24-Q2": Decimal(475381)},
                  description="=SUM(A1) is text, not a formula",
                  links=(Link("LG Inform", "https://lginform.local.gov.uk/"),), data_source="+44 1234 567890"),
        Indicator("37", "Satisfaction", "libraries", ("csmi",), unit=Unit.PERCENTAGE,
                  targets={"2023-24": Decimal("0.7"), "2024-25": Decimal("0.725")}, decimals=1,
                  tolerances=Tolerances(Decimal("0.125"), Decimal("0.05"), PercentageBasis.POINTS),
                  england_mean=Decimal("0.68"), links_note="-no public data-"),
        Indicator("38", "Missed bins", "waste", ("csmi",), direction=Direction.DOWN,
                  frequency=Frequency.MONTHLY, comparison=Comparison.SAME_PERIOD_LAST_YEAR, cumulative=True,
                  kind=Kind.BASELINE, targets={"2023-09": Decimal("120.5")},
                  statistical_neighbours_mean=Decimal("98.25")),
    ),
)


def test_a_register_round_trips_through_the_workbook(tmp_path: Path) -> None:
    path = tmp_path / "register.xlsx"
    write_register_workbook(path, REGISTER)
    loaded = load_register(path)
    assert loaded.report.errors == []
    assert loaded.register == REGISTER


def test_percentages_are_numbers_shown_as_percentages_and_text_never_becomes_a_formula(tmp_path: Path) -> None:
    path = tmp_path / "register.xlsx"
    write_register_workbook(path, REGISTER)
    book = openpyxl.load_workbook(path)
    targets = {(row[0].value, row[1].value): row[2] for row in book["Targets"].iter_rows(min_row=2)}
    assert (targets[("37", "2023-24")].value, targets[("37", "2023-24")].number_format) == (0.7, "0%")
    assert targets[("37", "2024-25")].number_format == "0.0%"
    assert [row[3].value for row in book["Targets"].iter_rows(min_row=2)] == ["target", "target", "target",
                                                                             "baseline"]
    description = book["Indicators"]["K2"]
    assert (description.value, description.data_type) == ("=SUM(A1) is text, not a formula", "s")


def test_a_figure_with_more_digits_than_a_float_keeps_them(tmp_path: Path) -> None:
    exact = Decimal("1234567890.123456789")
    register = Register(REGISTER.services, REGISTER.committees,
                        (Indicator("36", "Visits", "libraries", ("csmi",), targets={"2023-24": exact}),))
    path = tmp_path / "register.xlsx"
    write_register_workbook(path, register)
    assert load_register(path).register.indicators[0].targets == {"2023-24": exact}


# Text as people write it, without what a cell cannot keep: surrounding spaces (the reader trims them),
# control characters (stored as _x0001_), and the commas that separate committee ids.
_TEXT = st.text(st.characters(categories=("L", "N", "P", "S", "Zs"), exclude_characters=",;"), min_size=1,
                max_size=12).filter(lambda s: s == s.strip() and "_x" not in s)
_DECIMAL = st.decimals(min_value=-10**9, max_value=10**9, places=4, allow_nan=False, allow_infinity=False)
_FRACTION = st.decimals(min_value=0, max_value=1, places=3)


@st.composite
def registers(draw: st.DrawFn) -> Register:
    services = draw(st.lists(st.builds(Service, _TEXT, _TEXT, st.just(""), st.sampled_from(["", "a@b.gov.uk"])),
                             min_size=1, max_size=3, unique_by=lambda s: s.id.casefold()))
    committees = draw(st.lists(st.builds(Committee, _TEXT, _TEXT), min_size=1, max_size=2,
                               unique_by=lambda c: c.id.casefold()))
    indicators = draw(st.lists(st.builds(
        Indicator, id=_TEXT, title=_TEXT, service=st.sampled_from([s.id for s in services]),
        committees=st.lists(st.sampled_from([c.id for c in committees]), min_size=1, max_size=2).map(tuple),
        unit=st.sampled_from(Unit), direction=st.sampled_from(Direction), frequency=st.sampled_from(Frequency),
        comparison=st.sampled_from(Comparison), cumulative=st.booleans(), kind=st.sampled_from(Kind),
        targets=st.dictionaries(_TEXT, _DECIMAL, max_size=3), description=st.sampled_from(["", "=1+1", "@x"]),
        links=st.lists(st.builds(Link, _TEXT, _TEXT), max_size=2).map(tuple),
        decimals=st.none() | st.integers(0, 3),
        tolerances=st.none() | st.builds(Tolerances, _FRACTION, _FRACTION, st.sampled_from(PercentageBasis)),
        england_mean=st.none() | _DECIMAL,
    ), max_size=4, unique_by=lambda i: i.id.casefold()))  # ids that differ only in case are one id
    return Register(tuple(services), tuple(committees), tuple(indicators))


SQUARED = Register((Service("s", "S"),), (Committee("c", "C"),),
                   (Indicator("3\u00b2", "Squared", "s", ("c",)), Indicator("36", "Visits", "s", ("c",))))


@settings(max_examples=10)  # each writes and reads a workbook; the fixed seed makes them the same 10
@given(registers())
@example(SQUARED)  # the id the random runs found one time in thirty: "²".isdigit() is True, int("3²") raises
def test_any_register_round_trips(register: Register) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "register.xlsx"
        write_register_workbook(path, register)
        assert load_register(path).register == register


# --- Writing failures ------------------------------------------------------------------------------------


def test_text_too_long_for_a_cell_is_an_output_error_not_a_silent_truncation(tmp_path: Path) -> None:
    register = Register(REGISTER.services, REGISTER.committees,
                        (Indicator("36", "x" * 40_000, "libraries", ("csmi",)),))
    with pytest.raises(OutputError, match=r"Indicators!B2 failed: a text in it is too long \(an Excel cell holds at most 32,767 "):
        write_register_workbook(tmp_path / "register.xlsx", register)


def test_a_refused_xlsxwriter_call_is_an_output_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from xlsxwriter.worksheet import Worksheet

    monkeypatch.setattr(Worksheet, "data_validation", lambda self, *args: -2)
    with pytest.raises(OutputError, match="the dropdown or input message of Indicators column Indicator failed"):
        write_register_workbook(tmp_path / "register.xlsx")
    assert not (tmp_path / "register.xlsx").exists()


def test_a_warning_from_xlsxwriter_is_an_output_error_naming_the_workbook(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import warnings

    from xlsxwriter.worksheet import Worksheet

    def warns(self: Worksheet, *args: object) -> int:
        warnings.warn("Length of input title exceeds Excel's limit of 32", stacklevel=1)
        return -2

    monkeypatch.setattr(Worksheet, "data_validation", warns)
    with pytest.raises(OutputError, match="the register workbook register.xlsx: Length of input title"):
        write_register_workbook(tmp_path / "register.xlsx")


def test_a_folder_that_does_not_exist_is_an_output_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="Cannot write"):
        write_register_workbook(tmp_path / "missing" / "register.xlsx")


# --- Reading what councils send --------------------------------------------------------------------------


def test_the_base_workbook_is_clean(tmp_path: Path) -> None:
    loaded = load_register(make_workbook(tmp_path / "register.xlsx"))
    assert list(loaded.report) == []
    assert loaded.register.indicator("37").targets == {"2023-24": Decimal("0.7")}  # type: ignore[union-attr]
    assert loaded.register.indicator("36").links == (Link("LG Inform", "https://lginform.local.gov.uk/"),)  # type: ignore[union-attr]


def _set(sheet: str, cell: str, value: object) -> Edit:
    def edit(book: openpyxl.Workbook) -> None:
        book[sheet][cell] = value
    return edit


def _append(sheet: str, row: list[object]) -> Edit:
    return lambda book: book[sheet].append(row)


def _delete_sheet(sheet: str) -> Edit:
    return lambda book: book.remove(book[sheet])


def _delete_column(sheet: str, index: int) -> Edit:
    return lambda book: book[sheet].delete_cols(index)


DAMAGE = {
    "duplicate indicator": (
        _append("Indicators", [36, "Visits again", "libraries", "csmi", "count", "up", "quarterly",
                               "previous_period", "target"]),
        [("REG_DUPLICATE_ID", "Indicators", "A5")]),
    "unknown service": (_set("Indicators", "C4", "parks"), [("REG_UNKNOWN_SERVICE", "Indicators", "C4")]),
    "malformed url": (_set("Links", "C2", "lginform.local.gov.uk"), [("REG_BAD_URL", "Links", "C2")]),
    "email without @": (_set("Services", "D2", "ann.lee.council.gov.uk"), [("REG_BAD_EMAIL", "Services", "D2")]),
    "percentage target without %": (_set("Targets", "C3", 70), [("REG_PERCENT_SCALE", "Targets", "C3")]),
    "missing Services sheet": (_delete_sheet("Services"), [("REG_MISSING_SHEET", "Services", "")]),
    "missing Unit column": (_delete_column("Indicators", 5), [("REG_MISSING_COLUMN", "Indicators", "I1")]),
    "unknown unit": (_set("Indicators", "E2", "furlongs"), [("REG_BAD_CHOICE", "Indicators", "E2")]),
    # An indicator that cannot be built is reported once, at its own cell (its targets are not blamed);
    # a target that is not a number is missing, so the indicator has no target.
    "empty title": (_set("Indicators", "B3", "  "), [("REG_MISSING", "Indicators", "B3")]),
    "target not a number": (_set("Targets", "C2", "n/a"), [("REG_NOT_A_NUMBER", "Targets", "C2"),
                                                           ("REG_NO_TARGET", "Indicators", "I2")]),
    "quarter target on a monthly indicator": (
        _set("Targets", "B4", "2023-24-Q2"), [("REG_TARGET_FREQUENCY", "Targets", "B4")]),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_workbook_names_the_problem_and_its_cell(tmp_path: Path, damage: str) -> None:
    edit, expected = DAMAGE[damage]
    assert problems(make_workbook(tmp_path / "register.xlsx", edit=edit)) == expected


@pytest.mark.parametrize("content", [b"Indicator,Title\n36,Library visits\n", b"", b"PK\x03\x04 truncated",
                                     b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500)])
def test_a_file_that_is_not_a_workbook_is_unreadable_not_a_traceback(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "register.xlsx"
    path.write_bytes(content)
    loaded = load_register(path)
    assert [(p.code, p.sheet, p.cell, p.hint) for p in loaded.report] == [
        ("REG_UNREADABLE", "", "", CATALOGUE["REG_UNREADABLE/workbook"].hint)]
    assert loaded.register == Register()


def test_a_zip_that_is_not_a_workbook_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "register.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "hello")
    assert problems(path) == [("REG_UNREADABLE", "", "")]


def test_a_missing_file_is_unreadable(tmp_path: Path) -> None:
    assert problems(tmp_path / "nowhere.xlsx") == [("REG_UNREADABLE", "", "")]


def test_missing_column_message_names_the_heading_and_the_template(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "register.xlsx", edit=_delete_column("Indicators", 5))
    [found] = load_register(path).report
    assert found == problem("REG_MISSING_COLUMN", Where("register.xlsx", "Indicators", "I1"), sheet="Indicators",
                            header="Unit")
    assert "'Unit'" in found.message and "kpixl register template FILE" in found.hint
    assert found.severity is Severity.ERROR


def test_optional_sheets_may_be_left_out(tmp_path: Path) -> None:
    def edit(book: openpyxl.Workbook) -> None:
        book.remove(book["Links"])
        book.remove(book["Targets"])
    loaded = load_register(make_workbook(tmp_path / "register.xlsx", edit=edit))
    assert loaded.report.errors == []
    assert {p.code for p in loaded.report} == {"REG_NO_TARGET"}


def _shuffle(book: openpyxl.Workbook) -> None:
    """Columns in another order, headings in other case and spacing, a column of the council's own."""
    for ws in book.worksheets:
        rows = [list(row) for row in ws.iter_rows(values_only=True)]
        ws.delete_rows(1, ws.max_row)
        rows[0] = [f"  {str(h).upper()} " for h in rows[0]]
        for row, extra in zip(rows, ["Notes", *["ours"] * len(rows)]):
            ws.append([extra, *reversed(row)])
    book["Services"].title = "renaming"  # openpyxl would call it services1: it sees Services as taken
    book["renaming"].title = "services"


def test_columns_may_come_in_any_order_case_and_spacing(tmp_path: Path) -> None:
    expected = load_register(make_workbook(tmp_path / "plain.xlsx")).register
    loaded = load_register(make_workbook(tmp_path / "shuffled.xlsx", edit=_shuffle))
    assert list(loaded.report) == []
    assert loaded.register == expected


def test_blank_rows_are_skipped_and_places_keep_the_real_row(tmp_path: Path) -> None:
    def edit(book: openpyxl.Workbook) -> None:
        ws = book["Services"]
        ws.insert_rows(2, 3)
        ws["F3"] = "a note in a column of our own"
        ws["D6"] = "bob.roe"
    assert problems(make_workbook(tmp_path / "register.xlsx", edit=edit)) == [("REG_BAD_EMAIL", "Services", "D6")]


def test_a_percentage_typed_with_percent_in_excel_is_read_as_typed(tmp_path: Path) -> None:
    def edit(book: openpyxl.Workbook) -> None:
        cell = book["Targets"]["C3"]
        cell.value, cell.number_format = 1.5, "0%"  # typed 150%
    loaded = load_register(make_workbook(tmp_path / "register.xlsx", edit=edit))
    assert list(loaded.report) == []
    assert loaded.register.indicator("37").targets == {"2023-24": Decimal("1.5")}  # type: ignore[union-attr]


def test_a_month_excel_turned_into_a_date_is_read_as_the_month(tmp_path: Path) -> None:
    loaded = load_register(make_workbook(tmp_path / "register.xlsx",
                                         edit=_set("Targets", "B4", datetime(2023, 9, 1))))
    assert list(loaded.report) == []
    assert loaded.register.indicator("38").targets == {"2023-09": Decimal(120)}  # type: ignore[union-attr]


def test_too_many_rows_stops_the_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workbook_file, "MAX_ROWS", 2)
    found = problems(make_workbook(tmp_path / "register.xlsx"))
    assert ("REG_TOO_MANY_ROWS", "Indicators", "row 4") in found


def test_a_wrong_size_record_in_the_file_does_not_cut_the_read_short(tmp_path: Path) -> None:
    good = make_workbook(tmp_path / "good.xlsx")
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(bad, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:A1"/>', data)
            target.writestr(item, data)
    loaded = load_register(bad)
    assert list(loaded.report) == []
    assert loaded.register == load_register(good).register


def test_an_empty_sheet_lacks_every_required_column_at_a1(tmp_path: Path) -> None:
    def edit(book: openpyxl.Workbook) -> None:
        book.remove(book["Committees"])
        book.create_sheet("Committees")
    assert problems(make_workbook(tmp_path / "register.xlsx", edit=edit)) == [
        ("REG_MISSING_COLUMN", "Committees", "A1"), ("REG_MISSING_COLUMN", "Committees", "A1")]
