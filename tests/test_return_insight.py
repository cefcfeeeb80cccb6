"""A return's issue 17 columns (docs/insight.md, docs/workbooks.md): a calculated indicator's row asks for its
two counts and works the rate out live (the RAG preview rates it), the reader takes the counts (never a typed
rate) through the domain's calculated_figure, and the year to date adds the parts; the actions' owner and
due date are read back into the figure, and a Red figure without them raises a query, explained as any
other. Old returns without these columns still collect."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal as D
from pathlib import Path

import pytest
from openpyxl import load_workbook
from support.intake import (
    SYNTHETIC_OWNER,
    Filled,
    assess,
    codes,
    edit,
    figures_by_key,
    make_filled,
    set_cells,
)

from kpixl.domain import parse_period
from kpixl.domain.outlook import year_to_date
from kpixl.intake.rules import IntakeContext
from kpixl.layout.returns import (
    ALL_COLUMNS,
    COUNT_COLUMNS,
    HEADER_ROW,
    RETURN_COLUMNS,
    column,
    column_in,
)
from kpixl.problems import Severity
from kpixl.register import load_register
from kpixl.steps.collect import collect_paths, load_context
from kpixl.steps.generate import write_workbooks
from kpixl.steps.workspace import Workspace
from kpixl.workbook.formulas import rate_formula

GENERATED = datetime(2023, 10, 2, 9, 0)
CALC = {c.key: chr(ord("A") + i) for i, c in enumerate(ALL_COLUMNS)}  # a workbook with a calculated row
PLAIN = {c.key: chr(ord("A") + i) for i, c in enumerate(RETURN_COLUMNS)}  # one without



def _registration(ws: Workspace, quarter: str = "2023-24-Q2") -> Path:
    [book] = [w for w in write_workbooks(ws, parse_period(quarter), generated=GENERATED)  # type: ignore[arg-type]
              if w.service == "registration"]
    return book.path


def _filled(ws: Workspace, tmp_path: Path, cells: dict[str, object], quarter: str = "2023-24-Q2") -> Path:
    """The Registration Service's return: 219 (row 3) and 220 (row 4, calculated), as a lead fills them."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / f"registration-{quarter}.xlsx"
    path.write_bytes(_registration(ws, quarter).read_bytes())
    base = {f"{CALC['current']}3": 0.99, f"{CALC['commentary']}3": "Good appointment availability.",
            f"{CALC['commentary']}4": "Deaths were registered promptly this quarter."}
    return set_cells(path, base | cells)


# --- The workbook -----------------------------------------------------------------------------------------

def test_a_calculated_row_asks_for_two_counts_and_works_out_its_figure(calculated_ws: Workspace) -> None:
    sheet = load_workbook(_registration(calculated_ws))["Return"]
    assert [c.value for c in sheet[HEADER_ROW]] == [c.header for c in ALL_COLUMNS]
    assert [c.header for c in COUNT_COLUMNS] == ["Numerator", "Denominator"]
    figure, numerator, denominator = (sheet[f"{CALC[k]}4"] for k in ("current", "numerator", "denominator"))
    assert figure.value == rate_formula(load_register(calculated_ws.register_path).register.indicator("220"),  # type: ignore[arg-type]
                                        f"{CALC['numerator']}4", f"{CALC['denominator']}4")
    assert figure.protection.locked and not numerator.protection.locked and not denominator.protection.locked
    assert figure.number_format == "0.0%"
    # 219 is typed as before: its counts are locked and empty, its figure is the lead's.
    assert sheet[f"{CALC['numerator']}3"].protection.locked and not sheet[f"{CALC['current']}3"].protection.locked
    assert sheet[f"{CALC['revised']}4"].protection.locked  # a calculated figure is never revised as a typed rate
    prompts = {str(dv.sqref): dv for dv in sheet.data_validations.dataValidation}
    assert prompts[f"{CALC['numerator']}4"].promptTitle == "Numerator: Deaths registered wit"  # Excel's 32
    assert "Deaths registered within 5 days" in prompts[f"{CALC['numerator']}4"].prompt
    assert "Deaths registered." in prompts[f"{CALC['denominator']}4"].prompt
    assert f"{CALC['numerator']}3" not in prompts  # nothing to type there


