"""Every file kpixl writes goes through files.write_atomic: when the write fails (the disk refuses to sync,
or the rename over the old file fails), the previous good file is left whole, no temporary file is left
beside it, and the failure is a kpixl error naming the file, never a traceback."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path

import pytest
from support.report import synthetic_committee
from support.workbook import GENERATED

from kpixl.domain import Quarter
from kpixl.errors import KpixlError
from kpixl.intake.assess import ReturnResult
from kpixl.intake.feedback import write_feedbacks
from kpixl.mail.transports import DraftsTransport
from kpixl.problems import Report, Where, problem
from kpixl.register import load_register
from kpixl.report import pdf_tags
from kpixl.report.model import build_model
from kpixl.report.pdf import convert_to_pdf
from kpixl.report.render_docx import render
from kpixl.steps.create import init_workspace
from kpixl.steps.generate import write_workbooks
from kpixl.steps.workspace import EXAMPLES, Workspace, bundled_path
from kpixl.workbook.export import COLUMNS, write_csv, write_xlsx
from kpixl.workbook.register_book import write_register_workbook

# Each writer writes a file in a folder; version 0 and version 1 differ, so a half-written file would show.
Writer = Callable[[Path, int], Path]


def _report(folder: Path, version: int) -> Path:
    register, figures, quarter = synthetic_committee(3, 4)
    model = build_model(register, register.committees[0], quarter, figures, council="C", team="T",
                        produced_on=date(2024, 1, 5 + version))
    return render(model, bundled_path("workbook_templates") / "reference.docx", folder / "report.docx")


def _rows(version: int) -> list[dict[str, object]]:
    row: dict[str, object] = {column: f"text {version}" for column in COLUMNS}
    row.update(version=1, value=Decimal(version), target=None, received=datetime(2024, 1, 5, tzinfo=UTC))
    return [row] * (version + 1)


def _export_csv(folder: Path, version: int) -> Path:
    write_csv(folder / "figures.csv", _rows(version))
    return folder / "figures.csv"


def _export_xlsx(folder: Path, version: int) -> Path:
    register, _, _ = synthetic_committee(1, 1)
    write_xlsx(folder / "figures.xlsx", _rows(version), register)
    return folder / "figures.xlsx"


def _workbook(folder: Path, version: int) -> Path:
    workspace = folder.parent / "ws"
    ws = Workspace.open(workspace) if workspace.exists() else init_workspace(workspace, "cambridgeshire")
    [written] = write_workbooks(ws, Quarter(2023, 2), ["libraries"], out=folder,
                                generated=GENERATED.replace(day=2 + version))
    return written.path


def _feedback(folder: Path, version: int) -> Path:
    report = Report()
    for _ in range(version + 1):
        report.add(problem("FILE_NOT_WORKBOOK", Where("lib.pdf"), what="a PDF"))
    [path] = write_feedbacks([ReturnResult(folder / "missing" / "lib.pdf", report=report)], folder)
    return path


def _draft(folder: Path, version: int) -> Path:
    message = EmailMessage()
    message["Subject"] = f"Return, version {version}"
    message.set_content(f"Version {version}")
    drafts = DraftsTransport(folder, "2023-24-Q2")
    drafts.open()
    return folder / drafts.deliver(message, "team@example.org", "lead@example.org")


def _register_workbook(folder: Path, version: int) -> Path:
    path = folder / "register.xlsx"
    if version == 0:
        write_register_workbook(path)  # the blank template
    else:
        example = bundled_path("examples") / EXAMPLES["cambridgeshire"] / "register.yaml"
        write_register_workbook(path, load_register(example).register)
    return path


_FAKE_SOFFICE = """#!/bin/sh
# Stands in for LibreOffice: after --outdir come the folder and the .docx; the PDF holds the .docx's bytes.
while [ "$1" != "--outdir" ]; do shift; done
cp "$3" "$2/$(basename "$3" .docx).pdf"
"""


def _pdf(folder: Path, version: int) -> Path:
    docx = folder.parent / "report.docx"
    docx.write_bytes(f"version {version}".encode())
    return convert_to_pdf(docx, folder / "report.pdf")


WRITERS: dict[str, Writer] = {
    "report": _report, "export-csv": _export_csv, "export-xlsx": _export_xlsx, "workbook": _workbook,
    "feedback": _feedback, "draft": _draft, "register-workbook": _register_workbook, "pdf": _pdf,
}


def _fail(monkeypatch: pytest.MonkeyPatch, call: str) -> None:
    def broken(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, call, broken)


@pytest.mark.parametrize("call", ["fsync", "replace"])
@pytest.mark.parametrize("name", WRITERS)
def test_a_failed_write_leaves_the_previous_file_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       name: str, call: str) -> None:
    write = WRITERS[name]
    soffice = tmp_path / "soffice"
    soffice.write_text(_FAKE_SOFFICE)
    soffice.chmod(0o755)
    monkeypatch.setenv("KPIXL_SOFFICE", str(soffice))
    # The stand-in's "PDF" is the .docx's bytes: nothing for pdf_tags to mend (test_report_pdf.py mends real ones).
    monkeypatch.setattr(pdf_tags, "mend_pdf", lambda docx, exported: exported)  # imported where it is called
    folder = tmp_path / "out"
    folder.mkdir()
    path = write(folder, 0)
    good = path.read_bytes()
    before = sorted(p.name for p in path.parent.iterdir())
    with monkeypatch.context() as patched:
        _fail(patched, call)
        with pytest.raises(KpixlError, match="No space left on device"):
            write(folder, 1)
    assert path.read_bytes() == good
    assert sorted(p.name for p in path.parent.iterdir()) == before  # no temporary file left behind
    assert write(folder, 1).read_bytes() != good  # the two versions differ: the test could see a half write


def test_a_written_file_has_the_permissions_open_would_give_it(tmp_path: Path) -> None:
    """mkstemp makes private files; a report or workbook written for a team must follow the umask."""
    import os

    from kpixl.files import write_atomic

    path = tmp_path / "report.docx"
    write_atomic(path, b"data")
    mask = os.umask(0o022)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask
