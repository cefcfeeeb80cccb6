"""What the committee report says, as plain values: no file, no python-docx, no layout.

build_model() turns the register, the figures and the council's settings into a ReportModel: the cover, the
key, the index with its summary counts, and one page per indicator. Every word and figure the report prints
is decided here, so the renderer only places text, and tests can read the report without opening Word.
See docs/report.md.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from kpixl.domain import (
    Committee,
    Comparison,
    Figure,
    FigureStatus,
    Headline,
    Indicator,
    Quarter,
    Rag,
    Register,
    Tolerances,
    assess,
    format_value,
    report_month,
)
from kpixl.domain.comparators import Benchmark
from kpixl.domain.exception_report import ExceptionItem, exception_list
from kpixl.domain.indicators import is_safe_url
from kpixl.domain.outlook import Forecast, count_forecast_to_meet
from kpixl.problems import count
from kpixl.report.axis import AxisRule
from kpixl.report.insight import page_insight
from kpixl.report.summary import Summary, build_summary
from kpixl.report.trend import Trend, build_trend
from kpixl.report.wording import KeyRow, key_rows, long_date, paragraphs

__all__ = [
    "SUMMARY_ORDER",
    "Cover",
    "IndexRow",
    "KeyRow",
    "LinkItem",
    "Outstanding",
    "Page",
    "ReportModel",
    "Standing",
    "bookmark_name",
    "build_model",
    "by_service",
    "incomplete_notice",
    "long_date",
    "paragraphs",
]

# The index's summary, in the key's order; "Not rated" is added only when some indicator is not rated.
SUMMARY_ORDER = (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.BLUE, Rag.BASELINE, Rag.CONTEXTUAL, Rag.IN_DEVELOPMENT)
INDEX_BOOKMARK = "kpixl_index"
MAX_TREND_PERIODS = 8


@dataclass(frozen=True)
class Cover:
    produced_on: str  # "Produced on: 12 December 2023"
    title: str  # "Performance Report"
    quarter: str  # "Quarter 2"
    year: str  # "2023/24 financial year"
    committee: str
    team: str
    council: str
    notice: str = ""  # which figures are not yet received, when any is not: the report is incomplete


@dataclass(frozen=True)
class Outstanding:
    """An indicator of the report whose figure for the period it shows has not been received."""

    indicator: str
    service: str  # the service's name, as the register gives it
    period: str  # as people read it: "2023/24 Q2", "September 2023"


@dataclass(frozen=True)
class Standing:
    """Whether the paper is a draft or the committee's final paper, and what it says of that (docs/review.md):
    a draft lists what is outstanding; the final paper's cover records the sign-offs and the approval."""

    final: bool = False
    outstanding: tuple[str, ...] = ()  # a draft's list: what the final paper waits for, then notes
    signed_off: tuple[str, ...] = ()  # "Library Service: Jane Smith, Head of Libraries, 20 November 2023"
    approved: str = ""  # "Approved by Sue Grant, Executive Director, on 4 December 2023"

    @property
    def draft(self) -> bool:
        return not self.final


DRAFT_MARK = "DRAFT"
DRAFT_LINE = "DRAFT: not for publication"
OUTSTANDING_HEADING = "Draft: what is outstanding"
NOTHING_OUTSTANDING = "Nothing is outstanding: the final paper can be built (kpixl report --final)."
SIGNED_OFF_HEADING = "Figures signed off by the heads of service"


@dataclass(frozen=True)
class IndexRow:
    number: str
    title: str
    bookmark: str
    rag: Rag
    direction: str
    change: str
    quartile: str = ""  # "first quartile" among the comparison group, where published values rank it


@dataclass(frozen=True)
class LinkItem:
    label: str
    url: str | None  # None: not a web or mail address, printed as text and never made a link
    text: str  # what the page prints when url is None


