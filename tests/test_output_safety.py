"""Output safety (issue 7): text a lead typed that starts with = + - @ or a tab is never a formula in any
workbook kpixl writes (the feedback copy, the export, the register, next quarter's collection workbook) and
reads back unchanged; the report makes only http, https and mailto addresses into links; and no file name
built from a service, committee, lead, email address or period leaves its folder."""

from __future__ import annotations

import dataclasses
import shutil
import warnings
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from support.cli import run_cli
from support.intake import Filled, edit, make_filled
from support.report import NS, Docx, synthetic_committee

from kpixl.domain import Committee, Figure, FigureStatus, Link, Quarter
from kpixl.domain.figures import Provenance, ReceivedFigure, Submission
from kpixl.errors import OutputError
from kpixl.files import archive_name, safe_child, safe_stem, slug
from kpixl.intake.assess import ReturnResult
from kpixl.intake.feedback import feedback_name
from kpixl.layout.returns import column
from kpixl.register import load_register
from kpixl.report.model import build_model
from kpixl.report.render_docx import render
from kpixl.steps.generate import write_workbooks
from kpixl.steps.report import default_output
from kpixl.steps.workspace import Workspace, bundled_path
from kpixl.untrusted.sniff import Kind, Sniffed
from kpixl.workbook.names import workbook_filename
from kpixl.workbook.register_book import write_register_workbook

STARTS = ["=1+1 is what the lead typed", "+44 1223 555 555 is the contact", "-5 visits on last year, sadly",
          "@SUM(A1:A2) typed by the lead", "\tA commentary led by a tab", "=HYPERLINK(\"http://x\",\"y\")"]


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Filled:
    return make_filled(tmp_path_factory.mktemp("safety"))


def _read(path: Path) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_workbook(path)


def _typed(cells: dict[str, str]) -> Any:
    def change(sheet: Any) -> None:
        for ref, text in cells.items():
            sheet[ref].value = text
            sheet[ref].data_type = "s"  # as a lead types text: a string, whatever it starts with
    return change


def test_feedback_keeps_the_leads_text_as_text(made: Filled, tmp_path: Path) -> None:
    typed = {f"{column}{row}": text for (column, row), text in zip(
        [("M", 2), ("N", 2), ("M", 3), ("N", 3), ("M", 4), ("N", 4)], STARTS, strict=True)}
    path = edit(made.copy("libraries", tmp_path / "in"), _typed(typed | {"H4": "380,018"}))  # a warning
    ws = Workspace.open(Path(shutil.copytree(made.ws.root, tmp_path / "ws")))
    code, output = run_cli(ws, "collect", str(path), "--feedback", str(tmp_path / "feedback"))
    assert code == 0, output
    book = _read(next((tmp_path / "feedback").iterdir()))
    for ref, text in typed.items():
        assert (book["Return"][ref].value, book["Return"][ref].data_type) == (text, "s"), ref
    assert all(cell.data_type != "f" for row in book["Problems"].iter_rows() for cell in row)


def _record_texts(ws: Workspace) -> None:
    """Figures whose every text starts as a formula would, stored as a reader could never normalise them."""
    at = Provenance("f" * 64, "typed.xlsx", "Return", "H3")
    figures = [ReceivedFigure(Figure("37", Quarter(2023, 2), Decimal(380018 + i), FigureStatus.PROVISIONAL,
                                     text, text, text), at) for i, text in enumerate(STARTS)]
    with ws.open_store() as store:
        for i, item in enumerate(figures):  # one file each, so each text is the current version in turn
            sub = Submission(f"{i:064x}", f"typed{i}.xlsx", datetime(2023, 10, 2, tzinfo=UTC), "libraries",
                             "2023-24-Q2", True)
            store.record(sub, [item])


def test_export_keeps_every_text_as_text(made: Filled, tmp_path: Path) -> None:
    ws = Workspace.open(Path(shutil.copytree(made.ws.root, tmp_path / "ws")))
    _record_texts(ws)
    assert run_cli(ws, "export", str(tmp_path / "figures.xlsx"))[0] == 0
    sheet = _read(tmp_path / "figures.xlsx")["Figures"]
    header = [c.value for c in sheet[1]]
    found = {}
    for row in sheet.iter_rows(min_row=2):
        cells = dict(zip(header, row, strict=True))
        if cells["file"].value.startswith("typed"):
            texts = ("reason", "commentary", "actions")
            found[cells["commentary"].value] = {cells[c].data_type for c in texts}
    assert found == {text: {"s"} for text in STARTS}


