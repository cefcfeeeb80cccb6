"""The report's HTML edition: one self-contained, accessible page with the Word report's content, for a
council's website (GOV.UK prefers HTML to PDF). See docs/report.md, "HTML edition".

What makes it accessible, and the tests that hold it (tests/test_report_html.py, axe-core in Chromium):
the language and title set; a skip link to the main content; real headings (h1 the report, h2 each part and
indicator, h3 each section); every table with a caption and header cells with scope; each chart an inline
SVG named by its alt text, followed by the trend in words and a table of its figures; RAG ratings in words
(the colour only repeats them); text colours of at least 4.5:1; no horizontal scroll at 320 CSS pixels
(WCAG 1.4.10: tables wrap their words; the widest one scrolls in a labelled, focusable region of its own);
print styles (each indicator on a new page, web addresses printed after their links).

Built from the same ReportModel as the Word report (model.py decides every word), with the standard
library's html.escape; no script, no web font, nothing fetched.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from html import escape
from pathlib import Path

from kpixl.domain import format_value
from kpixl.errors import OutputError
from kpixl.files import write_atomic
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
from kpixl.report.pages import RAG_COLOURS
from kpixl.report.summary import EXCEPTION_HEADERS, TRAVEL_HEADERS, ExceptionRow, Summary
from kpixl.report.svg import chart_svg
from kpixl.report.trend import Trend

__all__ = ["STYLE", "html_page", "render_html"]

MAIN = "main"
EXCEPTION_COLUMNS = (20, 15, 27, 13, 11, 14)  # per cent of the exceptions table's width

STYLE = """
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; font-family: Arial, Helvetica, sans-serif; font-size: 1rem; line-height: 1.5; color: #0b0c0c;
       background: #ffffff; }