@dataclass(frozen=True)
class Page:
    number: str
    heading: str  # "Indicator 37: Number of visits made to library sites reported quarterly"
    bookmark: str
    month: str  # "December 2023"
    headers: tuple[str, ...]  # the headline table's column headings
    cells: tuple[str, ...]  # its figures, one per heading
    comparators: tuple[tuple[str, str], ...]  # ("Statistical Neighbours Mean", "54%") where known
    rag: Rag
    rag_note: str  # why there is no rating, when there is none
    trend: Trend | None
    description: tuple[str, ...]
    caveat: str  # "Provisional figure: ..." or "Figure not available: ..."; empty for a validated figure
    commentary: tuple[str, ...]
    actions: tuple[str, ...]
    links: tuple[LinkItem, ...]
    links_note: str
    # Issue 17 (docs/insight.md): where the council stands among its group ("4th of 16 statistical
    # neighbours, first quartile", or why it is not ranked), the published values it is ranked on, the
    # council's first (("Cambridgeshire, 2022/23", "55%"), ("Statistical neighbours mean, 2022/23", "54%"),
    # ...), and the year-end forecast, every word of which says it is a forecast ("Forecast year-end: 1,216
    # (run rate from 608 in 6 months)").
    benchmark: str = ""
    benchmark_values: tuple[tuple[str, str], ...] = ()
    forecast: str = ""
    # How the page prints them (the second part): "Rank: 3rd of 5 ..., third quartile." or why there is no
    # rank, with the values' source; the forecast's rating against the annual target, said to be a forecast.
    benchmark_line: str = ""
    forecast_rating: str = ""


@dataclass(frozen=True)
class ReportModel:
    title: str  # the document's title (core properties), also the header's {title}
    period: str  # "Quarter 2 2023/24", the header's {period}
    subject: str
    council: str
    committee: str
    team: str
    produced_on: date
    cover: Cover
    key: tuple[KeyRow, ...]
    summary: tuple[tuple[Rag, int], ...]
    index: tuple[IndexRow, ...]
    pages: tuple[Page, ...]
    outstanding: tuple[Outstanding, ...] = ()  # figures not yet received: the cover says so
    index_bookmark: str = INDEX_BOOKMARK
    language: str = "en-GB"
    # Issue 17: every Red indicator and every declining Amber one, with its action, owner, due date and the
    # director's comment; and how many indicators are forecast to meet their annual target (None: no forecast).
    exceptions: tuple[ExceptionItem, ...] = ()
    forecast_to_meet: int | None = None
    # The section that opens the report, after the cover (report/summary.py; None: a model built by hand).
    summary_section: Summary | None = None
    # Issue 16: a draft or the final paper (None: neither said, as before issue 16; tests and benchmarks).
    standing: Standing | None = None

    @property
    def draft(self) -> bool:
        return self.standing is not None and self.standing.draft


def bookmark_name(indicator_id: str) -> str:
    """A bookmark Word and LibreOffice both accept: a letter first, letters, digits and _ only, 40 at most."""
    return ("kpi_" + re.sub(r"[^A-Za-z0-9]", "_", indicator_id))[:40]


