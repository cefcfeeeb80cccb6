"""The committee's performance report: a Word document in the council's layout, and its PDF.

model.py decides what the report says (pure), pages.py lays it out, render_docx.py writes the .docx from the
reference document (the only python-docx import), charts.py writes native Word charts, pdf.py converts with
LibreOffice. kpixl.steps.report builds a committee's report from a workspace. See docs/report.md.
"""
