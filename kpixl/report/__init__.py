"""The committee's performance report: a Word document in the council's layout, and its PDF.

    from kpixl.report import build_report
    path = build_report(workspace, "2023-24-Q2", "csmi")
    paths = build_reports(workspace, "2023-24-Q2")  # every committee, from one load

model.py decides what the report says (pure), pages.py lays it out, render_docx.py writes the .docx from the
reference document (the only python-docx import), charts.py writes native Word charts, pdf.py converts with
LibreOffice. Nothing heavy is imported until a report is built. See docs/report.md.
"""

from .build import (
           PreparedReport,
           build_report,
           build_reports,
           default_output,
           prepare_report,
           prepare_reports,
           reference_document,
           write_report,
)
from .errors import ReportError
from .pdf import convert_to_pdf

__all__ = ["PreparedReport", "ReportError", "build_report", "build_reports", "convert_to_pdf",
           "default_output", "prepare_report", "prepare_reports", "reference_document", "write_report"]