def test_the_two_counts_fit_on_the_first_screen_and_a_plain_workbook_has_no_count_columns(
        calculated_ws: Workspace) -> None:
    right = sum(int(c.width * 7 + 0.5) + 5 for c in ALL_COLUMNS[:column_in(ALL_COLUMNS, "denominator") + 1])
    assert right <= 1300, right  # tests/test_workbook_writer.py's first screen: 1366 x 768 at 100%
    libraries = next(w for w in write_workbooks(calculated_ws, parse_period("2023-24-Q2"),  # type: ignore[arg-type]
                                                generated=GENERATED) if w.service == "libraries")
    assert [c.value for c in load_workbook(libraries.path)["Return"][HEADER_ROW]] == [c.header for c in RETURN_COLUMNS]
    assert column("current") == column_in(ALL_COLUMNS, "current")  # the figure stays in column H either way


# --- Reading the counts -----------------------------------------------------------------------------------

def _ctx(ws: Workspace) -> IntakeContext:
    return load_context(ws)


def test_the_reader_takes_the_two_counts_through_calculated_figure(calculated_ws: Workspace, tmp_path: Path) -> None:
    path = _filled(calculated_ws, tmp_path, {f"{CALC['numerator']}4": 110, f"{CALC['denominator']}4": 200})
    result = assess(_ctx(calculated_ws), path)
    assert result.accepted and codes(result) == []  # 55% against 60%: Amber
    figure = figures_by_key(result)[("220", "2023-24-Q2")]
    assert (figure.value, figure.numerator, figure.denominator) == (D("0.55"), D(110), D(200))
    # 100 of 200 is 50%: Red, rated from the rate the counts give, so the lead is asked for actions (one query:
    # their owner and due date are asked of actions once given).
    red = _filled(calculated_ws, tmp_path / "red", {f"{CALC['numerator']}4": 100, f"{CALC['denominator']}4": 200})
    assert codes(assess(_ctx(calculated_ws), red)) == [("ACTIONS_REQUIRED", "N4", "220")]
    with_actions = _filled(calculated_ws, tmp_path / "red-actions", {f"{CALC['numerator']}4": 100,
                                                                    f"{CALC['denominator']}4": 200,
                                                                    f"{CALC['actions']}4": "Review the service"})
    assert codes(assess(_ctx(calculated_ws), with_actions)) == [("ACTION_OWNER_REQUIRED", "O4", "220")]


@pytest.mark.parametrize("cells, expected", [
    ({"numerator": 110}, [("CALC_COUNTS", "J4", "220")]),
    ({"denominator": 200}, [("CALC_COUNTS", "I4", "220")]),
    ({"numerator": 0, "denominator": 0}, [("CALC_COUNTS", "J4", "220")]),
    ({"numerator": 210, "denominator": 200}, [("CALC_COUNTS", "I4", "220")]),
    ({"numerator": "lots", "denominator": 200}, [("FIGURE_NOT_NUMBER", "I4", "220")]),
    ({"numerator": -1, "denominator": 200}, [("FIGURE_NEGATIVE", "I4", "220")]),
])
def test_counts_that_give_no_rate_are_refused_at_their_cell(calculated_ws: Workspace, tmp_path: Path,
                                                            cells: dict[str, object],
                                                            expected: list[tuple[str, str, str]]) -> None:
    path = _filled(calculated_ws, tmp_path, {f"{CALC[k]}4": v for k, v in cells.items()})
    result = assess(_ctx(calculated_ws), path)
    assert [p for p in codes(result) if p[0] not in ("ACTIONS_REQUIRED", "ACTION_OWNER_REQUIRED")] == expected
    assert not result.accepted