def build_model(register: Register, committee: Committee, quarter: Quarter,
                figures: Mapping[tuple[str, str], Figure], *, council: str, team: str, produced_on: date,
                tolerances: Tolerances | None = None, show_both_comparisons: bool = False,
                axis_rule: AxisRule = AxisRule.ZERO, benchmarks: Mapping[str, Benchmark] | None = None,
                forecasts: Mapping[str, Forecast | None] | None = None,
                comments: Mapping[str, str] | None = None, standing: Standing | None = None,
                commentary: Mapping[str, str] | None = None) -> ReportModel:
    """The report of one committee for one quarter; tolerances are the council's RAG bands, axis_rule where
    its charts' value axes start (axis.py). benchmarks and forecasts (by indicator id) and the director's
    comments are issue 17's, each optional. standing: a draft or the final paper (issue 16); commentary: by
    indicator id, the approved edit printed in place of the lead's commentary."""
    tolerances = tolerances or Tolerances()
    indicators = register.indicators_of_committee(committee.id)
    headlines = [assess(i, quarter, figures, tolerances) for i in indicators]
    bookmarks = _unique_bookmarks([i.id for i in indicators])
    month = report_month(produced_on)
    forecasts_given = forecasts is not None
    benchmarks, forecasts = benchmarks or {}, forecasts or {}
    edits = commentary or {}
    pages = tuple(_insight(_page(h, figures, tolerances, month, bookmarks[h.indicator.id], show_both_comparisons,
                                 axis_rule, edits.get(h.indicator.id)), benchmarks.get(h.indicator.id),
                           forecasts.get(h.indicator.id), _PageContext(h, figures, axis_rule, council))
                  for h in headlines)
    exceptions = exception_list(headlines, comments)
    title = f"Performance Report: {committee.name}, Quarter {quarter.number} {quarter.year}"
    if standing is not None and standing.draft:
        title = f"{DRAFT_MARK}: {title}"
    outstanding = _outstanding(register, headlines)
    cover = Cover(f"Produced on: {long_date(produced_on)}", "Performance Report", f"Quarter {quarter.number}",
                  f"{quarter.year} financial year", committee.name, team, council,
                  incomplete_notice(outstanding, len(headlines)))
    return ReportModel(
        title=title, period=f"Quarter {quarter.number} {quarter.year}",
        subject=f"{council} performance report, {quarter.year} Quarter {quarter.number}",
        council=council, committee=committee.name, team=team, produced_on=produced_on, cover=cover,
        key=key_rows(tolerances), summary=_summary([p.rag for p in pages]),
        index=tuple(IndexRow(p.number, h.indicator.title, p.bookmark, p.rag, h.indicator.direction.arrow,
                             h.change.value, _quartile(benchmarks.get(h.indicator.id)))
                    for p, h in zip(pages, headlines)),
        pages=pages, outstanding=outstanding,
        exceptions=exceptions,
        forecast_to_meet=count_forecast_to_meet(forecasts.values()) if forecasts else None,
        summary_section=build_summary(headlines, exceptions, bookmarks, forecasts if forecasts_given else None),
        standing=standing,
    )


def _quartile(found: Benchmark | None) -> str:
    return found.quartile_text if found is not None else ""


@dataclass(frozen=True)
class _PageContext:
    """What a page's issue 17 lines need beside its benchmark and forecast: to chart the group's mean."""

    headline: Headline
    figures: Mapping[tuple[str, str], Figure]
    axis_rule: AxisRule
    council: str


def _insight(page: Page, found: Benchmark | None, outlook: Forecast | None, context: _PageContext) -> Page:
    """A page with its issue 17 lines (report/insight.py), and the group's mean on its chart where the two
    periods match."""
    lines = page_insight(found, outlook, context.council)
    if lines is None:
        return page
    trend = page.trend
    if lines.group_mark is not None and trend is not None:
        trend = build_trend(context.headline, context.figures, MAX_TREND_PERIODS, context.axis_rule,
                            lines.group_mark)
    return dataclasses.replace(page, benchmark=lines.benchmark, benchmark_values=lines.benchmark_values,
                               forecast=lines.forecast, benchmark_line=lines.benchmark_line,
                               forecast_rating=lines.forecast_rating, trend=trend)


def _outstanding(register: Register, headlines: list[Headline]) -> tuple[Outstanding, ...]:
    """The indicators with no figure received for the period the report shows (a figure "not available"
    with its reason is an answer, and is not outstanding)."""
    names = {s.id: s.name for s in register.services}
    return tuple(Outstanding(h.indicator.id, names.get(h.indicator.service, h.indicator.service), str(h.period))
                 for h in headlines if h.current is None)


def by_service(outstanding: tuple[Outstanding, ...]) -> str:
    """ "Library Service (36, 37); Coroner Service (175)": the services to chase, with their indicators."""
    groups: dict[str, list[str]] = {}
    for item in outstanding:
        groups.setdefault(item.service, []).append(item.indicator)
    return "; ".join(f"{service} ({', '.join(ids)})" for service, ids in groups.items())


def incomplete_notice(outstanding: tuple[Outstanding, ...], total: int) -> str:
    """The cover's line when figures are missing: how many, and from which services."""
    if not outstanding:
        return ""
    return (f"Not yet received: the figures of {count(len(outstanding), 'indicator')} of {total}, from "
            f"{by_service(outstanding)}. Their pages say so.")


def _unique_bookmarks(ids: list[str]) -> dict[str, str]:
    """Two ids may clean to the same name ("A-1", "A_1"): number the later ones."""
    names: dict[str, str] = {}
    taken: set[str] = {INDEX_BOOKMARK}
    for ident in ids:
        name, n = bookmark_name(ident), 2
        while name in taken:
            name, n = f"{bookmark_name(ident)[:36]}_{n}", n + 1
        taken.add(name)
        names[ident] = name
    return names


