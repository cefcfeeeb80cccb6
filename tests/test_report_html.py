"""The report's HTML edition: the Word report's content as one self-contained page, accessible as axe-core
finds it in a real browser (Debian's chromium, headless), with no sideways scrolling at 320 CSS pixels.
See docs/report.md, "HTML edition". The browser tests skip without chromium or axe-core, except in CI."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path

import pytest
from conftest import require_tool
from support.browser import AXE_VERSION, Chromium, require_axe
from support.report import Docx, synthetic_committee
from typer.testing import CliRunner

from kpixl.cli import app
from kpixl.report.html import html_page, render_html
from kpixl.report.model import ReportModel, build_model
from kpixl.report.render_docx import render
from kpixl.steps.report import prepare_report
from kpixl.steps.workspace import Workspace, bundled_path

DAY = date(2023, 12, 12)
REFERENCE = bundled_path("workbook_templates") / "reference.docx"


class _Outline(HTMLParser):
    """What the tests read of a page: its elements with their attributes, headings, tables and text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.headings: list[tuple[str, str]] = []
        self.text: list[str] = []
        self._heading: str | None = None
        self._words: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))
        if re.fullmatch(r"h[1-6]", tag):
            self._heading, self._words = tag, []

    def handle_endtag(self, tag: str) -> None:
        if tag == self._heading:
            self.headings.append((tag, "".join(self._words)))
            self._heading = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._heading:
            self._words.append(data)

    def of(self, tag: str) -> list[dict[str, str]]:
        return [attrs for name, attrs in self.elements if name == tag]

    @property
    def words(self) -> str:
        return " ".join(" ".join(self.text).split())


def _outline(text: str) -> _Outline:
    parser = _Outline()
    parser.feed(text)
    return parser


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> tuple[ReportModel, Path, Path]:
    """The seed example's model, its .docx and its HTML edition."""
    from kpixl.steps.create import init_workspace

    ws = init_workspace(tmp_path_factory.mktemp("html") / "ws", "cambridgeshire")
    model = prepare_report(ws, "2023-24-Q2", "csmi", DAY).model
    folder = ws.root / "reports"
    return model, render(model, REFERENCE, folder / "csmi.docx"), render_html(model, folder / "csmi.html")


@pytest.fixture(scope="module")
def synthetic_html(tmp_path_factory) -> Path:
    """A SYNTHETIC committee of every kind, unit, direction and frequency, with text a lead might paste."""
    register, figures, quarter = synthetic_committee(12, 12)
    key = next(k for k in figures if k[1] == quarter.slug)
    figures[key] = replace(figures[key], commentary="Up <b>3%</b> & \"rising\" <script>alert(1)</script>")
    model = build_model(register, register.committees[0], quarter, figures, council="Synthetic Council",
                        team="Synthetic Team", produced_on=date(2024, 1, 15))
    return render_html(model, tmp_path_factory.mktemp("synthetic") / "synthetic.html")


def test_the_page_says_its_language_and_title_and_skips_to_its_main_content(example):
    html = example[2]
    page = _outline(html.read_text(encoding="utf-8"))
    assert page.of("html") == [{"lang": "en-GB"}]
    # A draft (nothing is signed off): its title says so, as the Word report's does (docs/review.md).
    assert "<title>DRAFT: Performance Report: Communities, Social Mobility and Inclusion Committee, Quarter 2 " \
           "2023/24</title>" in html.read_text(encoding="utf-8")
    first_link = page.of("a")[0]
    assert first_link == {"class": "skip", "href": "#main"} and page.of("main") == [{"id": "main"}]


def test_headings_run_report_then_parts_and_indicators_then_sections(example):
    model, _, html = example
    headings = _outline(html.read_text(encoding="utf-8")).headings
    assert headings[:10] == [("h1", "Performance Report"), ("h2", "Draft: what is outstanding"),
                             ("h2", "Summary and exceptions"), ("h3", "Ratings and change in performance"),
                             ("h3", "Exceptions"), ("h3", "Year-end forecast"), ("h2", "Key"), ("h2", "Index"),
                             ("h3", "Summary of ratings"), ("h3", "Indicators")]
    pages = [text for level, text in headings if level == "h2"][4:]
    assert pages == [p.heading for p in model.pages]
    levels = [int(level[1]) for level, _ in headings]
    assert all(b - a <= 1 for a, b in pairwise(levels))  # no level skipped
    assert model.pages[1].forecast  # 37: a year to date, so a forecast, in its own section after the chart
    assert headings[headings.index(("h2", model.pages[1].heading)) + 1:][:6] == [
        ("h3", "RAG Rating"), ("h3", "Year-end forecast"), ("h3", "Indicator Description"), ("h3", "Commentary"),
        ("h3", "Actions"), ("h3", "Useful Links")]


