"""The report's layout as the seed shows it: cover, key, index, then one page per indicator; issue 17 opens it
with the summary and exceptions section, after the cover (docs/report.md says why there).

Turns a ReportModel into WordprocessingML (wordml.py strings). What needs the package (a relationship for a
web link or a chart part) is asked of a Parts object that render_docx.py provides, so this module stays free
of python-docx and can be read as the layout alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Protocol

from kpixl.domain import Rag
from kpixl.report import wordml as w
from kpixl.report.charts import inline_xml
from kpixl.report.model import (
    DRAFT_LINE,
    NOTHING_OUTSTANDING,
    OUTSTANDING_HEADING,
    SIGNED_OFF_HEADING,
    IndexRow,
    KeyRow,
    LinkItem,
    Page,
    ReportModel,
    Standing,
)
from kpixl.report.summary import EXCEPTION_HEADERS, TRAVEL_HEADERS, ExceptionRow, Summary
from kpixl.report.trend import Trend

__all__ = ["RAG_COLOURS", "STYLES", "Parts", "report_blocks"]

# Every style the report uses, by the name Word shows; the reference document must hold each one.
STYLES = {"Normal": "paragraph", "Title": "paragraph", "Subtitle": "paragraph", "Heading 1": "paragraph",
          "Heading 2": "paragraph", "Table Text": "paragraph", "Caption": "paragraph",
          "Hyperlink": "character", "Performance Table": "table"}
# (fill, text colour): each pair has a contrast of at least 4.5:1, and the word is always printed in the box.
RAG_COLOURS = {
    Rag.RED: ("C00000", "FFFFFF"), Rag.AMBER: ("FFC000", "000000"), Rag.GREEN: ("00B050", "000000"),
    Rag.BLUE: ("0070C0", "FFFFFF"), Rag.BASELINE: ("D9D9D9", "000000"), Rag.CONTEXTUAL: ("D9D9D9", "000000"),
    Rag.IN_DEVELOPMENT: ("E4DFEC", "000000"), Rag.NOT_RATED: ("FFFFFF", "000000"),
}
PAGE_WIDTH = 9638  # twentieths of a point between A4's 2 cm margins
StyleOf = Callable[[str], str]


class Parts(Protocol):
    def style(self, name: str) -> str: ...  # the style's id in the reference document
    def external_link(self, url: str) -> str: ...  # a relationship id
    def chart(self, trend: Trend) -> str: ...  # the relationship id of a new chart part
    def next_id(self) -> int: ...  # unique across bookmarks and drawings


def report_blocks(model: ReportModel, parts: Parts) -> Iterator[str]:
    """The body, block by block, in reading order."""
    s = parts.style
    yield from _cover(model, s)
    if model.standing is not None and model.standing.draft:
        yield from _outstanding(model.standing, s)
    if model.summary_section is not None:
        yield from _summary_section(model.summary_section, parts)
    yield from _key(model.key, s)
    yield from _index(model, parts)
    for page in model.pages:
        yield from _page(page, model.index_bookmark, parts)


def _rag_cell(rag: Rag, style: str) -> w.Cell:
    fill, colour = RAG_COLOURS[rag]
    return w.cell(rag.value, style, fill=fill, colour=colour, bold=True, align="center")


def _cover(model: ReportModel, s: StyleOf) -> Iterator[str]:
    c = model.cover
    yield w.para(w.run(c.produced_on), s("Normal"), align="right")
    if model.draft:  # said first, where every reader starts
        yield w.para(w.run(DRAFT_LINE, bold=True), s("Subtitle"))
    yield w.para(w.run(c.title), s("Title"))
    for line in (c.quarter, c.year, c.committee):
        yield w.para(w.run(line), s("Subtitle"))
    yield w.para(w.run(c.team, bold=True), s("Normal"))
    yield w.para(w.run(c.council, bold=True), s("Normal"))
    if c.notice:  # an incomplete report says so where every reader starts
        yield w.para(w.run(c.notice, bold=True), s("Normal"))
    if model.standing is not None and model.standing.final:
        yield from _approvals(model.standing, s)


def _approvals(standing: Standing, s: StyleOf) -> Iterator[str]:
    """The final paper's cover: who signed off each service's figures, and the director's approval."""
    if standing.signed_off:
        yield w.para(w.run(SIGNED_OFF_HEADING, bold=True), s("Normal"))
        for line in standing.signed_off:
            yield w.para(w.run(line), s("Normal"))
    if standing.approved:
        yield w.para(w.run(standing.approved, bold=True), s("Normal"))


def _outstanding(standing: Standing, s: StyleOf) -> Iterator[str]:
    """A draft's second page: what the final paper waits for, and what the reader should know."""
    yield w.para(w.run(OUTSTANDING_HEADING), s("Heading 1"), page_break=True)
    for line in standing.outstanding or (NOTHING_OUTSTANDING,):
        yield w.para(w.run(line), s("Normal"))