.skip { position: absolute; left: -9999px; top: 0; padding: 0.5rem 1rem; background: #ffdd00; color: #0b0c0c; }
.skip:focus { left: 0; z-index: 1; }
main { display: block; max-width: 60rem; margin: 0 auto; padding: 1rem; }
h1, h2, h3 { line-height: 1.25; color: #1f3864; overflow-wrap: anywhere; }
h1 { font-size: 2rem; margin: 0.5rem 0 1rem; }
h2 { font-size: 1.5rem; margin: 2.5rem 0 0.75rem; padding-top: 1rem; border-top: 2px solid #1f3864; }
h3 { font-size: 1.15rem; margin: 1.5rem 0 0.5rem; }
p, li { max-width: 42rem; overflow-wrap: anywhere; }
a { color: #1d5ea8; }
a:focus { outline: 3px solid #ffdd00; background: #ffdd00; color: #0b0c0c; }
.cover p { margin: 0.25rem 0; font-size: 1.15rem; }
.produced { color: #333333; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; width: 100%; }
caption { text-align: left; font-weight: bold; padding: 0.25rem 0; }
th, td { border: 1px solid #808080; padding: 0.35rem 0.5rem; text-align: left; vertical-align: top;
         overflow-wrap: anywhere; }
thead th, th[scope="col"] { background: #dae3f3; }
tbody th[scope="row"] { background: #f2f2f2; font-weight: bold; }
.figures { max-width: 30rem; }
.number { text-align: right; font-variant-numeric: tabular-nums; }
.scroll { overflow-x: auto; max-width: 100%; }
.scroll:focus { outline: 3px solid #ffdd00; }
.rag { display: inline-block; min-width: 9rem; padding: 0.35rem 1rem; border: 1px solid #808080;
       font-weight: bold; text-align: center; }
.return { margin: 0.25rem 0; }
figure { margin: 1rem 0; }
svg.chart { display: block; width: 100%; max-width: 42rem; height: auto; }
figcaption { font-size: 0.95rem; color: #333333; margin: 0.5rem 0; max-width: 42rem; }
.caveat { font-weight: bold; }
table.exceptions { table-layout: fixed; }
table.exceptions th, table.exceptions td { overflow-wrap: break-word; }
table.exceptions .rag { display: block; min-width: 0; padding: 0.35rem 0.25rem; }
table.exceptions p { margin: 0 0 0.5rem; }
.draft { display: inline-block; padding: 0.25rem 0.75rem; border: 2px solid #0b0c0c; font-weight: bold; }
@media (max-width: 40rem) {
  body { font-size: 0.95rem; }
  main { padding: 0.5rem; }
  h1 { font-size: 1.6rem; }
  h2 { font-size: 1.3rem; }
  th, td { padding: 0.25rem 0.3rem; }
  /* At 320 pixels the summary's tables fit the width, as the index does: the ratings' labels give up their
     width to the counts, and words wrap (within a word only where they must). */
  table.travel .rag { display: block; min-width: 0; padding: 0.35rem 0.25rem; }
}
@media print {
  .skip, .return { display: none; }
  body { font-size: 11pt; color: #000000; }
  main { max-width: none; padding: 0; }
  h2 { break-before: page; border-top: none; padding-top: 0; }
  table, figure, .rag { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  .scroll { overflow: visible; }
  a { color: #000000; }
  a[href^="http"]::after, a[href^="mailto:"]::after { content: " (" attr(href) ")"; font-size: 0.9em; }
}
"""


def _text(value: str) -> str:
    return escape(value, quote=True)


def _paragraphs(texts: Sequence[str], css: str = "") -> Iterator[str]:
    attribute = f' class="{css}"' if css else ""
    for text in texts:
        yield f"<p{attribute}>{_text(text)}</p>"


def _rag(word: str, fill: str, colour: str) -> str:
    return f'<span class="rag" style="background:#{fill};color:#{colour}">{_text(word)}</span>'


def _rag_of(rag_word: str) -> str:
    rag = next(r for r in RAG_COLOURS if r.value == rag_word)
    fill, colour = RAG_COLOURS[rag]
    return _rag(rag.value, fill, colour)


def _cover(model: ReportModel) -> Iterator[str]:
    c = model.cover
    yield '<div class="cover">'
    if model.draft:
        yield f'<p class="draft">{_text(DRAFT_LINE)}</p>'
    yield f"<h1>{_text(c.title)}</h1>"
    for line in (c.quarter, c.year, c.committee, c.team, c.council):
        yield f"<p>{_text(line)}</p>"
    yield f'<p class="produced">{_text(c.produced_on)}</p>'
    if c.notice:  # an incomplete report says so, as the Word cover does
        yield f"<p><strong>{_text(c.notice)}</strong></p>"
    if model.standing is not None and model.standing.final:
        yield from _approvals(model.standing)
    yield "</div>"


def _approvals(standing: Standing) -> Iterator[str]:
    if standing.signed_off:
        yield f"<p><strong>{_text(SIGNED_OFF_HEADING)}</strong></p>"
        yield "<ul>" + "".join(f"<li>{_text(line)}</li>" for line in standing.signed_off) + "</ul>"
    if standing.approved:
        yield f"<p><strong>{_text(standing.approved)}</strong></p>"


def _outstanding(standing: Standing) -> Iterator[str]:
    yield f'<h2 id="outstanding">{_text(OUTSTANDING_HEADING)}</h2>'
    if not standing.outstanding:
        yield f"<p>{_text(NOTHING_OUTSTANDING)}</p>"
        return
    yield "<ul>" + "".join(f"<li>{_text(line)}</li>" for line in standing.outstanding) + "</ul>"


def _key(rows: tuple[KeyRow, ...]) -> Iterator[str]:
    yield '<h2 id="key">Key</h2>'
    yield '<table><caption>What each item of an indicator page means</caption>'
    yield '<thead><tr><th scope="col">Data Item</th><th scope="col">Explanation</th></tr></thead><tbody>'
    for row in rows:
        item = _rag_of(row.rag.value) if row.rag else _text(row.item)
        yield f'<tr><th scope="row">{item}</th><td>{_text(row.explanation)}</td></tr>'
    yield "</tbody></table>"


def _summary_section(summary: Summary) -> Iterator[str]:
    """What needs the committee's attention, after the cover, as in the Word report (issue 17)."""
    yield f'<h2 id="{_text(summary.bookmark)}">{_text(summary.heading)}</h2>'
    yield f"<p>{_text(summary.overview)}</p>"
    yield "<h3>Ratings and change in performance</h3>"
    yield '<div class="scroll" role="region" aria-labelledby="travel-caption" tabindex="0">'
    yield ('<table class="travel"><caption id="travel-caption">How many indicators have each rating, by their '
           "change in performance</caption>")
    yield ('<thead><tr><th scope="col">' + _text(TRAVEL_HEADERS[0]) + "</th>"
           + "".join(f'<th scope="col" class="number">{_text(h)}</th>' for h in TRAVEL_HEADERS[1:])
           + "</tr></thead><tbody>")
    for row in summary.travel:
        cells = "".join(f'<td class="number">{n}</td>' for n in (*row.counts, row.total))
        yield f'<tr><th scope="row">{_rag_of(row.rag.value)}</th>{cells}</tr>'
    yield "</tbody></table></div>"
    yield "<h3>Exceptions</h3>"
    yield f"<p>{_text(summary.attention)}</p>"
    if summary.exceptions:
        yield '<div class="scroll" role="region" aria-labelledby="exceptions-caption" tabindex="0">'
        yield ('<table class="exceptions"><caption id="exceptions-caption">Exceptions: every Red indicator and '
               "every declining Amber one, with its actions, their owner and due date, and the director's comment"
               "</caption>")
        # Widths as the Word table's (pages.EXCEPTION_WIDTHS): the actions get the most room.
        yield "<colgroup>" + "".join(f'<col style="width:{w}%">' for w in EXCEPTION_COLUMNS) + "</colgroup>"
        yield ("<thead><tr>" + "".join(f'<th scope="col">{_text(h)}</th>' for h in EXCEPTION_HEADERS)
               + "</tr></thead><tbody>")
        for exception in summary.exceptions:
            yield _exception_row(exception)
        yield "</tbody></table></div>"
    if summary.forecast:
        yield "<h3>Year-end forecast</h3>"
        yield f"<p>{_text(summary.forecast)}</p>"


def _exception_row(row: ExceptionRow) -> str:
    actions = "".join(f"<p>{_text(text)}</p>" for text in row.actions)
    return (f'<tr><th scope="row"><a href="#{_text(row.bookmark)}">{_text(row.number)}: {_text(row.title)}</a>'
            f'<br>{_text(row.figure)}</th><td>{_rag_of(row.rag.value)}<br>{_text(row.change)}</td>'
            f"<td>{actions}</td><td>{_text(row.owner)}</td><td>{_text(row.due)}</td><td>{_text(row.comment)}</td></tr>")


def _index(model: ReportModel) -> Iterator[str]:
    yield f'<h2 id="{_text(model.index_bookmark)}">Index</h2>'
    yield "<h3>Summary of ratings</h3>"
    yield '<table class="figures"><caption>How many indicators have each rating</caption>'
    yield '<thead><tr><th scope="col">Rating</th><th scope="col" class="number">Indicators</th></tr></thead><tbody>'
    for rag, count in model.summary:
        yield f'<tr><th scope="row">{_rag_of(rag.value)}</th><td class="number">{count}</td></tr>'
    yield "</tbody></table>"
    yield "<h3>Indicators</h3>"
    # The widest table: at 320 pixels it may scroll sideways in its own region, never the page.
    yield '<div class="scroll" role="region" aria-labelledby="index-caption" tabindex="0">'
    yield ('<table><caption id="index-caption">Index of indicators: each title links to the indicator\'s '
           "page</caption>")
    ranked = any(row.quartile for row in model.index)  # the quartile column, once comparators rank one
    yield ('<thead><tr><th scope="col">No.</th><th scope="col">Indicator</th><th scope="col">RAG Rating</th>'
           '<th scope="col">Direction</th><th scope="col">Change</th>'
           + ('<th scope="col">Quartile</th>' if ranked else "") + "</tr></thead><tbody>")
    for row in model.index:
        yield _index_row(row, ranked)
    yield "</tbody></table></div>"


def _index_row(row: IndexRow, ranked: bool = False) -> str:
    quartile = f"<td>{_text(row.quartile or 'Not ranked')}</td>" if ranked else ""
    return (f'<tr><th scope="row">{_text(row.number)}</th>'
            f'<td><a href="#{_text(row.bookmark)}">{_text(row.title)}</a></td>'
            f"<td>{_rag_of(row.rag.value)}</td><td>{_text(row.direction)}</td><td>{_text(row.change)}</td>"
            f"{quartile}</tr>")


def _pairs(caption: str, pairs: Sequence[tuple[str, str]]) -> Iterator[str]:
    """A table of headings and values, one pair a row: it reads the same at any width."""
    yield f'<table class="figures"><caption>{_text(caption)}</caption><tbody>'
    for heading, value in pairs:
        yield f'<tr><th scope="row">{_text(heading)}</th><td>{_text(value)}</td></tr>'
    yield "</tbody></table>"


def _chart(trend: Trend | None, page: Page) -> Iterator[str]:
    if trend is None:
        yield "<p>There are no figures to chart yet.</p>"
        return
    yield "<figure>"
    yield chart_svg(trend, f"chart-{page.bookmark}")
    yield f"<figcaption>Trend: {_text(trend.summary)}</figcaption>"
    yield f'<table class="figures"><caption>Figures charted for indicator {_text(page.number)}</caption>'
    columns = ([trend.value_name] + ([trend.target_name] if trend.has_target else [])
               + ([trend.group_name] if trend.has_group else []))
    yield ('<thead><tr><th scope="col">Period</th>'
           + "".join(f'<th scope="col" class="number">{_text(c)}</th>' for c in columns) + "</tr></thead><tbody>")
    for point in trend.points:
        values = ([point.value] + ([point.target] if trend.has_target else [])
                  + ([point.group] if trend.has_group else []))
        cells = "".join(f'<td class="number">{_text(_value(trend, v))}</td>' for v in values)
        provisional = " (provisional)" if point.provisional else ""
        yield f'<tr><th scope="row">{_text(point.label + provisional)}</th>{cells}</tr>'
    yield "</tbody></table></figure>"


def _value(trend: Trend, value: Decimal | None) -> str:
    return "No figure" if value is None else format_value(value, trend.unit, trend.decimals)


def _section(title: str, paragraphs: tuple[str, ...], empty: str, caveat: str = "") -> Iterator[str]:
    yield f"<h3>{_text(title)}</h3>"
    if caveat:
        yield from _paragraphs([caveat], "caveat")
    yield from _paragraphs(paragraphs or ((empty,) if empty else ()))


def _links(links: tuple[LinkItem, ...], note: str) -> Iterator[str]:
    yield "<h3>Useful Links</h3>"
    if links:
        yield "<ul>"
        for link in links:
            shown = (f'<a href="{_text(link.url)}">{_text(link.label)}</a>' if link.url else _text(link.text))
            yield f"<li>{shown}</li>"
        yield "</ul>"
    if note:
        yield f"<p>{_text(note)}</p>"
    if not links and not note:
        yield "<p>No links.</p>"


def _page(page: Page, index: str) -> Iterator[str]:
    yield f'<section aria-labelledby="{_text(page.bookmark)}">'
    yield f'<h2 id="{_text(page.bookmark)}">{_text(page.heading)}</h2>'
    yield f'<p class="return"><a href="#{_text(index)}">Return to Index</a></p>'
    yield f"<p>{_text(page.month)}</p>"
    yield from _pairs(f"Headline figures of indicator {page.number}", list(zip(page.headers, page.cells)))
    if page.comparators:
        yield from _pairs(f"Comparators of indicator {page.number}", page.comparators)
    if page.benchmark_values:
        yield from _pairs(f"Published comparators of indicator {page.number}", page.benchmark_values)
    if page.benchmark_line:
        yield f"<p>{_text(page.benchmark_line)}</p>"
    yield "<h3>RAG Rating</h3>"
    yield f"<p>{_rag_of(page.rag.value)}</p>"
    if page.rag_note:
        yield f"<p>{_text(page.rag_note)}</p>"
    yield from _chart(page.trend, page)
    if page.forecast:  # its own section, after the actual figures and their chart: never mixed with them
        yield from _section("Year-end forecast", tuple(t for t in (page.forecast, page.forecast_rating) if t), "")
    yield from _section("Indicator Description", page.description, "")
    yield from _section("Commentary", page.commentary, "No commentary was given.", page.caveat)
    yield from _section("Actions", page.actions, "No actions were reported.")
    yield from _links(page.links, page.links_note)
    yield "</section>"


def html_page(model: ReportModel) -> str:
    """The whole page as text."""
    body = [*_cover(model)]
    if model.standing is not None and model.standing.draft:
        body += _outstanding(model.standing)
    if model.summary_section is not None:
        body += _summary_section(model.summary_section)
    body += [*_key(model.key), *_index(model)]
    for page in model.pages:
        body += _page(page, model.index_bookmark)
    return (f'<!DOCTYPE html>\n<html lang="{_text(model.language)}">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_text(model.title)}</title>\n"
            f'<meta name="author" content="{_text(f"{model.team}, {model.council}")}">\n'
            f'<meta name="description" content="{_text(model.subject)}">\n'
            f"<style>{STYLE}</style>\n</head>\n<body>\n"
            f'<a class="skip" href="#{MAIN}">Skip to main content</a>\n'
            f'<main id="{MAIN}">\n' + "\n".join(body) + "\n</main>\n</body>\n</html>\n")


def render_html(model: ReportModel, out: Path) -> Path:
    """Write the HTML edition to out (atomically) and return its path."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"Cannot write the HTML edition to {out}: {exc.strerror}. Choose another file with "
                          "--out.") from None
    write_atomic(out, html_page(model).encode("utf-8"))
    return out