def test_every_table_has_a_caption_and_header_cells_with_scope(example):
    text = example[2].read_text(encoding="utf-8")
    tables = re.findall(r"<table.*?</table>", text, flags=re.DOTALL)
    # the summary's two (ratings by change, exceptions), key, the index's two; each page's headline figures
    # and charted figures
    assert len(tables) == 5 + 19 * 2
    for table in tables:
        assert "<caption" in table and '<th scope="' in table
        assert all(re.search(r'scope="(col|row)"', th) for th in re.findall(r"<th(?:\s[^>]*)?>", table))


def test_each_chart_is_an_svg_named_by_its_alt_text_with_its_words_and_figures(example):
    model, _, html = example
    text = html.read_text(encoding="utf-8")
    svgs = re.findall(r"<svg.*?</svg>", text, flags=re.DOTALL)
    trends = [p.trend for p in model.pages if p.trend]
    assert len(svgs) == len(trends) == 19
    for svg, trend in zip(svgs, trends):
        ident = re.search(r'aria-labelledby="([^"]+)"', svg)
        assert ident and 'role="img"' in svg
        assert re.search(rf'<title id="{ident.group(1)}">([^<]*)</title>', svg).group(1) == \
            trend.alt_text.replace("&", "&amp;").replace('"', "&quot;").replace("'", "&#x27;")
    assert "Figures charted for indicator 37" in text and "Trend: 351,220 in 2023/24 Q1" in text


def test_the_same_content_as_the_word_report(example):
    _, docx, html = example
    words = _outline(html.read_text(encoding="utf-8")).words
    texts = [" ".join(t.split()) for t in Docx(docx).texts()]
    missing = [t for t in texts if t and t not in words]
    assert missing == []


def test_ratings_are_words_and_the_page_is_self_contained(example):
    text = example[2].read_text(encoding="utf-8")
    # the key, the summary's ratings and its 6 Red exceptions, the index's summary and rows, the pages
    assert re.findall(r'<span class="rag"[^>]*>([^<]*)</span>', text).count("Red") == 1 + 1 + 6 + 1 + 6 + 6
    assert not re.search(r"<script|<link|<img|<iframe|@import|url\(", text)
    hrefs = set(re.findall(r'href="([^"#][^"]*)"', text))
    assert hrefs == {"https://lginform.local.gov.uk/",
                     "https://www.judiciary.uk/courts-and-tribunals/coroners-courts/annual-reports/"}
    assert "@media print" in text and "break-before: page" in text


def test_text_a_lead_typed_is_escaped(synthetic_html):
    text = synthetic_html.read_text(encoding="utf-8")
    assert "Up &lt;b&gt;3%&lt;/b&gt; &amp; &quot;rising&quot; &lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<script" not in text


def test_the_same_model_gives_the_same_page(example):
    model, _, html = example
    assert html_page(model) == html.read_text(encoding="utf-8")


def test_kpixl_report_html_writes_the_page_beside_the_docx(example_ws: Workspace):
    result = CliRunner().invoke(app, ["report", "2023-24-Q2", "--committee", "csmi", "--html", "--workspace",
                                      str(example_ws.root)])
    assert result.exit_code == 0, result.output
    page = example_ws.root / "reports" / "csmi_2023-24-Q2.html"
    assert f"Wrote {page}." in result.output
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.fixture(scope="module")
def browser():
    executable = require_tool("chromium")
    require_axe()
    with Chromium(executable) as chromium:
        yield chromium


@pytest.fixture(scope="module")
def ranked_html(tmp_path_factory) -> Path:
    """The seed example with SYNTHETIC comparators imported (the index's quartile column, the pages' published
    values and rank, 220's chart with its group's mean) and a director's comment in its exceptions table."""
    from support.insight import TIDY_CSV, write

    from kpixl.steps.comparators import import_comparators
    from kpixl.steps.create import init_workspace

    folder = tmp_path_factory.mktemp("ranked")
    ws = init_workspace(folder / "ws", "cambridgeshire")
    config = ws.root / "kpixl.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[director_comments."2023-24-Q2"]\n"37" = "Noted."\n',
                      encoding="utf-8")
    ws = Workspace.open(ws.root)
    for path in (ws.root / "comparators-synthetic.csv", write(folder, "tidy.csv", TIDY_CSV)):
        assert import_comparators(ws, path).report.valid
    model = prepare_report(ws, "2023-24-Q2", "csmi", DAY).model
    assert any(row.quartile for row in model.index) and any(p.trend and p.trend.has_group for p in model.pages)
    return render_html(model, folder / "ranked.html")


@pytest.mark.parametrize("which", ["example", "synthetic", "ranked"])
def test_axe_core_finds_no_violation_and_nothing_scrolls_sideways_at_320_pixels(which, request, browser):
    html = request.getfixturevalue("example")[2] if which == "example" else request.getfixturevalue(f"{which}_html")
    page = browser.page()
    try:
        page.set_width(1280)
        page.open(html)
        assert page.axe() == []
        for width in (320, 1280):
            page.set_width(width)
            assert (width, page.overflow(), page.widest()) == (width, 0, [])
    finally:
        page.close()


def test_ci_installs_the_axe_core_the_tests_expect():
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert f'axe_version="{AXE_VERSION}"' in ci and "chromium" in ci and "fonts-liberation" in ci