# The exceptions table's columns: indicator, rating, actions, owner, due by, director's comment.
EXCEPTION_WIDTHS = (1950, 1400, 2550, 1250, 1150, PAGE_WIDTH - 8300)


def _summary_section(summary: Summary, parts: Parts) -> Iterator[str]:
    """What needs the committee's attention, before the key and the index (issue 17)."""
    s, text = parts.style, parts.style("Table Text")
    heading = w.bookmark(parts.next_id(), summary.bookmark, w.run(summary.heading))
    yield w.para(heading, s("Heading 1"), page_break=True)
    yield w.para(w.run(summary.overview), s("Normal"))
    yield w.para(w.run("Ratings and change in performance"), s("Heading 2"))
    header = [w.cell(h, text, align="center" if n else "") for n, h in enumerate(TRAVEL_HEADERS)]
    rows = [[_rag_cell(row.rag, text), *(w.cell(str(n), text, align="center") for n in row.counts),
             w.cell(str(row.total), text, bold=True, align="center")] for row in summary.travel]
    counts = len(TRAVEL_HEADERS) - 1
    yield w.table(header, rows, (2400, *_even(PAGE_WIDTH - 2400, counts)), s("Performance Table"),
                  "How many indicators have each rating, by their change in performance")
    yield w.para(w.run("Exceptions"), s("Heading 2"))
    yield w.para(w.run(summary.attention), s("Normal"))
    if summary.exceptions:
        rows = [_exception_row(row, text, s("Hyperlink")) for row in summary.exceptions]
        yield w.table([w.cell(h, text) for h in EXCEPTION_HEADERS], rows, EXCEPTION_WIDTHS, s("Performance Table"),
                      "Exceptions: every Red indicator and every declining Amber one, with its actions, their "
                      "owner and due date, and the director's comment", split_rows=True)
    if summary.forecast:
        yield w.para(w.run("Year-end forecast"), s("Heading 2"))
        yield w.para(w.run(summary.forecast), s("Normal"))


def _exception_row(row: ExceptionRow, text: str, link: str) -> list[w.Cell]:
    fill, colour = RAG_COLOURS[row.rag]
    rating = (w.para(w.run(row.rag.value, bold=True, colour=colour), text)
              + w.para(w.run(row.change, colour=colour), text))
    return [w.Cell(w.para(w.link_to_anchor(row.bookmark, f"{row.number}: {row.title}", link), text)
                   + w.para(w.run(row.figure), text)),
            w.Cell(rating, fill),
            w.Cell("".join(w.para(w.run(paragraph), text) for paragraph in row.actions)),
            w.cell(row.owner, text), w.cell(row.due, text), w.cell(row.comment, text)]


def _key(rows: tuple[KeyRow, ...], s: StyleOf) -> Iterator[str]:
    text = s("Table Text")
    yield w.para(w.run("Key"), s("Heading 1"), page_break=True)
    body = [[_rag_cell(r.rag, text) if r.rag else w.cell(r.item, text, bold=True),
             w.cell(r.explanation, text)] for r in rows]
    header = [w.cell("Data Item", text), w.cell("Explanation", text)]
    yield w.table(header, body, (2600, PAGE_WIDTH - 2600), s("Performance Table"),
                  "Key: what each item of an indicator page means")


def _index(model: ReportModel, parts: Parts) -> Iterator[str]:
    s, text = parts.style, parts.style("Table Text")
    heading = w.bookmark(parts.next_id(), model.index_bookmark, w.run("Index"))
    yield w.para(heading, s("Heading 1"), page_break=True)
    yield w.para(w.run("Summary of ratings"), s("Heading 2"))
    yield w.table([w.cell("Rating", text), w.cell("Indicators", text, align="center")],
                  [[_rag_cell(rag, text), w.cell(str(n), text, align="center")] for rag, n in model.summary],
                  (2400, 1400), s("Performance Table"), "How many indicators have each rating")
    yield w.para(w.run("Indicators"), s("Heading 2"))
    ranked = any(r.quartile for r in model.index)  # the quartile column, once comparators rank an indicator
    header = [w.cell(h, text) for h in ("No.", "Indicator", "RAG Rating", "Direction", "Change")
              + (("Quartile",) if ranked else ())]
    rows = [_index_row(r, text, s("Hyperlink"), ranked) for r in model.index]
    widths = (900, 3338, 1600, 1150, 1250, 1400) if ranked else (900, 4188, 1850, 1250, 1450)
    yield w.table(header, rows, widths, s("Performance Table"),
                  "Index of indicators: each number and title links to the indicator's page")


