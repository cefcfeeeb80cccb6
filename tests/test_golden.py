"""Golden files: the parts of what kpixl writes, compared with the copies kept in tests/golden/.

A layout change that is deterministic passes every other test; here it shows as a diff, to be reviewed and
committed with the change. tests/golden/README.md says what is kept and how to rewrite it (only by hand:
KPIXL_UPDATE_GOLDEN=1, refused in CI).
"""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pytest
from support.golden import GOLDEN, check_goldens, eml_text, pretty_xml, shared_strings, sheet_parts
from support.intake import Filled, assess, make_filled, set_cells
from support.workbook import GENERATED
from typer.testing import CliRunner

from kpixl.cli import app
from kpixl.intake.feedback import write_feedbacks
from kpixl.layout.returns import FEEDBACK_SHEET
from kpixl.steps.create import init_workspace
from kpixl.steps.generate import write_workbooks
from kpixl.steps.report import build_report
from kpixl.steps.workspace import Workspace

PRODUCED_ON = date(2023, 12, 12)  # the seed report's date
SECRET = "6b7069786c2d676f6c64656e" * 2  # a fixed signing key, so the kpixl sheet's signature never varies
SERVICE = "libraries"
REPORT_PARTS = ("word/document.xml", "word/charts/chart2.xml")  # indicator 37: two quarters and a target
WORKBOOK_PARTS = ("xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml",
                  "xl/worksheets/sheet3.xml", "xl/worksheets/sheet4.xml", "xl/worksheets/sheet5.xml",
                  "xl/sharedStrings.xml",
                  "docProps/core.xml")
FEEDBACK = "feedback/Problems-sheet.xml"
DRAFT = f"mail/{SERVICE}-draft.eml.txt"
CHECKED = {f"report/{p}" for p in REPORT_PARTS} | {f"workbook/{p}" for p in WORKBOOK_PARTS} | {FEEDBACK, DRAFT}


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """The seed example with its Q2 workbooks written at a pinned time with a fixed key."""
    workspace = init_workspace(tmp_path_factory.mktemp("golden") / "ws", "cambridgeshire")
    (workspace.root / ".kpixl" / "secret").write_text(SECRET + "\n", encoding="utf-8")
    write_workbooks(workspace, workspace.period_or_default(None), generated=GENERATED)
    return workspace


def _parts(path: Path, names: tuple[str, ...], prefix: str) -> dict[str, str]:
    with zipfile.ZipFile(path) as package:
        shared = shared_strings(package) if "xl/workbook.xml" in package.namelist() else None
        return {f"{prefix}/{name}": pretty_xml(package.read(name), shared) for name in names}


def test_the_report_document_and_a_chart(ws: Workspace) -> None:
    docx = build_report(ws, "2023-24-Q2", "csmi", produced_on=PRODUCED_ON)
    check_goldens(_parts(docx, REPORT_PARTS, "report"))


def test_a_collection_workbook(ws: Workspace) -> None:
    [path] = (ws.path("workbooks") / "2023-24-Q2").glob(f"*_{SERVICE}_*.xlsx")
    with zipfile.ZipFile(path) as book:
        sheets = sorted(sheet_parts(book).values())
    assert sheets == sorted(p for p in WORKBOOK_PARTS if p.startswith("xl/worksheets/")), \
        "the workbook's sheets changed: list its sheet parts in WORKBOOK_PARTS"
    check_goldens(_parts(path, WORKBOOK_PARTS, "workbook"))


def test_a_feedback_workbooks_problems_sheet(tmp_path: Path) -> None:
    filled: Filled = make_filled(tmp_path)
    # An error (text for a figure), a query (Red without actions) and a warning (a number typed as text).
    damaged = set_cells(filled.copy(SERVICE, tmp_path / "in"), {"H3": "lots", "L4": None, "H5": "276,954"})
    [path] = write_feedbacks([assess(filled.ctx, damaged)], tmp_path / "feedback")
    with zipfile.ZipFile(path) as book:
        part = sheet_parts(book)[FEEDBACK_SHEET]
        check_goldens({FEEDBACK: pretty_xml(book.read(part), shared_strings(book))})


def test_an_eml_draft(ws: Workspace, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["send", "2023-24-Q2", "--drafts", str(tmp_path), "--workspace",
                                      str(ws.root)])
    assert result.exit_code == 0, result.output
    [draft] = tmp_path.glob(f"{SERVICE}-*.eml")
    check_goldens({DRAFT: eml_text(draft.read_bytes())})


def test_every_golden_file_is_checked() -> None:
    kept = {p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*") if p.is_file()}
    assert kept - {"README.md", ".gitattributes"} == CHECKED, "delete golden files no test compares"
