"""The report's fixed wording: the key's explanations, as the seed report words them.

The RAG bands are written from the council's tolerances, so the key always says what the ratings did.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from kpixl.domain import PercentageBasis, Rag, Tolerances
from kpixl.domain.periods import MONTH_NAMES

__all__ = ["RATING_WORDS", "KeyRow", "key_rows", "long_date", "paragraphs"]


def long_date(day: date) -> str:
    """ "12 December 2023", as the cover prints it (and every date the report prints)."""
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def paragraphs(text: str) -> tuple[str, ...]:
    """Text as the council wrote it, split at blank lines; single line breaks join into one paragraph."""
    if "\n" not in text:  # one paragraph, as most are: no pattern to run
        return (text.strip(),) if text.strip() else ()
    blocks = re.split(r"\n\s*\n", text.strip())
    return tuple(" ".join(line.strip() for line in block.splitlines()) for block in blocks if block.strip())


@dataclass(frozen=True)
class KeyRow:
    item: str
    explanation: str
    rag: Rag | None = None  # a rating row: the item cell is shaded in the rating's colour

RATING_WORDS = {
    Rag.BASELINE: "indicates performance is currently being tracked in order to inform the target setting "
                  "process",
    Rag.CONTEXTUAL: "these measures track key activity being undertaken, to present a rounded view of "
                    "information relevant to the service area, without a performance target",
    Rag.IN_DEVELOPMENT: "measure has been agreed, but data collection and target setting are in development",
}


def _percent(fraction: Decimal) -> str:
    text = f"{(fraction * 100).normalize():f}"
    return f"{text}%"


def _bands(tolerances: Tolerances) -> dict[Rag, str]:
    red, blue = _percent(tolerances.red), _percent(tolerances.blue)
    return {
        Rag.RED: f"current performance is off target by more than {red}",
        Rag.AMBER: f"current performance is off target by {red} or less",
        Rag.GREEN: f"current performance is on target by up to {blue} over target",
        Rag.BLUE: f"current performance exceeds target by more than {blue}",
        **RATING_WORDS,
    }


# (Data Item, Explanation) as the seed's key words them, before and after the rating rows.
ITEMS_BEFORE = (
    ("Target / Pro Rata Target",
     "The target that has been set for the indicator, relevant for the reporting period"),
    ("Current Month / Current Period", "The latest performance figure relevant to the reporting period"),
    ("Previous Month / Previous Period", "The previously reported performance figure"),
    ("Direction for Improvement",
     "Indicates whether 'good' performance is a higher (↑) or a lower (↓) figure"),
    ("Change in Performance",
     ("Indicates whether performance is 'improving' or 'declining' by comparing the latest performance "
      "figure with that of the previous reporting period")),
    ("Statistical Neighbours Mean",
     ("Provided as a point of comparison, based on the most recently available data from identified "
      "statistical neighbours.")),
    ("England Mean",
     "Provided as a point of comparison, based on the most recent nationally available data"),
)
ITEMS_AFTER = (
    ("Indicator Description",
     ("Provides an overview of how a measure is calculated. Where possible, this is based on a nationally "
      "agreed definition to assist benchmarking with statistically comparable authorities")),
    ("Commentary", "Provides a narrative to explain the changes in performance within the reporting period"),
    ("Actions", "Actions undertaken to address under-performance. Populated for 'red' indicators only"),
    ("Useful Links",
     "Provides links to relevant documentation, such as nationally available data and definitions"),
)


def key_rows(tolerances: Tolerances) -> tuple[KeyRow, ...]:
    rating_intro = "How current performance compares with the target, shown as a coloured box with its word:"
    if tolerances.percentage_basis is PercentageBasis.POINTS:
        rating_intro += " for percentage indicators the bands are percentage points"
    return (
        *(KeyRow(item, text) for item, text in ITEMS_BEFORE),
        KeyRow("RAG Rating", rating_intro),
        *(KeyRow(rag.value, text, rag) for rag, text in _bands(tolerances).items()),
        *(KeyRow(item, text) for item, text in ITEMS_AFTER),
    )
