"""A corpus of damaged returns, made here from the workbooks kpixl really generates, filled in with the
seed's Q2 figures: one damage each (and a few combined). Each gives exactly the expected problem codes at
the expected cells, and never a traceback (docs/problems.md lists every code)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from support.intake import Filled, assess, codes, edit, figures_by_key, make_filled, set_cells

from kpixl.catalogue import CATALOGUE
from kpixl.domain import FigureStatus
from kpixl.problems import Severity, Where, problem


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Filled:
    return make_filled(tmp_path_factory.mktemp("damage"))


def check(filled: Filled, tmp_path: Path, service: str, values: dict[str, Any]) -> list[tuple[Any, ...]]:
    path = set_cells(filled.copy(service, tmp_path), values)
    return codes(assess(filled.ctx, path))


# --- The undamaged returns -----------------------------------------------------------------------------


def test_the_seed_returns_have_no_errors_only_the_queries_the_seed_earns(filled: Filled) -> None:
    found = {s: codes(assess(filled.ctx, p)) for s, p in filled.filled.items()}
    assert found == {
        "libraries": [], "communities": [], "domestic-abuse": [], "registration": [],
        # 136 and 137 are Red in the seed without actions; 137 halved on last year; 179 rose by two thirds.
        "adult-skills": [("ACTIONS_REQUIRED", "L3", "136"), ("CHANGE_UNUSUAL", "H4", "137"),
                         ("ACTIONS_REQUIRED", "L4", "137")],
        "coroner": [("CHANGE_UNUSUAL", "H7", "179")],
        # 221 is monthly: the seed gives August and September, not July.
        "trading-standards": [("FIGURE_MISSING_MONTH", "H3", "221")],
    }


def test_a_blank_workbook_asks_for_every_figure_and_commentary(filled: Filled, tmp_path: Path) -> None:
    result = assess(filled.ctx, filled.copy("libraries", tmp_path, blank=True))
    assert codes(result) == [(code, f"{col}{row}", ind) for row, ind in ((3, "36"), (4, "37"), (5, "38"))
                             for code, col in (("FIGURE_MISSING", "H"), ("COMMENTARY_MISSING", "K"))]
    assert not result.accepted


def test_a_renamed_file_reads_the_same(filled: Filled, tmp_path: Path) -> None:
    result = assess(filled.ctx, filled.copy("libraries", tmp_path, name="Libraries return FINAL (2).pdf"))
    assert codes(result) == [] and result.accepted and result.verified
    assert (result.service, result.period) == ("libraries", "2023-24-Q2")


# --- Figures -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("service", "cell", "typed", "expected", "value"), [
    ("libraries", "H3", "96,326", [("FIGURE_TEXT", "H3", "36")], Decimal(96326)),
    ("libraries", "H3", " 96 326 ", [("FIGURE_TEXT", "H3", "36")], Decimal(96326)),
    ("libraries", "H3", "96326", [("FIGURE_TEXT", "H3", "36")], Decimal(96326)),
    ("domestic-abuse", "H4", "68%", [("FIGURE_TEXT", "H4", "198")], Decimal("0.68")),
    ("domestic-abuse", "H4", 0.68, [], Decimal("0.68")),
    ("domestic-abuse", "H4", 68, [("FIGURE_PERCENT_SCALE", "H4", "198")], None),
    ("domestic-abuse", "H4", "68", [("FIGURE_PERCENT_SCALE", "H4", "198")], None),
    ("domestic-abuse", "H4", -0.1, [("FIGURE_NEGATIVE", "H4", "198")], None),
    ("libraries", "H3", -5, [("FIGURE_NEGATIVE", "H3", "36")], None),
    ("libraries", "H3", 96326.5, [("FIGURE_NOT_WHOLE", "H3", "36")], None),
    ("libraries", "H3", "n/a", [("FIGURE_NOT_NUMBER", "H3", "36")], None),
    ("libraries", "H3", "tbc", [("FIGURE_NOT_NUMBER", "H3", "36")], None),
    ("libraries", "H3", "#DIV/0!", [("FIGURE_NOT_NUMBER", "H3", "36")], None),
    ("libraries", "H3", None, [("FIGURE_MISSING", "H3", "36")], None),
    ("libraries", "H3", "   ", [("FIGURE_MISSING", "H3", "36")], None),
    ("libraries", "H3", datetime(2023, 9, 30), [("FIGURE_DATE", "H3", "36")], None),
    ("libraries", "H3", True, [("FIGURE_BOOLEAN", "H3", "36")], None),
    ("libraries", "H3", "=96000+326", [("FIGURE_FORMULA", "H3", "36")], None),
    ("libraries", "H3", "=SUM(Lists!A2:A9)", [("FIGURE_FORMULA", "H3", "36")], None),
])
def test_figure_damage(filled: Filled, tmp_path: Path, service: str, cell: str, typed: Any,
                       expected: list[tuple[str, str, str]], value: Decimal | None) -> None:
    path = set_cells(filled.copy(service, tmp_path), {cell: typed})
    result = assess(filled.ctx, path)
    assert codes(result) == expected
    indicator = expected[0][2] if expected else "198"
    figure = figures_by_key(result).get((indicator, "2023-24-Q2"))
    assert (figure.value if figure else None) == value


def test_the_percent_scale_message_asks_did_you_mean(filled: Filled, tmp_path: Path) -> None:
    # 68 pasted into the cell formatted as a percentage shows as 6,800%: the message says what the lead sees.
    result = assess(filled.ctx, set_cells(filled.copy("domestic-abuse", tmp_path), {"H4": 68}))
    where = Where(result.file_name, "Return", "H4", "198", "2023-24-Q2")
    assert result.report.problems == [problem("FIGURE_PERCENT_SCALE", where, shown="6,800%", guess="68")]
    assert "did you mean 68%?" in result.report.problems[0].message


@pytest.mark.parametrize(("typed", "message", "stored"), [
    ("47.9%", "'47.9%' was typed as text; kpixl read it as 47.9%.", Decimal("0.479")),
    ("0.479", "'0.479' was typed as text; kpixl read it as 47.9%.", Decimal("0.479")),
    (" 68 % ", "'68 %' was typed as text; kpixl read it as 68%.", Decimal("0.68")),
])
def test_a_figure_typed_as_text_is_shown_as_it_is_stored(filled: Filled, tmp_path: Path, typed: str, message: str,
                                                         stored: Decimal) -> None:
    """Issue 13: "47.9%" typed as text said "kpixl read it as 48%" while 47.9% was stored."""
    result = assess(filled.ctx, set_cells(filled.copy("domestic-abuse", tmp_path), {"H4": typed}))
    assert [p.message for p in result.report if p.code == "FIGURE_TEXT"] == [message]
    assert figures_by_key(result)[("198", "2023-24-Q2")].value == stored


def test_not_a_number_with_a_reason_is_a_figure_not_available(filled: Filled, tmp_path: Path) -> None:
    path = set_cells(filled.copy("libraries", tmp_path), {"H3": "n/a", "I3": "Data delayed"})
    result = assess(filled.ctx, path)
    assert codes(result) == [] and result.accepted
    figure = figures_by_key(result)[("36", "2023-24-Q2")]
    assert (figure.value, figure.status, figure.reason) == (None, FigureStatus.NOT_AVAILABLE, "Data delayed")


def test_a_figure_with_a_reason_is_kept_as_provisional(filled: Filled) -> None:
    figure = figures_by_key(assess(filled.ctx, filled.filled["domestic-abuse"]))[("198", "2023-24-Q2")]
    assert figure.status is FigureStatus.PROVISIONAL and figure.reason.startswith("Database changeover")
    assert figure.value == Decimal("0.68")


# --- Commentary, actions and the rules ------------------------------------------------------------------


@pytest.mark.parametrize(("values", "expected"), [
    ({"K3": None}, [("COMMENTARY_MISSING", "K3", "36")]),
    ({"K3": "ok"}, [("COMMENTARY_MISSING", "K3", "36")]),
    ({"K3": "x" * 4001}, [("COMMENTARY_TOO_LONG", "K3", "36")]),
    ({"L3": "y" * 2001}, [("TEXT_TOO_LONG", "L3", "36")]),
    ({"K3": '=HYPERLINK("http://example.org","see")'}, [("TEXT_FORMULA", "K3", "36"),
                                                        ("COMMENTARY_MISSING", "K3", "36")]),
    # Red (380,018 against 475,381) without actions; the RAG preview says Green and is not read.
    ({"L4": None, "J4": "Green"}, [("ACTIONS_REQUIRED", "L4", "37")]),
    ({"H5": 600000}, [("CHANGE_UNUSUAL", "H5", "38")]),  # +118% on Q1's 274,962
    # The revision columns, right of Action owner (M) and Action due date (N)
    ({"R4": 351000}, [("REVISION_NO_REASON", "S4", "37")]),
    ({"S4": "Late data received"}, [("REVISION_NO_FIGURE", "S4", "37")]),
    ({"R4": "lots"}, [("FIGURE_NOT_NUMBER", "R4", "37")]),
])
def test_rule_damage(filled: Filled, tmp_path: Path, values: dict[str, Any],
                     expected: list[tuple[str, str, str]]) -> None:
    assert check(filled, tmp_path, "libraries", values) == expected


def test_a_commentary_starting_with_an_equals_sign_is_text(filled: Filled, tmp_path: Path) -> None:
    def change(ws: Any) -> None:
        ws["K3"].value = "=== Visits rose over the summer ==="
        ws["K3"].data_type = "s"

    result = assess(filled.ctx, edit(filled.copy("libraries", tmp_path), change))
    assert codes(result) == []
    assert figures_by_key(result)[("36", "2023-24-Q2")].commentary == "=== Visits rose over the summer ==="


def test_a_cumulative_figure_that_falls_within_the_year_is_a_query(filled: Filled, tmp_path: Path) -> None:
    # 179 is year-to-date: Q1 was 88.
    assert check(filled, tmp_path, "coroner", {"H7": 50}) == [("CUMULATIVE_FALLS", "H7", "179")]


def test_a_revised_figure_with_its_reason_is_kept_beside_the_earlier(filled: Filled, tmp_path: Path) -> None:
    path = set_cells(filled.copy("libraries", tmp_path), {"R4": 352000, "S4": "Late data received"})
    result = assess(filled.ctx, path)
    assert codes(result) == []
    revised = next(r for r in result.figures if r.figure.period.slug == "2023-24-Q1")
    assert (revised.figure.indicator, revised.figure.value, revised.revision_reason) == (
        "37", Decimal(352000), "Late data received")
    assert revised.provenance.cell == "R4"


def test_queries_are_accepted_and_explained_by_the_commentary(filled: Filled, tmp_path: Path) -> None:
    path = set_cells(filled.copy("libraries", tmp_path), {
        "H5": 600000,
        "K5": "Digital loans moved to the new platform.\nExplanation: the platform counts each page."})
    result = assess(filled.ctx, path)
    assert codes(result) == [("CHANGE_UNUSUAL", "H5", "38")] and result.accepted
    assert result.open_queries == 0 and "the platform counts each page" in result.report.problems[0].message


# --- Rows ----------------------------------------------------------------------------------------------


def _copy_row(ws: Any, source: int, target: int) -> None:
    for col in range(1, ws.max_column + 1):
        ws.cell(target, col).value = ws.cell(source, col).value


def test_a_deleted_row_is_missing(filled: Filled, tmp_path: Path) -> None:
    result = assess(filled.ctx, edit(filled.copy("libraries", tmp_path), lambda ws: ws.delete_rows(4)))
    assert codes(result) == [("ROW_MISSING", "", "37")]
    assert set(figures_by_key(result)) == {("36", "2023-24-Q2"), ("38", "2023-24-Q2")}


def test_a_duplicated_row_is_an_error_at_the_copy(filled: Filled, tmp_path: Path) -> None:
    result = assess(filled.ctx, edit(filled.copy("libraries", tmp_path), lambda ws: _copy_row(ws, 3, 6)))
    assert codes(result) == [("ROW_DUPLICATE", "A6", "36")]


def test_a_row_pasted_over_another_is_a_duplicate_and_a_missing_row(filled: Filled, tmp_path: Path) -> None:
    result = assess(filled.ctx, edit(filled.copy("libraries", tmp_path), lambda ws: _copy_row(ws, 3, 4)))
    assert codes(result) == [("ROW_DUPLICATE", "A4", "36"), ("ROW_MISSING", "", "37")]


def test_rows_of_other_indicators_are_refused_and_never_stored(filled: Filled, tmp_path: Path) -> None:
    def change(ws: Any) -> None:
        ws.append(["222", "", "2023/24 Q2", "", "", "", "", 0.9, "", "", "Pasted from elsewhere"])
        ws.append(["999", "", "2023/24 Q2", "", "", "", "", 5, "", "", "A new indicator"])
        ws.append(["", "", "", "", "", "", "", 7, "", "", "A figure without its indicator"])

    result = assess(filled.ctx, edit(filled.copy("libraries", tmp_path), change))
    assert codes(result) == [("ROW_UNKNOWN", "A6", "222"), ("ROW_UNKNOWN", "A7", "999"),
                             ("ROW_NO_INDICATOR", "A8", "")]
    assert {r.figure.indicator for r in result.figures} == {"36", "37", "38"}


def test_reordered_rows_are_read_by_indicator_number(filled: Filled, tmp_path: Path) -> None:
    def change(ws: Any) -> None:
        ws.move_range("A3:R3", rows=4)  # 36 to row 7, below 38
        ws.delete_rows(3)

    result = assess(filled.ctx, edit(filled.copy("libraries", tmp_path), change))
    assert codes(result) == [("ROWS_REORDERED", "A6", "36")] and result.accepted
    figure = figures_by_key(result)[("36", "2023-24-Q2")]
    assert figure.value == Decimal(96326) and next(
        r.provenance.cell for r in result.figures if r.figure.indicator == "36") == "H6"


def test_a_lead_column_and_a_title_row_do_not_move_anything(filled: Filled, tmp_path: Path) -> None:
    def change(ws: Any) -> None:
        ws.insert_cols(3)
        ws["C2"].value = "Our notes"
        ws.insert_rows(1)
        ws["A1"].value = "Library Service return"

    result = assess(filled.ctx, edit(filled.copy("libraries", tmp_path), change))
    assert codes(result) == []
    assert next(r.provenance.cell for r in result.figures if r.figure.indicator == "37") == "I5"


def test_a_missing_column_is_named(filled: Filled, tmp_path: Path) -> None:
    result = assess(filled.ctx, edit(filled.copy("libraries", tmp_path), lambda ws: ws.delete_cols(11)))
    assert codes(result, ("code", "cell", "message")) == [
        ("COLUMN_MISSING", "", "The 'Return' sheet has no column headed 'Commentary'.")]


def test_a_renamed_return_sheet_is_found_by_its_headings(filled: Filled, tmp_path: Path) -> None:
    def change(book: Any) -> None:
        book["Return"].title = "Q2 figures"

    result = assess(filled.ctx, edit(filled.copy("libraries", tmp_path), change, sheet=""))
    assert codes(result) == [] and result.figures[0].provenance.sheet == "Q2 figures"


def test_a_workbook_without_the_return_sheet(filled: Filled, tmp_path: Path) -> None:
    def change(book: Any) -> None:
        del book["Return"]

    result = assess(filled.ctx, edit(filled.copy("libraries", tmp_path), change, sheet=""))
    assert codes(result) == [("SHEET_MISSING", "", "")]


# --- Context cells ------------------------------------------------------------------------------------


def test_edited_context_cells_are_warnings_and_the_printed_target_used(filled: Filled, tmp_path: Path) -> None:
    # The lead lowered 37's target below the figure: kpixl still rates against 475,381 (Red, with actions).
    found = check(filled, tmp_path, "libraries", {"E4": 380000, "G4": "=J3", "L4": None})
    assert found == [("CONTEXT_EDITED", "E4", "37"), ("CONTEXT_EDITED", "G4", "37"),
                     ("ACTIONS_REQUIRED", "L4", "37")]


def test_every_prefilled_cell_a_lead_changed_is_named_with_its_cell(filled: Filled, tmp_path: Path) -> None:
    """Issue 13: a lead who unprotects the sheet and types over a prefilled cell is told, cell by cell; the
    register's words and the signed figures are used, and the return is still accepted."""
    edits = {"B3": "Library users", "D3": "Lower is better", "E3": 90000, "F3": "March 2023",
             "O3": "Percentage", "P3": "Baseline", "Q3": "2023/24 Q4", "T3": "I rewrote last quarter's words"}
    result = assess(filled.ctx, set_cells(filled.copy("libraries", tmp_path), edits))
    assert result.accepted and result.report.flatten(("code", "severity", "cell")) == [
        ("CONTEXT_EDITED", Severity.WARNING, cell) for cell in edits]
    title = result.report.problems[0]
    message = ("The 'Title' cell was changed from 'Number of active library users' to 'Library users'; kpixl "
               "ignores the change and uses 'Number of active library users', as it printed it.")
    assert (title.indicator, title.message) == ("36", message)
    assert figures_by_key(result)[("36", "2023-24-Q2")].value == Decimal(96326)
    # The same words in other spellings are no change: spaces, capitals, a period written as its slug
    same = {"B3": "  number of ACTIVE library users ", "C3": "2023-24-Q2", "F3": "2023-24-Q1"}
    assert codes(assess(filled.ctx, set_cells(filled.copy("libraries", tmp_path / "same"), same))) == []


