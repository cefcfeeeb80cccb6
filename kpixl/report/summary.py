"""The summary and exceptions section that opens each report (issue 17; docs/report.md, "Summary and
exceptions"): the ratings counted by their change in performance (direction of travel), every indicator that
needs attention with what is being done, who owns it and by when, and the director's comment; and how many
indicators are forecast to meet their annual target, said to be a forecast.

Pure, like model.py: every word of the section is decided here, from the domain's exception list
(kpixl.domain.exception_report) and forecasts (kpixl.domain.outlook); pages.py and html.py only place it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kpixl.domain import Change, FigureStatus, Headline, Rag
from kpixl.domain.exception_report import CHANGE_ORDER, ExceptionItem, rag_summary
from kpixl.domain.outlook import Forecast, count_forecast_to_meet
from kpixl.problems import count
from kpixl.report.wording import long_date, paragraphs

__all__ = ["EXCEPTION_HEADERS", "NOT_GIVEN", "NO_COMMENT", "SUMMARY_BOOKMARK", "SUMMARY_HEADING", "TRAVEL_HEADERS",
           "ExceptionRow", "Summary", "TravelRow", "build_summary"]

SUMMARY_HEADING = "Summary and exceptions"
SUMMARY_BOOKMARK = "kpixl_summary"
# The ratings in the key's order; "Not rated" only when some indicator is not rated.
RATINGS = (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.BLUE, Rag.BASELINE, Rag.CONTEXTUAL, Rag.IN_DEVELOPMENT)
# The key's words for the change in performance; "N/A" is spelt out, as a heading must say what it counts.
_CHANGE_HEADINGS = {Change.IMPROVING: "Improving", Change.UNCHANGED: "Unchanged", Change.DECLINING: "Declining",
                    Change.NOT_APPLICABLE: "No comparison"}
TRAVEL_HEADERS = ("Rating", *(_CHANGE_HEADINGS[c] for c in CHANGE_ORDER), "Total")
EXCEPTION_HEADERS = ("Indicator", "Rating", "Actions", "Owner", "Due by", "Director's comment")
NOT_GIVEN = "Not given"
RATED = (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.BLUE)  # a forecast rated against an annual target
NO_COMMENT = "No comment yet."


@dataclass(frozen=True)
class TravelRow:
    """One rating's indicators, counted by their change in performance (in CHANGE_ORDER)."""

    rag: Rag
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class ExceptionRow:
    """An indicator that needs attention: Red, or Amber and declining."""

    number: str
    title: str
    bookmark: str  # its page
    rag: Rag
    change: str  # "Declining", or "No comparison" for the key's N/A
    why: str  # "Red", or "Amber and declining"
    figure: str  # "380,018 against a target of 475,381"
    actions: tuple[str, ...]  # paragraphs; ("No actions were reported.",) when none
    owner: str  # NOT_GIVEN when the lead gave none
    due: str  # "31 January 2024", or NOT_GIVEN
    comment: str  # the director's comment, or NO_COMMENT


@dataclass(frozen=True)
class Summary:
    heading: str
    overview: str  # "19 indicators: 7 Red, 2 Amber, ..."
    travel: tuple[TravelRow, ...]
    attention: str  # how many need attention, and why these
    exceptions: tuple[ExceptionRow, ...]
    forecast: str  # the count forecast to meet their annual target, said to be a forecast; "" without forecasts
    bookmark: str = SUMMARY_BOOKMARK


def _travel(headlines: list[Headline]) -> tuple[TravelRow, ...]:
    counts = rag_summary(headlines)
    rows = [TravelRow(rag, tuple(counts[rag][c] for c in CHANGE_ORDER)) for rag in RATINGS]
    unrated = TravelRow(Rag.NOT_RATED, tuple(counts[Rag.NOT_RATED][c] for c in CHANGE_ORDER))
    return tuple(rows) + ((unrated,) if unrated.total else ())


