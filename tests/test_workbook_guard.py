"""xlsxwriter's silent failures (a -1 return, a warning) become OutputError, never a missing validation."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
from support.workbook import example_workspace, write_all

from kpixl.errors import OutputError
from kpixl.workbook import return_sheet
from kpixl.workbook.guard import check, guarded


def test_check_raises_on_failure_codes_only() -> None:
    check(0, "fine")
    check(None, "a call that returns nothing")
    for code, words in ((-1, "outside the sheet"), (-2, "too long \\(an Excel cell holds at most 32,767"),
                        (-3, "xlsxwriter refused it \\(code -3\\)")):
        with pytest.raises(OutputError, match=f"the validation of J2 failed: .*{words}"):
            check(code, "the validation of J2")


def test_warnings_become_output_errors() -> None:
    with pytest.raises(OutputError, match="the workbook: careful"), guarded("the workbook"):
        warnings.warn("careful", stacklevel=1)


def test_xlsxwriters_own_exceptions_become_output_errors_naming_the_book() -> None:
    from xlsxwriter.exceptions import DuplicateWorksheetName

    with pytest.raises(OutputError, match="Could not write the workbook of X: .*Sheet1"), guarded("the workbook of X"):
        raise DuplicateWorksheetName("Sheetname 'Sheet1', with case ignored, is already in use.")


def test_a_malformed_validation_stops_the_workbook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = example_workspace(tmp_path)

    def too_long(*args: Any) -> dict[str, Any]:
        return {"validate": "length", "criteria": "<=", "value": 10, "input_title": "x" * 40}

    monkeypatch.setattr(return_sheet, "text_rule", too_long)
    with pytest.raises(OutputError, match="workbook of Library Service: Length of input title"):
        write_all(ws, services=["libraries"])


def test_a_validation_xlsxwriter_rejects_without_warning_stops_the_workbook(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from xlsxwriter.worksheet import Worksheet

    ws = example_workspace(tmp_path)
    original = Worksheet.data_validation

    def refuses_commentary(self: Worksheet, *args: Any) -> int:
        return -1 if args[-1].get("validate") == "length" else original(self, *args)

    monkeypatch.setattr(Worksheet, "data_validation", refuses_commentary)
    with pytest.raises(OutputError, match="data validation of Commentary in rows 3 to [0-9]+ failed"):
        write_all(ws, services=["libraries"])


def test_an_unwritable_folder_is_an_output_error(tmp_path: Path) -> None:
    ws = example_workspace(tmp_path)
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(OutputError, match="Cannot create the folder"):
        write_all(ws, out=blocker / "sub")