def test_a_count_typed_as_a_percentage_says_a_count_is_wanted(calculated_ws: Workspace, tmp_path: Path) -> None:
    path = _filled(calculated_ws, tmp_path, {f"{CALC['numerator']}4": 0.55, f"{CALC['denominator']}4": 200})
    edit(path, lambda ws: setattr(ws[f"{CALC['numerator']}4"], "number_format", "0%"))
    [found] = [p for p in assess(_ctx(calculated_ws), path).report if p.code == "CALC_COUNTS"]
    assert "55% is a percentage; 'Numerator' takes a count (Deaths registered within 5 days)." in found.message


def test_a_rate_typed_over_the_formula_is_ignored_with_a_warning(calculated_ws: Workspace, tmp_path: Path) -> None:
    path = _filled(calculated_ws, tmp_path, {f"{CALC['numerator']}4": 150, f"{CALC['denominator']}4": 200,
                                             f"{CALC['current']}4": 0.99})
    result = assess(_ctx(calculated_ws), path)
    assert ("CALC_RATE_TYPED", "H4", "220") in codes(result)
    assert figures_by_key(result)[("220", "2023-24-Q2")].value == D("0.75")  # the counts decide


def test_a_row_that_asks_for_the_figure_itself_keeps_the_typed_figure_with_a_warning(example_ws: Workspace,
                                                                                     tmp_path: Path) -> None:
    """A workbook written before 220 was calculated: its row asks for the figure, and the lead typed one."""
    path = tmp_path / "registration.xlsx"
    path.write_bytes(_registration(example_ws).read_bytes())
    set_cells(path, {"H3": 0.99, "H4": 0.55, f"{PLAIN['commentary']}3": "Good appointment availability.",
                     f"{PLAIN['commentary']}4": "Deaths were registered promptly this quarter."})
    registry = example_ws.register_path
    registry.write_text(registry.read_text(encoding="utf-8").replace(
        '  - id: "220"\n', '  - id: "220"\n    numerator: Deaths registered within 5 days\n'
                           '    denominator: Deaths registered\n'), encoding="utf-8")
    result = assess(load_context(Workspace.open(example_ws.root)), path)
    assert ("CALC_NO_COUNTS", "H4", "220") in codes(result) and result.accepted
    figure = figures_by_key(result)[("220", "2023-24-Q2")]
    assert (figure.value, figure.numerator, figure.denominator) == (D("0.55"), None, None)


def test_a_typed_revision_of_a_calculated_figure_is_refused(calculated_ws: Workspace, tmp_path: Path) -> None:
    path = _filled(calculated_ws, tmp_path, {f"{CALC['numerator']}4": 110, f"{CALC['denominator']}4": 200,
                                             f"{CALC['revised']}4": 0.5, f"{CALC['revision_reason']}4": "Error corrected"})
    assert ("CALC_REVISION", f"{CALC['revised']}4", "220") in codes(assess(_ctx(calculated_ws), path))


def test_the_year_to_date_adds_the_parts_collected_from_two_returns(calculated_ws: Workspace, tmp_path: Path) -> None:
    q1 = _filled(calculated_ws, tmp_path, {f"{CALC['numerator']}4": 45, f"{CALC['denominator']}4": 50},
                 "2023-24-Q1")
    (calculated_ws.root / "kpixl.toml").write_text((calculated_ws.root / "kpixl.toml").read_text(
        encoding="utf-8").replace('period = "2023-24-Q2"', 'period = "2023-24-Q1"'), encoding="utf-8")
    assert collect_paths(Workspace.open(calculated_ws.root), [q1])[0].accepted
    (calculated_ws.root / "kpixl.toml").write_text((calculated_ws.root / "kpixl.toml").read_text(
        encoding="utf-8").replace('period = "2023-24-Q1"', 'period = "2023-24-Q2"'), encoding="utf-8")
    ws = Workspace.open(calculated_ws.root)
    q2 = _filled(ws, tmp_path, {f"{CALC['numerator']}4": 10, f"{CALC['denominator']}4": 50})
    assert collect_paths(ws, [q2])[0].accepted
    figures = ws.current_figures(["220"])
    indicator = load_register(ws.register_path).register.indicator("220")
    assert indicator is not None
    ytd = year_to_date(indicator, parse_period("2023-24-Q2"), figures)
    # (45 + 10) / (50 + 50) = 55%, not the mean of 90% and 20%
    assert ytd is not None and (ytd.value, ytd.numerator, ytd.denominator) == (D("0.55"), D(55), D(100))


