"""Whose return is it? Metadata dropped, altered, copied into another service's file, from another
council, workspace or quarter, or claiming a service that does not exist (docs/problems.md, identity)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support.intake import GENERATED, Q2, Filled, assess, codes, edit, figures_by_key, make_filled

from kpixl.domain import Quarter
from kpixl.layout.returns import META_SHEET, WorkbookMeta, sign
from kpixl.steps.create import init_workspace
from kpixl.steps.generate import write_workbooks


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Filled:
    return make_filled(tmp_path_factory.mktemp("identity"))


def _pairs(ws: Any) -> dict[str, Any]:
    return {row[0].value: row[1] for row in ws.iter_rows(min_row=1, max_col=2) if row[0].value}


def _set_meta(path: Path, changes: dict[str, Any], resign: bytes | None = None) -> Path:
    """Change metadata entries; with resign, sign the result again with that key (a forger who has it)."""
    def change(ws: Any) -> None:
        cells = _pairs(ws)
        for key, value in changes.items():
            cells[key].value = value
        if resign is not None:
            text = {k: str(c.value) for k, c in _pairs(ws).items()}
            cells["signature"].value = sign(WorkbookMeta.from_pairs(text), resign)

    return edit(path, change, META_SHEET)


def test_dropped_metadata_is_a_warning_and_rows_are_read_by_indicator(filled: Filled, tmp_path: Path) -> None:
    def drop(book: Any) -> None:
        del book[META_SHEET]

    result = assess(filled.ctx, edit(filled.copy("libraries", tmp_path), drop, sheet=""))
    assert codes(result) == [("META_MISSING", "", "")]
    assert result.accepted and not result.verified
    assert (result.service, result.period) == ("libraries", "2023-24-Q2")
    assert "read by indicator number as Library Service's return" in result.report.problems[0].message
    original = figures_by_key(assess(filled.ctx, filled.filled["libraries"]))
    assert figures_by_key(result) == original


def test_dropped_metadata_still_finds_rows_missing_and_foreign(filled: Filled, tmp_path: Path) -> None:
    def change(book: Any) -> None:
        del book[META_SHEET]
        book["Return"].delete_rows(4)
        book["Return"]["A4"].value = "222"  # 38's row now claims another service's indicator

    result = assess(filled.ctx, edit(filled.copy("libraries", tmp_path), change, sheet=""))
    assert codes(result) == [("META_MISSING", "", ""), ("ROW_UNKNOWN", "A4", "222"),
                             ("ROW_MISSING", "", "37"), ("ROW_MISSING", "", "38")]


def test_dropped_metadata_and_last_quarters_rows_is_the_wrong_period(filled: Filled, tmp_path: Path) -> None:
    def change(book: Any) -> None:
        del book[META_SHEET]
        for row in (3, 4, 5):
            book["Return"].cell(row, 3).value = "2023/24 Q1"

    result = assess(filled.ctx, edit(filled.copy("libraries", tmp_path), change, sheet=""))
    assert codes(result) == [("META_WRONG_PERIOD", "", "")]


def test_dropped_metadata_and_no_known_indicator(filled: Filled, tmp_path: Path) -> None:
    def change(book: Any) -> None:
        del book[META_SHEET]
        for row in (3, 4, 5):
            book["Return"].cell(row, 1).value = f"X{row}"

    result = assess(filled.ctx, edit(filled.copy("libraries", tmp_path), change, sheet=""))
    assert codes(result) == [("SERVICE_UNKNOWN", "", "")] and not result.accepted


@pytest.mark.parametrize("changes", [
    {"service": "coroner"},  # claims to be another service's
    {"period": "2023-24-Q3"},
    {"row:3": json.dumps([3, "37", "2023-24-Q2", "1", "2023-24-Q1", "351220", "2023-24-Q1"])},  # a new target
    {"signature": "0" * 64},
    {"format": "something-else"},
])
def test_altered_metadata_fails_the_signature(filled: Filled, tmp_path: Path,
                                              changes: dict[str, str]) -> None:
    result = assess(filled.ctx, _set_meta(filled.copy("libraries", tmp_path), changes))
    assert codes(result) == [("META_SIGNATURE", "", "")] and not result.accepted
    assert result.figures == []


@pytest.mark.parametrize(("damage", "words"), [("empty", "'council' is empty"),
                                               ("deleted", "'council' is missing")])
def test_incomplete_metadata_names_what_is_missing(filled: Filled, tmp_path: Path, damage: str,
                                                   words: str) -> None:
    def change(ws: Any) -> None:
        cell = _pairs(ws)["council"]
        if damage == "empty":
            cell.value = None
        else:
            ws.delete_rows(cell.row)

    result = assess(filled.ctx, edit(filled.copy("libraries", tmp_path), change, META_SHEET))
    assert codes(result) == [("META_SIGNATURE", "", "")]
    assert words in result.report.problems[0].message


def test_another_councils_workbook(filled: Filled, tmp_path: Path) -> None:
    path = _set_meta(filled.copy("libraries", tmp_path), {"council": "Norfolk County Council"})
    message = "This workbook is for Norfolk County Council, not Cambridgeshire County Council."
    assert codes(assess(filled.ctx, path), ("code", "message")) == [("META_OTHER_COUNCIL", message)]


def test_a_service_that_does_not_exist_even_when_signed(filled: Filled, tmp_path: Path) -> None:
    path = _set_meta(filled.copy("libraries", tmp_path), {"service": "parks"}, resign=filled.ws.secret)
    assert codes(assess(filled.ctx, path)) == [("META_UNKNOWN_SERVICE", "", "")]


def test_metadata_copied_into_another_services_file(filled: Filled, tmp_path: Path) -> None:
    """Coroner's signed metadata pasted into the Library Service's return: valid, but no row matches."""
    from openpyxl import load_workbook

    coroner = load_workbook(filled.filled["coroner"])[META_SHEET]
    values = [(r[0].value, r[1].value) for r in coroner.iter_rows(max_col=2)]

    def change(ws: Any) -> None:
        ws.delete_rows(1, ws.max_row)
        for key, value in values:
            ws.append([key, value])

    result = assess(filled.ctx, edit(filled.copy("libraries", tmp_path), change, META_SHEET))
    assert codes(result) == [("ROW_UNKNOWN", f"A{r}", i) for r, i in ((3, "36"), (4, "37"), (5, "38"))] + [
        ("ROW_MISSING", "", i) for i in ("175", "176", "177", "178", "179")]
    assert not result.accepted


def test_last_quarters_workbook_is_refused_saying_which_it_is(filled: Filled, tmp_path: Path) -> None:
    old = write_workbooks(filled.ws, Quarter(2023, 1), ["libraries"], out=tmp_path, generated=GENERATED)[0]
    result = assess(filled.ctx, old.path)
    assert codes(result, ("code", "message", "hint")) == [(
        "META_WRONG_PERIOD", "This is the return for 2023/24 Q1; the current collection is 2023/24 Q2.",
        "Send the 2023/24 Q2 workbook for Library Service; no figure is taken from this file.")]
    assert result.period == Q2.slug and result.service == "libraries"


def test_a_workbook_from_another_workspace(filled: Filled, tmp_path: Path) -> None:
    other = init_workspace(tmp_path / "other", "cambridgeshire", include_current=False)
    stranger = write_workbooks(other, Q2, ["libraries"], generated=GENERATED)[0]
    assert codes(assess(filled.ctx, stranger.path)) == [("META_SIGNATURE", "", "")]


def test_hidden_not_very_hidden_and_numbers_for_text_still_verify(filled: Filled, tmp_path: Path) -> None:
    """LibreOffice turns "very hidden" into "hidden"; a spreadsheet may turn "1" into the number 1."""
    def change(ws: Any) -> None:
        ws.sheet_state = "hidden"
        _pairs(ws)["version"].value = 1

    result = assess(filled.ctx, edit(filled.copy("libraries", tmp_path), change, META_SHEET))
    assert codes(result) == [] and result.verified
