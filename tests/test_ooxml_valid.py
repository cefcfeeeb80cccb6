"""Every kind of .xlsx and .docx kpixl writes validates against the ISO/IEC 29500 Transitional schemas with
the Open XML SDK's validator (tests/support/ooxml.py): the report, a collection workbook, a return typed into
by the demo, a feedback workbook, the figures export, and the register's template and export. A file that
breaks the schemas is what makes Excel and Word offer to "repair" it."""

from __future__ import annotations

from pathlib import Path

from support.intake import assess, make_filled, set_cells
from support.ooxml import require_validator, schema_errors

from kpixl.intake.feedback import write_feedbacks
from kpixl.register import load_register
from kpixl.steps.export import export_figures
from kpixl.steps.register import export_register, write_template
from kpixl.steps.report import build_report


def test_every_kind_of_file_kpixl_writes_is_valid_ooxml(tmp_path: Path) -> None:
    require_validator()
    filled = make_filled(tmp_path / "filled")
    ws = filled.ws
    damaged = set_cells(filled.copy("libraries", tmp_path / "in"), {"H3": "lots", "L4": None, "H5": "276,954"})
    [feedback] = write_feedbacks([assess(filled.ctx, damaged)], tmp_path / "feedback")
    report = build_report(ws, "2023-24-Q2", "csmi", out=tmp_path / "report.docx")
    export = tmp_path / "figures.xlsx"
    export_figures(ws, export)
    template, register = tmp_path / "template.xlsx", tmp_path / "register.xlsx"
    write_template(template)
    export_register(load_register(ws.register_path), register)
    typed = filled.copy("libraries", tmp_path / "typed", name="typed-return.xlsx")  # as the demo types a return
    files = [report, filled.blank["libraries"], typed, feedback, export, template, register]
    assert schema_errors(files) == {path.name: [] for path in files}


def test_the_validator_finds_an_element_the_schema_does_not_allow(tmp_path: Path) -> None:
    """The check can fail: a stray element in a report's body is reported with its part."""
    import zipfile

    require_validator()
    filled = make_filled(tmp_path / "filled")
    good = build_report(filled.ws, "2023-24-Q2", "csmi", out=tmp_path / "report.docx")
    bad = tmp_path / "bad.docx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(bad, "w") as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body><w:bogus/>", 1)
            out.writestr(info, data)
    [errors] = schema_errors([bad]).values()
    assert errors and errors[0].startswith("/word/document.xml: ") and "bogus" in errors[0]


def test_issue_17s_workbook_and_report_are_valid_ooxml(tmp_path: Path) -> None:
    """A workbook with a calculated row (its count columns, its figure a formula, the owner and due date
    columns), and a report whose pages carry published comparators and a chart with the group's mean (SYNTHETIC
    values), with the summary and exceptions section."""
    from support.insight import TIDY_CSV, write

    from kpixl.domain import Quarter
    from kpixl.steps.comparators import import_comparators
    from kpixl.steps.generate import write_workbooks

    require_validator()
    filled = make_filled(tmp_path / "filled")
    ws = filled.ws
    path = ws.register_path
    path.write_text(path.read_text(encoding="utf-8").replace(
        '  - id: "220"\n', '  - id: "220"\n    numerator: Deaths registered within 5 days\n'
                           '    denominator: Deaths registered\n'), encoding="utf-8")
    [calculated] = [w.path for w in write_workbooks(ws, Quarter(2023, 2), services=["registration"],
                                                    out=tmp_path / "calculated")]
    assert import_comparators(ws, write(tmp_path, "tidy.csv", TIDY_CSV)).report.valid
    report = build_report(ws, "2023-24-Q2", "csmi", out=tmp_path / "report-17.docx")
    assert schema_errors([calculated, report]) == {calculated.name: [], report.name: []}