# --- The actions' owner and due date ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Filled:
    return make_filled(tmp_path_factory.mktemp("owners"))


def test_owner_and_due_date_are_read_back_into_the_figure(filled: Filled, tmp_path: Path) -> None:
    path = set_cells(filled.copy("libraries", tmp_path), {"M4": "Head of Libraries", "N4": datetime(2024, 1, 31),
                                                          "M5": "Digital lead", "N5": "31/03/2024"})
    figures = figures_by_key(assess(filled.ctx, path))
    assert (figures[("37", "2023-24-Q2")].action_owner, figures[("37", "2023-24-Q2")].action_due) == (
        "Head of Libraries", date(2024, 1, 31))
    assert figures[("38", "2023-24-Q2")].action_due == date(2024, 3, 31)  # a date typed as text, the day first


def test_a_red_figure_without_owner_or_due_date_raises_a_query_at_the_empty_cell(filled: Filled,
                                                                                 tmp_path: Path) -> None:
    path = set_cells(filled.copy("libraries", tmp_path), {"M3": None, "N3": None, "M4": "Head of Libraries",
                                                          "N4": None, "M5": None, "N5": date(2024, 3, 31)})
    found = [p for p in assess(filled.ctx, path).report if p.code == "ACTION_OWNER_REQUIRED"]
    assert [(p.cell, p.indicator, p.severity) for p in found] == [
        ("M3", "36", Severity.QUERY), ("N4", "37", Severity.QUERY), ("M5", "38", Severity.QUERY)]
    assert "is Red, and no owner or due date is given for its actions" in found[0].message
    assert "no due date is given" in found[1].message and "no owner is given" in found[2].message


def test_the_query_is_explained_the_same_way_as_other_queries(filled: Filled, tmp_path: Path) -> None:
    commentary = "Visits rose again.\n\nExplanation: the action plan's owner is being appointed in January."
    path = set_cells(filled.copy("libraries", tmp_path), {"M4": None, "N4": None, "K4": commentary})
    [query] = [p for p in assess(filled.ctx, path).report if p.code == "ACTION_OWNER_REQUIRED" and p.indicator == "37"]
    assert "the action plan's owner is being appointed in January" in query.message


@pytest.mark.parametrize("typed", ["next month", True, "2024-13-01", "31/13/2024"])
def test_a_due_date_that_is_not_a_date_is_refused(filled: Filled, tmp_path: Path, typed: object) -> None:
    path = set_cells(filled.copy("libraries", tmp_path), {"N4": typed})
    result = assess(filled.ctx, path)
    assert ("ACTION_DUE_NOT_DATE", "N4", "37") in codes(result) and not result.accepted


def test_an_old_return_without_the_new_columns_still_collects(filled: Filled, tmp_path: Path) -> None:
    """A return from before issue 17: no Action owner or Action due date column. Its Red rows raise the
    query at their Actions cell, which the lead may explain; nothing is refused."""
    path = edit(filled.copy("libraries", tmp_path), lambda ws: ws.delete_cols(column("action_owner") + 1, 2))
    result = collect_paths(filled.ws, [path])[0]
    assert result.accepted
    assert {(p.code, p.cell) for p in result.report if p.indicator == "37"} == {("ACTION_OWNER_REQUIRED", "L4")}


def test_the_seed_returns_as_the_tests_fill_them_name_an_owner_for_every_red_figure(filled: Filled) -> None:
    """tests/support/intake.py gives the seed's Red figures a SYNTHETIC owner and due date, so that the
    other tests' returns raise only the problems they are about."""
    result = assess(filled.ctx, filled.filled["libraries"])
    assert not [p for p in result.report if p.code == "ACTION_OWNER_REQUIRED"]
    assert {f.figure.action_owner for f in result.figures} == {SYNTHETIC_OWNER}