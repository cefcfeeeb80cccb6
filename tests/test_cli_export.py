"""kpixl export: every stored version as a filterable workbook or CSV, text kept as text."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from typer.testing import CliRunner

from kpixl.cli import app
from kpixl.steps.workspace import Workspace
from kpixl.workbook.export import COLUMNS, csv_safe

runner = CliRunner()
HEADER = "indicator,period,value,status,reason,commentary,actions\n"
HOSTILE = {"commentary": "=1+1", "actions": "+44 20 7946 0000", "reason": "@SUM(A1:A2)"}


def invoke(ws: Workspace, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*args, "--workspace", str(ws.root)])
    return result.exit_code, result.output


@pytest.fixture
def revised_ws(example_ws: Workspace, tmp_path: Path) -> Workspace:
    """The example with 37's Q2 figure revised (version 2) by a file whose texts look like formulas."""
    path = tmp_path / "revised.csv"
    path.write_text(HEADER + '37,2023-24-Q2,380100,provisional,"@SUM(A1:A2)","=1+1","+44 20 7946 0000"\n',
                    encoding="utf-8")
    assert invoke(example_ws, "history", "import", str(path))[0] == 0
    return example_ws


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_xlsx_keeps_formula_like_text_as_text(revised_ws: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "figures.xlsx"
    code, output = invoke(revised_ws, "export", str(out))
    assert code == 0, output
    sheet = load_workbook(out)["Figures"]
    header = [c.value for c in sheet[1]]
    assert tuple(header) == COLUMNS
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "37" and r[5].value == 2)
    cells = dict(zip(header, row, strict=True))
    for column, text in HOSTILE.items():
        assert (cells[column].value, cells[column].data_type) == (text, "s"), column
    assert (cells["value"].value, cells["value"].data_type, cells["current"].value) == (380100, "n", "yes")


def test_xlsx_can_be_filtered_and_shows_percentages(revised_ws: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "figures.xlsx"
    assert invoke(revised_ws, "export", str(out))[0] == 0
    sheet = load_workbook(out)["Figures"]
    assert sheet.freeze_panes == "A2"
    [table] = sheet.tables.values()  # an Excel table, with its filter buttons
    assert (table.ref, table.autoFilter.ref) == (f"A1:{get_column_letter(len(COLUMNS))}{sheet.max_row}",) * 2
    value = COLUMNS.index("value")
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "198" and r[4].value == "2023-24-Q2")
    assert (row[value].value, row[value].number_format) == (0.68, "0%")


def test_csv_neutralises_formula_like_text(revised_ws: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "figures.csv"
    assert invoke(revised_ws, "export", str(out))[0] == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 when the BOM says so
    rows = read_csv(out)
    version_2 = next(r for r in rows if r["indicator"] == "37" and r["version"] == "2")
    assert {c: version_2[c] for c in HOSTILE} == {c: "'" + t for c, t in HOSTILE.items()}
    assert version_2["value"] == "380100" and version_2["status"] == "provisional"


@pytest.mark.parametrize(("text", "safe"), [("=1+1", "'=1+1"), ("-2", "'-2"), ("\tx", "'\tx"), ("\rx", "'\rx"),
                                            ("Plain", "Plain"), ("1=1", "1=1"), ("", "")])
def test_csv_safe(text: str, safe: str) -> None:
    assert csv_safe(text) == safe


def test_every_version_with_its_rating_and_provenance(revised_ws: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "figures.csv"
    assert invoke(revised_ws, "export", str(out))[0] == 0
    rows = read_csv(out)
    assert len(rows) == 38  # the example's 37 and one revision
    q2 = [(r["version"], r["current"], r["value"], r["file"]) for r in rows
          if r["indicator"] == "37" and r["period"] == "2023-24-Q2"]
    assert q2 == [("1", "no", "380018", "figures.csv"), ("2", "yes", "380100", "revised.csv")]
    first = next(r for r in rows if r["indicator"] == "37" and r["version"] == "1" and r["period"] == "2023-24-Q2")
    assert (first["rag"], first["change"], first["target"], first["cell"]) == ("Red", "Improving", "475381", "C3")
    assert first["service"] == "Library Service" and first["unit"] == "count"
    assert first["committees"] == "Communities, Social Mobility and Inclusion Committee"


@pytest.mark.parametrize(("period", "rows"), [("2023-24-Q2", 20), ("2023-09", 1), ("2022-23-Q2", 3)])
def test_a_period_narrows_the_export(example_ws: Workspace, tmp_path: Path, period: str, rows: int) -> None:
    out = tmp_path / "figures.csv"
    code, output = invoke(example_ws, "export", str(out), "--period", period, "--json")
    assert code == 0 and json.loads(output)["rows"] == rows
    assert len(read_csv(out)) == rows


def test_an_empty_store_writes_just_the_header(example_ws: Workspace, tmp_path: Path) -> None:
    (example_ws.root / "kpixl.sqlite").unlink()  # a workspace that never received anything: no archive either
    shutil.rmtree(example_ws.root / "archive")
    out = tmp_path / "figures.xlsx"
    assert invoke(example_ws, "export", str(out))[0] == 0
    assert [c.value for c in load_workbook(out)["Figures"][1]] == list(COLUMNS)


def test_a_name_without_xlsx_or_csv_is_a_usage_error(example_ws: Workspace, tmp_path: Path) -> None:
    code, output = invoke(example_ws, "export", str(tmp_path / "figures.ods"))
    assert code == 2 and "should end in .xlsx or .csv" in output


def test_a_folder_that_does_not_exist_is_an_error_not_a_traceback(example_ws: Workspace, tmp_path: Path) -> None:
    for name in ("figures.csv", "figures.xlsx"):
        code, output = invoke(example_ws, "export", str(tmp_path / "no" / "such" / name))
        assert code == 1 and output.startswith("Error: Cannot write"), output
