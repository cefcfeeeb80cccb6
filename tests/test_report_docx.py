"""The committee report as a .docx: the seed's content in the seed's order, and a document that works (links,
bookmarks, alt text, heading and table styles, language, reproducible bytes). See docs/report.md."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from support.report import (
    LABELS,
    NS,
    SEED_RAG,
    SEED_ROWS,
    Docx,
    assert_in_order,
    paragraph_text,
    seed_current_rows,
    seed_register,
    synthetic_committee,
    w,
)

from kpixl.errors import ReportError
from kpixl.report.model import build_model, paragraphs
from kpixl.report.pages import RAG_COLOURS, STYLES
from kpixl.report.render_docx import render, styles_missing
from kpixl.steps.report import build_report
from kpixl.steps.workspace import bundled_path

REFERENCE = bundled_path("workbook_templates") / "reference.docx"
DAY = date(2023, 12, 12)


@pytest.fixture(scope="module")
def example_docx(tmp_path_factory) -> Docx:
    from kpixl.steps.create import init_workspace

    ws = init_workspace(tmp_path_factory.mktemp("report") / "ws", "cambridgeshire")
    return Docx(build_report(ws, "2023-24-Q2", "csmi", produced_on=DAY))


def test_cover_key_and_index_come_first_in_the_seeds_words(example_docx):
    assert_in_order(example_docx.texts(), [
        "Produced on: 12 December 2023", "Performance Report", "Quarter 2", "2023/24 financial year",
        "Communities, Social Mobility and Inclusion Committee", "Governance & Performance",
        "Cambridgeshire County Council", "Key", "Data Item", "Explanation", "Target / Pro Rata Target",
        "Direction for Improvement", "Change in Performance", "Statistical Neighbours Mean", "England Mean",
        "RAG Rating", "Red", "off target by more than 10%", "Amber", "off target by 10% or less", "Green",
        "up to 5% over target", "Blue", "exceeds target by more than 5%", "Baseline", "Contextual",
        "In Development", "Indicator Description", "Commentary", "Actions", "Populated for 'red' indicators only",
        "Useful Links", "Index", "Red", "6", "Contextual", "7", "No.", "Indicator", "36",
        "Number of active library users", "Red", "222"])


def test_every_indicator_page_in_order_with_its_figures_words_and_text(example_docx):
    register, rows = {i["id"]: i for i in seed_register()["indicators"]}, seed_current_rows()
    expected: list[str] = []
    for number, (target_word, target, arrow, current, comparison, change) in SEED_ROWS.items():
        current_label, comparison_label = LABELS.get(number, ("Current Quarter", "Previous Quarter"))
        expected += [f"Indicator {number}: {register[number]['title']}", "Return to Index", "December 2023",
                     target_word, "Direction for Improvement", current_label, comparison_label,
                     "Change in Performance", target, arrow, current, comparison, change, "RAG Rating"]
        expected += [SEED_RAG[number]] if number in SEED_RAG else []
        expected += ["Indicator Description", *paragraphs(register[number]["description"])]
        expected += ["Commentary", *paragraphs(rows[number]["commentary"]), "Actions",
                     *paragraphs(rows[number]["actions"]), "Useful Links"]
        expected += [link["label"] for link in register[number].get("links", [])]
    assert_in_order(example_docx.texts(), expected)


def test_seed_literals(example_docx):
    text = "\n".join(example_docx.texts())
    for literal in ("380,018", "351,220", "Improving", "Quarter 2 22/23", "Current Quarter (cumulative)",
                    "In Development", "Current Month",
                    "Provisional figure: Validation delayed by a new information management system.", "There is no public facing data for this KPI"):
        assert literal in text


def test_every_internal_link_lands_on_a_bookmark(example_docx):
    doc = example_docx.document
    names = doc.xpath("//w:bookmarkStart/@w:name", namespaces=NS)
    anchors = doc.xpath("//w:hyperlink/@w:anchor", namespaces=NS)
    # number and title in the index, "Return to Index" on each page, and each of the 7 exceptions' rows
    assert len(anchors) == 19 * 2 + 19 + 7
    assert set(anchors) <= set(names)
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,39}", n) for n in names)
    starts = doc.xpath("//w:bookmarkStart/@w:id", namespaces=NS)
    # each page's, the index's and the summary's
    assert sorted(starts) == sorted(doc.xpath("//w:bookmarkEnd/@w:id", namespaces=NS)) and len(set(starts)) == 21


def test_web_links_are_external_and_safe(example_docx):
    rels = example_docx.rels()
    ids = example_docx.document.xpath("//w:hyperlink/@r:id", namespaces=NS)
    assert ids and all(rels[i].get("TargetMode") == "External" for i in ids)
    assert {rels[i].get("Target") for i in ids} == {
        "https://lginform.local.gov.uk/", "https://www.judiciary.uk/courts-and-tribunals/coroners-courts/annual-reports/"}


def test_every_chart_has_alt_text_and_a_chart_part(example_docx):
    doc, rels = example_docx.document, example_docx.rels()
    frames = doc.xpath("//w:drawing/wp:inline", namespaces=NS)
    assert len(frames) == 19
    for frame in frames:
        assert frame.xpath("wp:docPr/@descr", namespaces=NS)[0].startswith("Line chart of ")
        rid = frame.xpath(".//c:chart/@r:id", namespaces=NS)[0]
        assert rels[rid].get("Target").startswith("charts/chart")
    assert len({f.xpath("wp:docPr/@id", namespaces=NS)[0] for f in frames}) == 19
    assert "Up 8.2% on the previous quarter." in frames[1].xpath("wp:docPr/@descr", namespaces=NS)[0]


def test_chart_holds_periods_figures_and_target(example_docx):
    chart = example_docx.part("word/charts/chart2.xml")  # indicator 37
    series = chart.xpath("//c:lineChart/c:ser", namespaces=NS)
    assert [s.xpath("c:tx//c:v/text()", namespaces=NS)[0] for s in series] == ["Actual", "Target"]
    assert series[0].xpath("c:cat//c:v/text()", namespaces=NS) == ["2023/24 Q1", "2023/24 Q2"]
    assert series[0].xpath("c:val//c:v/text()", namespaces=NS) == ["351220", "380018"]
    assert series[1].xpath("c:val//c:pt/@idx", namespaces=NS) == ["1"]  # no target set for Q1: a gap
    sheet = openpyxl.load_workbook(io.BytesIO(example_docx.raw("word/embeddings/Microsoft_Excel_Worksheet2.xlsx")))
    assert list(sheet.active.iter_rows(values_only=True)) == [
        ("Period", "Actual", "Target"), ("2023/24 Q1", 351220, None), ("2023/24 Q2", 380018, 475381)]


def test_headings_use_heading_styles(example_docx):
    styles = {paragraph_text(p): example_docx.style_of(p) for p in example_docx.paragraphs()}
    assert styles["Indicator 37: Number of visits made to library sites reported quarterly"] == "Heading1"
    assert styles["Key"] == styles["Index"] == "Heading1"
    for section in ("RAG Rating", "Indicator Description", "Commentary", "Actions", "Useful Links"):
        assert styles[section] == "Heading2"
    assert styles["Performance Report"] == "Title"


def test_every_style_used_is_in_the_reference_document(example_docx):
    reference = Docx(REFERENCE).part("word/styles.xml")
    defined = set(reference.xpath("//w:style/@w:styleId", namespaces=NS))
    used = set(example_docx.document.xpath("//w:pStyle/@w:val | //w:rStyle/@w:val | //w:tblStyle/@w:val",
                                           namespaces=NS))
    assert used and used <= defined
    assert styles_missing(REFERENCE) == []
    assert set(STYLES) >= {"Heading 1", "Heading 2", "Hyperlink", "Performance Table"}


def test_every_table_has_a_header_row_that_repeats_and_each_rag_word_has_its_own_colour(example_docx):
    doc = example_docx.document
    tables = doc.xpath("//w:tbl", namespaces=NS)
    # the summary's two (ratings by change, exceptions), key, the index's two (summary, indicators); each page's
    # headline (the example has no comparators)
    assert len(tables) == 5 + 19
    for table in tables:
        assert table.xpath("w:tr[1]/w:trPr/w:tblHeader", namespaces=NS)
        assert table.xpath("w:tblPr/w:tblLook/@w:firstRow", namespaces=NS) == ["1"]
        assert table.xpath("w:tblPr/w:tblCaption/@w:val", namespaces=NS)
    fills = {rag.value: fill for rag, (fill, _) in RAG_COLOURS.items()}
    cells = doc.xpath("//w:tc[w:tcPr/w:shd]", namespaces=NS)
    boxes = doc.xpath("//w:p[w:pPr/w:shd]", namespaces=NS)  # each page's RAG box: a paragraph, not a table
    assert len(cells) >= 19 and len(boxes) == 19
    for shaded, fill in [*((tc, "w:tcPr/w:shd/@w:fill") for tc in cells), *((p, "w:pPr/w:shd/@w:fill") for p in boxes)]:
        word = paragraph_text(shaded.xpath(".//w:p", namespaces=NS)[0] if shaded.tag == w("tc") else shaded)
        assert fills[word] == shaded.xpath(fill, namespaces=NS)[0]  # never colour alone: the word comes first
    assert [paragraph_text(p) for p in boxes][:3] == ["Red", "Red", "Red"]


def test_title_language_and_dates(example_docx):
    core = example_docx.part("docProps/core.xml")
    assert core.xpath("dc:title/text()", namespaces=NS) == [  # a draft: nothing is signed off (docs/review.md)
        "DRAFT: Performance Report: Communities, Social Mobility and Inclusion Committee, Quarter 2 2023/24"]
    assert core.xpath("dc:language/text()", namespaces=NS) == ["en-GB"]
    assert core.xpath("dcterms:created/text()", namespaces=NS) == ["2023-12-12T00:00:00Z"]
    assert example_docx.part("word/styles.xml").xpath("//w:docDefaults//w:lang/@w:val", namespaces=NS) == ["en-GB"]
    header = example_docx.part("word/header1.xml")
    assert [paragraph_text(p) for p in header.xpath("//w:p", namespaces=NS)] == [
        "DRAFT: not for publication", "Cambridgeshire County Council Performance Report, Quarter 2 2023/24"]
    footer = example_docx.raw("word/footer1.xml").decode()
    assert " PAGE " in footer and " NUMPAGES " in footer


def test_page_setup_is_the_reference_documents(example_docx):
    size = example_docx.document.xpath("//w:body/w:sectPr/w:pgSz", namespaces=NS)[0]
    assert (size.get(w("w")), size.get(w("h"))) == ("11906", "16838")  # A4 portrait


def test_same_data_same_bytes(example_ws, tmp_path):
    first = build_report(example_ws, "2023-24-Q2", "csmi", DAY, tmp_path / "a.docx").read_bytes()
    second = build_report(example_ws, "2023-24-Q2", "csmi", DAY, tmp_path / "b.docx").read_bytes()
    assert first == second


def test_default_output_and_config_date(example_ws):
    path = build_report(example_ws, "2023-24-Q2", "csmi")
    assert path == example_ws.root / "reports" / "csmi_2023-24-Q2.docx"
    assert "Produced on: 12 December 2023" in Docx(path).texts()  # [report] produced_on of the example


def _without_style(source: Path, target: Path, style_id: str) -> Path:
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/styles.xml":
                data = re.sub(rf'<w:style [^>]*w:styleId="{style_id}".*?</w:style>'.encode(), b"", data)
            out.writestr(info, data)
    return target


def test_a_councils_reference_document_is_used(example_ws):
    shutil.copy(REFERENCE, example_ws.root / "house.docx")
    config = example_ws.root / "kpixl.toml"
    config.write_text(config.read_text().replace('reference_docx = ""', 'reference_docx = "house.docx"'))
    from kpixl.steps.workspace import Workspace

    assert Docx(build_report(Workspace.open(example_ws.root), "2023-24-Q2", "csmi", DAY)).texts()


def test_a_reference_document_without_a_style_is_refused(example_ws, tmp_path):
    reference = _without_style(REFERENCE, example_ws.root / "house.docx", "Caption")
    assert styles_missing(reference) == ["Caption"]
    config = example_ws.root / "kpixl.toml"
    config.write_text(config.read_text().replace('reference_docx = ""', 'reference_docx = "house.docx"'))
    from kpixl.steps.workspace import Workspace

    with pytest.raises(ReportError, match="has no style 'Caption'"):
        build_report(Workspace.open(example_ws.root), "2023-24-Q2", "csmi", DAY)


def test_synthetic_committee_of_50_indicators_with_12_quarters_builds(tmp_path):
    register, figures, quarter = synthetic_committee(50, 12)  # SYNTHETIC data, see support/report.py
    model = build_model(register, register.committees[0], quarter, figures, council="Synthetic Council",
                        team="Synthetic Team", produced_on=date(2024, 1, 15))
    doc = Docx(render(model, REFERENCE, tmp_path / "synthetic.docx"))
    assert len(doc.document.xpath("//w:drawing", namespaces=NS)) == 50
    quarterly = doc.part("word/charts/chart2.xml").xpath("//c:ser[1]/c:cat//c:v/text()", namespaces=NS)
    assert len(quarterly) == 8  # recent periods only
    assert len([n for n in doc.names() if n.startswith("word/charts/chart")]) == 50


def test_text_that_xml_forbids_is_dropped_not_fatal(tmp_path):
    register, figures, quarter = synthetic_committee(1, 2)
    key = next(k for k in figures if k[1] == quarter.slug)
    from dataclasses import replace

    figures[key] = replace(figures[key], commentary="Pasted\x0b from Excel\x01.")
    model = build_model(register, register.committees[0], quarter, figures, council="C", team="T", produced_on=DAY)
    assert "Pasted from Excel." in Docx(render(model, REFERENCE, tmp_path / "x.docx")).texts()


def test_prefixes_are_bound_when_the_reference_root_lacks_them():
    from lxml import etree

    from kpixl.report.render_docx import _declare

    root = etree.fromstring('<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>')
    head = '<?xml version="1.0"?>\n<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    spliced = _declare(head, root) + "<w:body><w:p/></w:body></w:document>"
    assert etree.fromstring(spliced.split("\n", 1)[1]).nsmap["r"].endswith("/relationships")


def test_language_is_en_gb_whatever_the_reference_says(tmp_path):
    reference = tmp_path / "us.docx"
    with zipfile.ZipFile(REFERENCE) as src, zipfile.ZipFile(reference, "w") as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/styles.xml":
                data = re.sub(rb"<w:docDefaults>.*?</w:docDefaults>", b"", data)
            out.writestr(info, data)
    register, figures, quarter = synthetic_committee(1, 2)
    model = build_model(register, register.committees[0], quarter, figures, council="C", team="T", produced_on=DAY)
    styles = Docx(render(model, reference, tmp_path / "x.docx")).part("word/styles.xml")
    assert styles.xpath("w:docDefaults/w:rPrDefault/w:rPr/w:lang/@w:val", namespaces=NS) == ["en-GB"]


def test_build_reports_loads_once_and_writes_what_build_report_writes(example_ws, tmp_path, monkeypatch):
    import kpixl.steps.workspace as register_module  # where the report step finds load_register
    from kpixl.steps.report import build_reports

    one = build_report(example_ws, "2023-24-Q2", "csmi", DAY, tmp_path / "one.docx").read_bytes()
    loads = []
    real = register_module.load_register
    monkeypatch.setattr(register_module, "load_register", lambda path: loads.append(path) or real(path))
    paths = build_reports(example_ws, "2023-24-Q2", ["csmi", "csmi"], produced_on=DAY)
    assert len(loads) == 1  # the register (and the figures) once, however many committees
    assert paths == [example_ws.root / "reports" / "csmi_2023-24-Q2.docx"] * 2
    assert paths[0].read_bytes() == one
    assert build_reports(example_ws, "2023-24-Q2", produced_on=DAY) == paths[:1]  # None: every committee
