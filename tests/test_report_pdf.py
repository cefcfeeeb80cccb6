"""The report as PDF through LibreOffice: it converts, passes the pdfua PDF/UA checks (the demo's and a synthetic
council's), gives every chart's Figure the Word chart's alt text, and keeps working internal and web links, a
heading outline, tags, title and language. Skipped without LibreOffice, except in CI (env CI), where its absence
fails."""

from __future__ import annotations

import re
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from conftest import require_module, require_tool
from support.report import synthetic_committee

from kpixl.errors import ReportError
from kpixl.report import pdf as pdf_module
from kpixl.report.model import Standing, build_model
from kpixl.report.pdf import convert_to_pdf
from kpixl.report.pdf_tags import Drawing, add_chart_alt_text, docx_drawings, figures
from kpixl.report.render_docx import render
from kpixl.steps.report import build_report
from kpixl.steps.workspace import bundled_path

REFERENCE = bundled_path("workbook_templates") / "reference.docx"


def _pdf_facts(path: Path) -> dict[str, Any]:
    """What a reader of the PDF relies on besides the tags' content, read with pikepdf."""
    with pikepdf.open(path) as pdf:
        annotations = [a for page in pdf.pages for a in page.get("/Annots", [])
                       if a.get("/Subtype") == "/Link"]
        with pdf.open_metadata() as meta:
            xmp = {"creator": meta.get("dc:creator"), "part": meta.get("pdfuaid:part")}
        return {
            "tagged": bool(pdf.Root.MarkInfo.Marked) and "/StructTreeRoot" in pdf.Root,
            "lang": str(pdf.Root.Lang), "shows_title": bool(pdf.Root.ViewerPreferences.DisplayDocTitle),
            "title": str(pdf.docinfo.Title), "author": str(pdf.docinfo.Author),
            "outline": [item.title for item in pdf.open_outline().root],
            "internal_links": sum(1 for a in annotations
                                  if "/Dest" in a or a.get("/A", {}).get("/S") == "/GoTo"),
            "web_links": sorted({str(a.A.URI) for a in annotations if a.get("/A", {}).get("/S") == "/URI"}),
            "alt": [str(f.get("/Alt", "")) for f in figures(pdf)], "xmp": xmp,
        }


def _chart_alt_texts(docx: Path) -> list[str]:
    return [d.descr for d in docx_drawings(docx) if d.chart]


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> tuple[Path, Path]:
    require_tool("soffice")
    from kpixl.steps.create import init_workspace

    ws = init_workspace(tmp_path_factory.mktemp("pdf") / "ws", "cambridgeshire")
    docx = build_report(ws, "2023-24-Q2", "csmi", produced_on=date(2023, 12, 12))
    return docx, convert_to_pdf(docx)


@pytest.fixture(scope="module")
def example_pdf(example: tuple[Path, Path]) -> Path:
    return example[1]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> tuple[Path, Path]:
    """A SYNTHETIC council's committee: every kind, unit, direction and frequency, long text, eight periods; its
    final paper, whose cover records the sign-offs and the approval (the example's is a draft)."""
    require_tool("soffice")
    register, figures_, quarter = synthetic_committee(12, 12)
    final = Standing(True, (), ("Synthetic Service: A Head, Head of Service, 10 January 2024",),
                     "Approved by A Director, Executive Director, on 12 January 2024")
    model = build_model(register, register.committees[0], quarter, figures_, council="Synthetic Council",
                        team="Synthetic & Performance Team", produced_on=date(2024, 1, 15), standing=final)
    docx = render(model, REFERENCE, tmp_path_factory.mktemp("synthetic") / "synthetic.docx")
    return docx, convert_to_pdf(docx)


def test_converts_beside_the_docx(example_pdf):
    assert example_pdf.name == "csmi_2023-24-Q2.pdf" and example_pdf.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("which", ["example", "synthetic"])
def test_pdfua_finds_nothing(which, request):
    require_module("pdfua")
    from support.pdfua import pdfua_findings

    assert pdfua_findings(request.getfixturevalue(which)[1]) == []


@pytest.mark.parametrize("which", ["example", "synthetic"])
def test_every_chart_figure_has_the_alt_text_of_the_word_chart(which, request):
    docx, pdf = request.getfixturevalue(which)
    wanted = _chart_alt_texts(docx)
    assert len(wanted) == (19 if which == "example" else 12) and all(t.startswith("Line chart of ") for t in wanted)
    assert _pdf_facts(pdf)["alt"] == wanted


def test_internal_and_web_links_survive(example_pdf):
    facts = _pdf_facts(example_pdf)
    # 19 "Return to Index" links, the index's 38 and the 7 exceptions' (more where a title wraps over lines).
    assert facts["internal_links"] >= 19 + 38 + 7
    assert facts["web_links"] == ["https://lginform.local.gov.uk/",
                                  "https://www.judiciary.uk/courts-and-tribunals/coroners-courts/annual-reports/"]


def test_tagged_with_outline_language_and_title(example_pdf):
    facts = _pdf_facts(example_pdf)
    assert facts["tagged"] and facts["lang"] == "en-GB" and facts["shows_title"]
    assert facts["title"] == ("DRAFT: Performance Report: Communities, Social Mobility and Inclusion Committee, "
                              "Quarter 2 2023/24")  # a draft: nothing is signed off (docs/review.md)
    assert facts["outline"][:4] == ["Draft: what is outstanding", "Summary and exceptions", "Key", "Index"]
    assert len(facts["outline"]) == 4 + 19
    assert "Indicator 37: Number of visits made to library sites reported quarterly" in facts["outline"]
    assert facts["xmp"]["part"] == "1"  # it still declares PDF/UA-1


def test_the_metadata_author_is_escaped_once(synthetic):
    facts = _pdf_facts(synthetic[1])
    assert facts["author"] == "Synthetic & Performance Team, Synthetic Council"
    assert facts["xmp"]["creator"] == ["Synthetic & Performance Team, Synthetic Council"]


def test_mending_again_changes_no_figure_and_a_chart_without_its_figure_is_refused(example):
    docx, pdf_path = example
    with pikepdf.open(pdf_path) as pdf:
        before = _pdf_facts(pdf_path)["alt"]
        assert add_chart_alt_text(pdf, docx_drawings(docx)) == 0  # every chart's figure has its alt text
        with pytest.raises(ReportError, match="no figure of 100 x 50 pt for the chart 'Line chart of x'"):
            add_chart_alt_text(pdf, [Drawing(False, "a picture", 10.0, 10.0), *docx_drawings(docx),
                                     Drawing(True, "Line chart of x", 100.0, 50.0)])
        assert [str(f.get("/Alt", "")) for f in figures(pdf)] == before


def test_pages_read_like_the_seed(example_pdf):
    pdftotext = require_tool("pdftotext")  # skips locally without it, fails under CI
    text = subprocess.run([pdftotext, "-layout", str(example_pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = text.split("\f")
    assert "Produced on: 12 December 2023" in pages[0] and "Performance Report" in pages[0]
    assert "DRAFT: not for publication" in pages[0] and "Draft: what is outstanding" in pages[1]
    assert "Summary and exceptions" in pages[2]  # the report opens with it, after the cover and the draft's page
    key = next(n for n, page in enumerate(pages) if "Data Item" in page)
    assert key > 2 and "Ratings and change in performance" not in pages[key]  # the key on a page of its own
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