def _overview(travel: tuple[TravelRow, ...], total: int) -> str:
    rated = ", ".join(f"{row.total} {row.rag.value}" for row in travel if row.total)
    return f"{count(total, 'indicator')}: {rated or 'none rated'}."


def _figure(h: Headline) -> str:
    provisional = h.current is not None and h.current.status is FigureStatus.PROVISIONAL
    shown = f"{h.current_text} (provisional)" if provisional else h.current_text
    return f"{shown} against a {h.indicator.target_word.lower()} of {h.target_text}"


def _row(item: ExceptionItem, bookmark: str) -> ExceptionRow:
    h = item.headline
    return ExceptionRow(
        number=h.indicator.number, title=h.indicator.title, bookmark=bookmark, rag=h.rag,
        change=_CHANGE_HEADINGS[h.change],
        why=item.why, figure=_figure(h), actions=paragraphs(item.actions) or ("No actions were reported.",),
        owner=item.action_owner or NOT_GIVEN, due=long_date(item.action_due) if item.action_due else NOT_GIVEN,
        comment=item.director_comment.strip() or NO_COMMENT)


def _attention(rows: tuple[ExceptionRow, ...]) -> str:
    if not rows:
        return "No indicator is Red, and no Amber one is declining."
    reds = sum(1 for r in rows if r.rag is Rag.RED)
    parts = [count(reds, "Red indicator")] if reds else []
    if len(rows) > reds:
        parts.append(f"{count(len(rows) - reds, 'Amber indicator')} declining")
    missing = sum(1 for r in rows if NOT_GIVEN in (r.owner, r.due))
    gap = (f" {missing} of them {'has' if missing == 1 else 'have'} no owner or due date for the actions yet."
           if missing else "")
    return (f"{count(len(rows), 'indicator')} {'needs' if len(rows) == 1 else 'need'} attention ("
            f"{' and '.join(parts)}): what is being done, who owns it and by when.{gap}")


def _forecast(forecasts: Mapping[str, Forecast | None] | None) -> str:
    """The count forecast to meet their annual target. Every sentence says forecast, and the count is never
    put beside the ratings of actual figures."""
    if forecasts is None:
        return ""
    made = [f for f in forecasts.values() if f is not None]
    if not made:
        return ("Year-end forecast: no indicator has a year to date to forecast from yet (a forecast needs "
                "every period of the year so far).")
    rated = [f for f in made if f.rag in RATED]  # a baseline, no annual target or no direction: not rated
    meet = count_forecast_to_meet(rated)
    text = (f"Year-end forecast: {meet} of {count(len(rated), 'indicator')} with an annual target "
            f"{'is' if len(rated) == 1 else 'are'} forecast to meet it (Green or Blue)." if rated else
            f"Year-end forecast: {count(len(made), 'indicator')} {'has' if len(made) == 1 else 'have'} a "
            "forecast, but none has an annual target to rate it against.")
    unrated = len(made) - len(rated)
    if rated and unrated:
        text += (f" {count(unrated, 'more indicator')} {'has' if unrated == 1 else 'have'} a forecast but no "
                 "annual target to rate it against.")
    return text + " Forecasts are worked out from the year so far (each page says how); they are not actual figures."


def build_summary(headlines: Iterable[Headline], exceptions: Iterable[ExceptionItem], bookmarks: Mapping[str, str],
                  forecasts: Mapping[str, Forecast | None] | None = None) -> Summary:
    """The section, from the committee's headlines (in the register's order), the domain's exception list,
    each indicator's page bookmark and (optionally) each indicator's forecast."""
    headlines = list(headlines)
    travel = _travel(headlines)
    rows = tuple(_row(item, bookmarks[item.headline.indicator.id]) for item in exceptions)
    return Summary(SUMMARY_HEADING, _overview(travel, len(headlines)), travel, _attention(rows), rows,
                   _forecast(forecasts))