def test_next_quarters_workbook_shows_last_commentary_as_text(made: Filled, tmp_path: Path) -> None:
    ws = Workspace.open(Path(shutil.copytree(made.ws.root, tmp_path / "ws")))
    _record_texts(ws)
    path = write_workbooks(ws, Quarter(2023, 3), services=["libraries"], out=tmp_path / "q3")[0].path
    sheet = _read(path)["Return"]
    last = column("last_commentary") + 1
    cell = next(sheet.cell(r, last) for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == "37")
    assert (cell.value, cell.data_type) == (STARTS[-1].strip(), "s")


def test_the_register_workbook_keeps_titles_as_text(made: Filled, tmp_path: Path) -> None:
    register = load_register(made.ws.register_path).register
    hostile = dataclasses.replace(register.indicators[0], title=STARTS[0], description=STARTS[3])
    changed = dataclasses.replace(register, indicators=(hostile, *register.indicators[1:]))
    write_register_workbook(tmp_path / "register.xlsx", changed)
    sheet = _read(tmp_path / "register.xlsx")["Indicators"]
    cells = [c for row in sheet.iter_rows(min_row=2, max_row=2) for c in row if c.value in STARTS]
    assert [(c.value, c.data_type) for c in cells] == [(STARTS[0], "s"), (STARTS[3], "s")]
    again = load_register(tmp_path / "register.xlsx").register.indicators[0]
    assert (again.title, again.description) == (STARTS[0], STARTS[3])


@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///C:/Windows/System32/calc.exe",
                                 "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)",
                                 "\\\\server\\share\\x.docx", "JAVASCRIPT:alert(1)", " javascript:x",
                                 "http:evil"])
def test_the_report_links_only_web_and_mail_addresses(url: str, tmp_path: Path) -> None:
    register, figures, quarter = synthetic_committee(1, 2)
    safe = (Link("Data", "https://example.org/d"), Link("Mail", "mailto:team@example.org"))
    indicator = dataclasses.replace(register.indicators[0], links=(Link("Odd", url), *safe))
    register = dataclasses.replace(register, indicators=(indicator,))
    model = build_model(register, register.committees[0], quarter, figures, council="C", team="T",
                        produced_on=date(2024, 1, 15))
    doc = Docx(render(model, bundled_path("workbook_templates") / "reference.docx", tmp_path / "r.docx"))
    rels = doc.rels()
    targets = {rels[i].get("Target") for i in doc.document.xpath("//w:hyperlink/@r:id", namespaces=NS)}
    assert targets == {"https://example.org/d", "mailto:team@example.org"}
    assert f"Odd ({url})" in doc.texts() or f"Odd ({url.strip()})" in doc.texts()


HOSTILE_NAMES = ["../../etc/passwd", "..", ".", "/abs/olute", "C:\\Windows\\x", "CON", "nul", "a" * 300,
                 "Trading Standards / Fire: A*?", "\x00null", "..\\..\\up", "~", "-rf", "é/../x"]


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=range(len(HOSTILE_NAMES)))
def test_no_name_built_from_what_people_typed_leaves_its_folder(name: str, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    workbook = safe_child(folder, workbook_filename(name, name, name))
    report = default_output(Workspace.open(_workspace(tmp_path)), Committee(name, name), Quarter(2023, 2))
    result = ReturnResult(Path(f"{name}.xlsx".replace("/", "_")), "ab" * 32)
    feedback = safe_child(folder, feedback_name(result, set()))
    archive = [archive_name("ab" * 32, s.ext) for s in _every_sniffed()]
    draft = safe_child(folder, f"{slug(name, 'lead')}_2023-24-Q2.eml")  # as kpixl.mail names a draft
    assert workbook.parent == folder.resolve() and feedback.parent == folder.resolve()
    assert draft.parent == folder.resolve()
    assert report.parent == (tmp_path / "ws" / "reports").resolve()
    assert all("/" not in a and "\\" not in a and not a.startswith(".") for a in archive)
    assert "/" not in safe_stem(name) and safe_stem(name) not in ("", ".", "..")


def _workspace(tmp_path: Path) -> Path:
    if not (tmp_path / "ws").exists():
        from kpixl.steps.create import init_workspace

        init_workspace(tmp_path / "ws", "cambridgeshire")
    return tmp_path / "ws"


def _every_sniffed() -> list[Sniffed]:
    exts = ("xlsx", "xlsm", "xls", "bin", "ods", "zip", "docx", "pptx", "pdf", "png", "jpg", "gif", "rtf",
            "html", "xml", "txt")
    return [Sniffed(Kind.OTHER, ext) for ext in exts]


def test_safe_child_refuses_what_would_leave(tmp_path: Path) -> None:
    for name in ("../x", "/etc/passwd", "a/../../b", ""):
        with pytest.raises(OutputError):
            safe_child(tmp_path, name)