def test_every_code_used_here_has_a_template() -> None:
    assert {"FIGURE_TEXT", "ROW_MISSING", "CONTEXT_EDITED"} <= set(CATALOGUE)


# --- Combined damage ----------------------------------------------------------------------------------


def test_several_damages_at_once_are_all_reported_in_reading_order(filled: Filled, tmp_path: Path) -> None:
    def change(ws: Any) -> None:
        ws["H3"].value = "96,326"
        ws["K3"].value = None
        ws["H5"].value = "n/a"
        _copy_row(ws, 4, 7)

    result = assess(filled.ctx, edit(filled.copy("libraries", tmp_path), change))
    assert codes(result) == [("ROW_DUPLICATE", "A7", "37"), ("FIGURE_TEXT", "H3", "36"),
                             ("COMMENTARY_MISSING", "K3", "36"), ("FIGURE_NOT_NUMBER", "H5", "38")]
    assert not result.accepted


def test_a_lead_who_dropped_the_metadata_resorted_and_typed_text_is_still_accepted(filled: Filled,
                                                                                   tmp_path: Path) -> None:
    def change(book: Any) -> None:
        del book["kpixl"]
        ws = book["Return"]
        ws["H5"].value = "276,954"
        ws.move_range("A3:R3", rows=4)
        ws.delete_rows(3)

    path = edit(filled.copy("libraries", tmp_path, name="LIBS final v3.xlsx"), change, sheet="")
    result = assess(filled.ctx, path)
    assert codes(result) == [("META_MISSING", "", ""), ("ROWS_REORDERED", "A6", "36"),
                             ("FIGURE_TEXT", "H4", "38")]
    assert result.accepted and {f.value for f in figures_by_key(result).values()} == {
        Decimal(96326), Decimal(380018), Decimal(276954)}
