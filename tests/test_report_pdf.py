"""The report as PDF through LibreOffice: it converts, keeps working internal and web links, a heading outline
and tags. Skipped without LibreOffice, except in CI (env CI), where its absence fails."""

from __future__ import annotations

import re
import subprocess
from datetime import date

import pytest
from conftest import require_tool

from kpixl.errors import ReportError
from kpixl.report import pdf as pdf_module
from kpixl.report.pdf import convert_to_pdf
from kpixl.steps.report import build_report


@pytest.fixture(scope="module")
def example_pdf(tmp_path_factory):
    require_tool("soffice")
    from kpixl.steps.create import init_workspace

    ws = init_workspace(tmp_path_factory.mktemp("pdf") / "ws", "cambridgeshire")
    docx = build_report(ws, "2023-24-Q2", "csmi", produced_on=date(2023, 12, 12))
    return convert_to_pdf(docx)


def test_converts_beside_the_docx(example_pdf):
    assert example_pdf.name == "csmi_2023-24-Q2.pdf" and example_pdf.read_bytes().startswith(b"%PDF")


def test_internal_links_survive_as_destinations(example_pdf):
    data = example_pdf.read_bytes()
    links = re.findall(rb"/Subtype/Link[^\n]*", data)
    internal = [link for link in links if b"/Dest" in link]
    # 19 "Return to Index" links and the index's 38 (more where a title wraps over two lines).
    assert len(internal) >= 19 + 38
    assert b"/URI(https://lginform.local.gov.uk/)" in data


def test_outline_tags_language_and_title(example_pdf):
    data = example_pdf.read_bytes()
    assert b"/Outlines" in data and b"/StructTreeRoot" in data and b"/Lang(en-GB)" in data
    assert b"/DisplayDocTitle true" in data
    titles = re.findall(rb"/Title<([0-9A-F]+)>", data)
    decoded = {bytes.fromhex(t.decode())[2:].decode("utf-16-be") for t in titles}
    assert "Index" in decoded and "Indicator 37: Number of visits made to library sites reported quarterly" in decoded


def test_pages_read_like_the_seed(example_pdf):
    pdftotext = require_tool("pdftotext")  # skips locally without it, fails under CI
    text = subprocess.run([pdftotext, "-layout", str(example_pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = text.split("\f")
    assert "Produced on: 12 December 2023" in pages[0] and "Performance Report" in pages[0]
    assert "Data Item" in pages[1]
    starts = [n for n, page in enumerate(pages) if re.search(r"^\s*Indicator \d+:", page, re.MULTILINE)]
    assert len(starts) == 19  # every indicator starts a page of its own


def test_without_libreoffice_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf_module, "find_soffice", lambda: None)
    with pytest.raises(ReportError, match="apt-get install libreoffice-writer"):
        convert_to_pdf(tmp_path / "report.docx")


def test_a_failed_conversion_is_an_error_not_a_traceback(tmp_path, monkeypatch):
    monkeypatch.setenv("KPIXL_SOFFICE", str(tmp_path / "no-such-soffice"))
    with pytest.raises(ReportError, match="could not convert"):
        convert_to_pdf(tmp_path / "report.docx")