def _summary(rags: list[Rag]) -> tuple[tuple[Rag, int], ...]:
    counts = tuple((rag, rags.count(rag)) for rag in SUMMARY_ORDER)
    unrated = rags.count(Rag.NOT_RATED)
    return counts + (((Rag.NOT_RATED, unrated),) if unrated else ())


def _page(h: Headline, figures: Mapping[tuple[str, str], Figure], tolerances: Tolerances, month: str,
          bookmark: str, both: bool, axis_rule: AxisRule, edit: str | None = None) -> Page:
    indicator, current = h.indicator, h.current
    commentary = edit if edit is not None else (current.commentary if current else "")
    headers, cells = _headline_table(h, figures, tolerances, both)
    return Page(
        number=indicator.number, heading=f"Indicator {indicator.number}: {indicator.title}",
        bookmark=bookmark,
        month=month, headers=headers, cells=cells, comparators=_comparators(indicator), rag=h.rag,
        rag_note=_rag_note(h), trend=build_trend(h, figures, MAX_TREND_PERIODS, axis_rule),
        description=paragraphs(indicator.description), caveat=_caveat(h),
        commentary=paragraphs(commentary),
        actions=paragraphs(current.actions) if current else (),
        links=tuple(_link(link.label, link.url) for link in indicator.links), links_note=indicator.links_note,
    )


def _headline_table(h: Headline, figures: Mapping[tuple[str, str], Figure], tolerances: Tolerances,
                    both: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The headline row, with the other comparison beside the indicator's own when the council asks."""
    comparisons = [h]
    if both:
        other = (Comparison.PREVIOUS_PERIOD if h.indicator.comparison is Comparison.SAME_PERIOD_LAST_YEAR
                 else Comparison.SAME_PERIOD_LAST_YEAR)
        twin = assess(dataclasses.replace(h.indicator, comparison=other), h.period.quarter(), figures,
                      tolerances)
        # Previous period first, then the same period last year, whichever the indicator's own is.
        comparisons = [h, twin] if other is Comparison.SAME_PERIOD_LAST_YEAR else [twin, h]
    headers = (h.indicator.target_word, "Direction for Improvement", h.current_label,
               *(c.comparison_label for c in comparisons), "Change in Performance")
    cells = (h.target_text, h.indicator.direction.arrow, _current_text(h),
             *(c.comparison_text for c in comparisons), h.change.value)
    return headers, cells


def _current_text(h: Headline) -> str:
    if h.current is not None and h.current.status is FigureStatus.PROVISIONAL:
        return f"{h.current_text} (provisional)"
    return h.current_text


def _comparators(indicator: Indicator) -> tuple[tuple[str, str], ...]:
    known = (("Statistical Neighbours Mean", indicator.statistical_neighbours_mean),
             ("England Mean", indicator.england_mean))
    return tuple((label, format_value(value, indicator.unit, indicator.decimals))
                 for label, value in known if value is not None)


def _rag_note(h: Headline) -> str:
    if h.rag is not Rag.NOT_RATED:
        return ""
    if h.current is None or h.current.usable is None:
        return f"Not rated: there is no figure for {h.period}."
    if h.target is None:
        return f"Not rated: no target is set for {h.period}."
    return "Not rated: the indicator has no direction for improvement."


def _caveat(h: Headline) -> str:
    current = h.current
    if current is None:
        return f"No figure has been received for {h.period}."
    if current.status is FigureStatus.PROVISIONAL:
        return f"Provisional figure: {_sentence(current.reason, 'subject to validation')}"
    if current.status is FigureStatus.NOT_AVAILABLE:
        return f"Figure not available: {_sentence(current.reason, 'no reason given')}"
    return ""


def _sentence(text: str, default: str) -> str:
    text = text.strip() or default
    return text if text.endswith((".", "!", "?")) else text + "."


def _link(label: str, url: str) -> LinkItem:
    label = label or url
    if is_safe_url(url):
        return LinkItem(label, url.strip(), label)
    # An address that is not web or mail (javascript:, file:, a typo) is shown, never made clickable.
    return LinkItem(label, None, f"{label} ({url})" if url and url != label else label)