def _index_row(r: IndexRow, text: str, link: str, ranked: bool = False) -> list[w.Cell]:
    quartile = [w.cell(r.quartile or "Not ranked", text)] if ranked else []
    return [w.Cell(w.para(w.link_to_anchor(r.bookmark, r.number, link), text)),
            w.Cell(w.para(w.link_to_anchor(r.bookmark, r.title, link), text)),
            _rag_cell(r.rag, text), w.cell(r.direction, text, align="center"), w.cell(r.change, text), *quartile]


def _even(total: int, count: int) -> tuple[int, ...]:
    return tuple(total // count for _ in range(count))


def _page(page: Page, index_bookmark: str, parts: Parts) -> Iterator[str]:
    s, text = parts.style, parts.style("Table Text")
    heading = w.bookmark(parts.next_id(), page.bookmark, w.run(page.heading))
    yield w.para(heading, s("Heading 1"), page_break=True)
    yield w.para(w.link_to_anchor(index_bookmark, "Return to Index", s("Hyperlink")), s("Normal"))
    yield w.para(w.run(page.month), s("Normal"))
    yield w.table([w.cell(h, text, align="center") for h in page.headers],
                  [[w.cell(c, text, align="center") for c in page.cells]],
                  _even(PAGE_WIDTH, len(page.headers)),
                  s("Performance Table"), f"Headline figures of indicator {page.number}")
    if page.comparators:
        yield w.para("", s("Table Text"))  # Word joins two tables that touch: keep them apart
        yield w.table([w.cell(label, text) for label, _ in page.comparators],
                      [[w.cell(value, text) for _, value in page.comparators]],
                      _even(PAGE_WIDTH // 2 * len(page.comparators), len(page.comparators)),
                      s("Performance Table"), f"Comparators of indicator {page.number}")
    yield from _benchmark(page, parts)
    yield w.para(w.run("RAG Rating"), s("Heading 2"))
    fill, colour = RAG_COLOURS[page.rag]
    yield w.box(page.rag.value, text, fill=fill, colour=colour, width=2400, page_width=PAGE_WIDTH)
    if page.rag_note:
        yield w.para(w.run(page.rag_note), s("Normal"))
    yield _chart(page.trend, parts)
    if page.forecast:  # its own section, after the actual figures and their chart: never mixed with them
        yield from _section("Year-end forecast", tuple(t for t in (page.forecast, page.forecast_rating) if t), "", s)
    yield from _section("Indicator Description", page.description, "", s)
    yield from _section("Commentary", page.commentary, "No commentary was given.", s, page.caveat)
    yield from _section("Actions", page.actions, "No actions were reported.", s)
    yield from _links(page.links, page.links_note, parts)


def _benchmark(page: Page, parts: Parts) -> Iterator[str]:
    """The council's published figure against its group's mean and England's, and its rank (issue 17)."""
    s, text = parts.style, parts.style("Table Text")
    if page.benchmark_values:
        yield w.para("", text)  # Word joins two tables that touch: keep them apart
        yield w.table([w.cell(label, text) for label, _ in page.benchmark_values],
                      [[w.cell(value, text) for _, value in page.benchmark_values]],
                      _even(PAGE_WIDTH, len(page.benchmark_values)), s("Performance Table"),
                      f"Published comparators of indicator {page.number}")
    if page.benchmark_line:
        yield w.para(w.run(page.benchmark_line), s("Normal"))


def _chart(trend: Trend | None, parts: Parts) -> str:
    if trend is None:
        return w.para(w.run("There are no figures to chart yet."), parts.style("Normal"))
    shape = parts.next_id()
    drawing = inline_xml(parts.chart(trend), shape, f"Trend chart {shape}", trend.alt_text)
    # The trend in words is also printed: LibreOffice drops a chart's alt text when it converts to PDF.
    return (w.para(f"<w:r>{drawing}</w:r>", parts.style("Normal"), keep_next=True)
            + w.para(w.run(f"Trend: {trend.summary}"), parts.style("Caption")))


def _section(title: str, paragraphs: tuple[str, ...], empty: str, s: StyleOf,
             caveat: str = "") -> Iterator[str]:
    yield w.para(w.run(title), s("Heading 2"))
    if caveat:
        yield w.para(w.run(caveat, bold=True), s("Normal"))
    for text in paragraphs or ((empty,) if empty else ()):
        yield w.para(w.run(text), s("Normal"))


def _links(links: tuple[LinkItem, ...], note: str, parts: Parts) -> Iterator[str]:
    s = parts.style
    yield w.para(w.run("Useful Links"), s("Heading 2"))
    for link in links:
        if link.url:
            rid = parts.external_link(link.url)
            yield w.para(w.link_to_rid(rid, link.label, s("Hyperlink")), s("Normal"))
        else:
            yield w.para(w.run(link.text), s("Normal"))
    if note:
        yield w.para(w.run(note), s("Normal"))
    if not links and not note:
        yield w.para(w.run("No links."), s("Normal"))
